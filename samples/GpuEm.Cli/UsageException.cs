namespace GpuEm.Cli;

/// <summary>A usage error: unknown command or option, missing or unparsable value (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);
