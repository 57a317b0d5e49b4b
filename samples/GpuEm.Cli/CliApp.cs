using GpuEm.Em;
using GpuEm.Models.GaussianMixture;

namespace GpuEm.Cli;

/// <summary>
/// The <c>gpuem</c> program. Exit codes: 0 success; 1 a data, file or fit error; 2 a usage error.
/// Errors are one line on stderr beginning "gpuem: error: " (<c>--verbose</c> adds the exception).
/// </summary>
public static class CliApp
{
    internal const string Usage = """
        gpuem — Expectation-Maximization on GPUs

        usage: gpuem <command> [options]

        commands:
          demo     fit a Gaussian mixture to the embedded Old Faithful data set
          fit      fit a Gaussian mixture to a headerless numeric CSV; prints one JSON object
          kmeans   fit k-means to a headerless numeric CSV; prints one JSON object
          help     show this text

        `gpuem <command> --help` describes a command. Exit codes: 0 ok, 1 data or fit error,
        2 usage error.
        """;

    /// <summary>Runs the program with the given arguments and writers.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="stdout">Results.</param>
    /// <param name="stderr">Errors, notices and warnings.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        bool verbose = args.Contains("--verbose");
        try
        {
            if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
            {
                stdout.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            string[] rest = args[1..];
            return args[0] switch
            {
                "demo" => Commands.Demo(rest, stdout, stderr),
                "fit" => Commands.Fit(rest, stdout, stderr),
                "kmeans" => Commands.KMeans(rest, stdout, stderr),
                _ => throw new UsageException($"unknown command '{args[0]}' (see gpuem --help)"),
            };
        }
        catch (UsageException ex)
        {
            stderr.WriteLine($"gpuem: error: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException
            or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            stderr.WriteLine($"gpuem: error: {OneLine(ex.Message)}");
            if (verbose)
                stderr.WriteLine(ex);
            return 1;
        }
    }

    /// <summary>Writes notices and warnings of a fit to stderr.</summary>
    internal static IProgress<FitProgress> Warnings(TextWriter stderr) =>
        new WarningWriter(stderr);

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    private sealed class WarningWriter(TextWriter stderr) : IProgress<FitProgress>
    {
        public void Report(FitProgress value)
        {
            if (value.Warning is not null)
                stderr.WriteLine($"gpuem: warning: {value.Warning}");
        }
    }
}
