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
          fit      fit a Gaussian mixture to a CSV, .npy or raw float32 file; prints one JSON object
          kmeans   fit k-means to a CSV, .npy or raw float32 file; prints one JSON object
          predict  labels (or --proba probabilities) for new data from a saved model
          score    log-likelihood, BIC and AIC (mixtures) or inertia (k-means) of data under a model
          select   fit mixtures over a range of k and covariance types; print the BIC/AIC table
          plot     draw data, clusters, 1σ/2σ ellipses and the log-likelihood curve to a PNG
          devices  list the devices ILGPU sees and whether GpuEm can use them
          bench    time EM iterations on a seeded mixture (as samples/GpuEm.Bench; docs/BENCHMARKS.md)
          help     show this text

        `gpuem <command> --help` describes a command. Exit codes: 0 ok, 1 data or fit error,
        2 usage error.
        """;

    /// <summary>Runs the program with the given arguments and writers.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="stdout">Results.</param>
    /// <param name="stderr">Errors, notices and warnings.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        Run(args, stdout, stderr, CancellationToken.None, showProgress: false);

    /// <summary>Runs the program; fits stop after the current iteration when cancelled.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="stdout">Results.</param>
    /// <param name="stderr">Errors, notices, warnings and (with <paramref name="showProgress"/>) progress.</param>
    /// <param name="cancellation">Stops a fit; its last completed model is still printed.</param>
    /// <param name="showProgress">Print a line per iteration on stderr (the program passes true
    /// when stderr is a terminal; --quiet turns it off).</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellation, bool showProgress)
    {
        ArgumentNullException.ThrowIfNull(args);
        Cancellation = cancellation;
        ShowProgress = showProgress && !args.Contains("--quiet");
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
                "predict" => ModelCommands.Predict(rest, stdout),
                "score" => ModelCommands.Score(rest, stdout),
                "select" => ModelCommands.Select(rest, stdout, stderr),
                "devices" => ModelCommands.ListDevices(rest, stdout),
                "plot" => PlotCommands.Plot(rest, stdout),
                "bench" => Bench.BenchRunner.Run(rest, stdout, stderr),
                _ => throw new UsageException($"unknown command '{args[0]}' (see gpuem --help)"),
            };
        }
        catch (UsageException ex)
        {
            stderr.WriteLine($"gpuem: error: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException
            or Persistence.ModelFormatException
            or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            stderr.WriteLine($"gpuem: error: {OneLine(ex.Message)}");
            if (verbose)
                stderr.WriteLine(ex);
            return 1;
        }
    }

    /// <summary>The current run's cancellation (Ctrl-C in the program).</summary>
    internal static CancellationToken Cancellation { get; private set; }

    /// <summary>Whether the current run prints per-iteration progress.</summary>
    internal static bool ShowProgress { get; private set; }

    /// <summary>Writes notices and warnings of a fit to stderr, and per-iteration progress when
    /// <see cref="ShowProgress"/> is on.</summary>
    internal static IProgress<FitProgress> Warnings(TextWriter stderr, int maxIterations = 0) =>
        new WarningWriter(stderr, ShowProgress, maxIterations);

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    private sealed class WarningWriter(TextWriter stderr, bool progress, int maxIterations) : IProgress<FitProgress>
    {
        private TimeSpan _last;

        public void Report(FitProgress value)
        {
            if (value.Warning is not null)
            {
                stderr.WriteLine($"gpuem: warning: {value.Warning}");
                return;
            }
            if (!progress)
                return;
            if (value.Iteration == 0)
                _last = TimeSpan.Zero;
            double seconds = (value.Elapsed - _last).TotalSeconds;
            _last = value.Elapsed;
            // ETA of the restart if it runs to MaxIterations: the mean time per iteration so far.
            string eta = maxIterations > value.Iteration && value.Iteration > 0
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $", at most {(maxIterations - value.Iteration) * value.Elapsed.TotalSeconds / (value.Iteration + 1):F1} s left")
                : "";
            stderr.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"gpuem: restart {value.Restart} iteration {value.Iteration}: objective {value.Objective:F6}, change {value.Change:E2}, {seconds:F3} s{eta}"));
        }
    }
}
