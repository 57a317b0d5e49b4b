namespace GpuEm.Persistence;

/// <summary>
/// A model file that cannot be read: not JSON, another format, a newer or unsupported version, a
/// missing or malformed field. The message names the file and what is wrong.
/// </summary>
public sealed class ModelFormatException : Exception
{
    /// <summary>Creates the exception with no message.</summary>
    public ModelFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong, and where.</param>
    public ModelFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong, and where.</param>
    /// <param name="innerException">The cause.</param>
    public ModelFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
