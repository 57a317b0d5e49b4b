namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// Thrown when a component's covariance is not positive definite after regularization.
/// </summary>
public sealed class SingularCovarianceException : InvalidOperationException
{
    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened and what to do.</param>
    public SingularCovarianceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with no message.</summary>
    public SingularCovarianceException()
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What happened and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public SingularCovarianceException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The component whose covariance failed (−1 when not known).</summary>
    internal int Component { get; private init; } = -1;

    internal static SingularCovarianceException For(int component) => new(
        $"The covariance of component {component} is singular or not positive definite (for instance a " +
        "component collapsed onto one point, or a constant or duplicated column). Increase " +
        "CovarianceRegularization (--reg), reduce the number of components, or scale the data.")
    {
        Component = component,
    };
}
