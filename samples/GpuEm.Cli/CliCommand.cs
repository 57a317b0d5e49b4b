namespace GpuEm.Cli;

/// <summary>One command of the program.</summary>
/// <param name="Name">What the user types.</param>
/// <param name="Summary">Its line in the usage text.</param>
/// <param name="Run">The handler: arguments after the name, and the run's context; returns the exit code.</param>
internal sealed record CliCommand(string Name, string Summary, Func<string[], CliContext, int> Run);
