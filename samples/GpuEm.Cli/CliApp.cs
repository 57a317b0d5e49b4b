using System.Reflection;

namespace GpuEm.Cli;

/// <summary>
/// The <c>gpuem</c> program. Exit codes: 0 success; 1 a data, file or fit error; 2 a usage error.
/// Errors are one line on stderr beginning "gpuem: error: " (<c>--verbose</c> adds the exception).
/// </summary>
public static class CliApp
{
    /// <summary>
    /// The commands: name, one line for the usage text, and the handler. A new model adds its
    /// command here, one line.
    /// </summary>
    internal static readonly IReadOnlyList<CliCommand> Commands =
    [
        new("demo", "fit a Gaussian mixture to the embedded Old Faithful data set", GpuEm.Cli.Commands.Demo),
        new("fit", "fit a Gaussian mixture to a CSV, .npy, raw float32, Parquet or Arrow file; prints one JSON object", GpuEm.Cli.Commands.Fit),
        new("kmeans", "fit k-means to a CSV, .npy, raw float32, Parquet or Arrow file; prints one JSON object", GpuEm.Cli.Commands.KMeans),
        new("bernoulli", "fit a Bernoulli mixture to rows of 0/1 (NaN or empty: missing); prints one JSON object", DiscreteCommands.Bernoulli),
        new("categorical", "fit a categorical mixture to rows of levels 0, 1, … (−1, NaN or empty: missing)", DiscreteCommands.Categorical),
        new("coarsened", "fit (or score) a coarsened categorical table from a file of observations", CoarsenedCommand.Run),
        new("hmm", "fit, decode, score or sample hidden Markov models of sequences of rows (--lengths FILE)", HmmCommands.Run),
        new("topics", "fit LDA or PLSA topic models to a corpus; their top words, topic proportions, perplexity", TopicCommands.Run),
        new("predict", "labels (or --proba probabilities) for new data from a saved model", ModelCommands.Predict),
        new("score", "measures of fit (log-likelihood, BIC, AIC; k-means: inertia) of data under a saved model", ModelCommands.Score),
        new("info", "a saved model's summary as one JSON object", ModelCommands.Info),
        new("select", "fit mixtures over a range of k and covariance types; print the BIC/AIC table", ModelCommands.Select),
        new("plot", "draw data, clusters, 1σ/2σ ellipses and the objective curve to a PNG", PlotCommands.Plot),
        new("devices", "list the devices ILGPU sees and whether GpuEm can use them", ModelCommands.ListDevices),
        new("bench", "time EM iterations on a seeded mixture (as samples/GpuEm.Bench; docs/BENCHMARKS.md)", (args, context) => Bench.BenchRunner.Run(args, context.Out, context.Error)),
    ];

    /// <summary>The program's usage text, listing <see cref="Commands"/>.</summary>
    internal static string Usage
    {
        get
        {
            var text = new System.Text.StringBuilder();
            text.Append("gpuem — Expectation-Maximization on GPUs\n\nusage: gpuem <command> [options]\n\ncommands:\n");
            foreach (CliCommand command in Commands)
                text.Append("  ").Append(command.Name.PadRight(12)).Append(command.Summary).Append('\n');
            text.Append("  help        show this text\n");
            text.Append("  --version   print the version\n\n");
            text.Append("`gpuem <command> --help` describes a command; every command takes --quiet (no progress, no\n");
            text.Append("--backend auto device line), --progress (progress lines even when stderr is not a terminal,\n");
            text.Append("as GPUEM_PROGRESS=1 does) and --verbose (errors with their exception). Exit codes: 0 ok, 1 data or fit error,\n");
            text.Append("2 usage error, 130 cancelled (Ctrl-C; the last completed model is still printed and saved).\n");
            return text.ToString();
        }
    }

    /// <summary>Runs the program with the given arguments and writers; progress only with
    /// <c>--progress</c> (plain lines; GPUEM_PROGRESS is not read).</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="stdout">Results.</param>
    /// <param name="stderr">Errors, notices and warnings.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) =>
        Run(args, stdout, stderr, CancellationToken.None, terminal: false, progressVariable: null);

    /// <summary>Runs the program with the given arguments, standard input and writers.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="stdin">What <c>--input -</c> reads.</param>
    /// <param name="stdout">Results.</param>
    /// <param name="stderr">Errors, notices and warnings.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextReader stdin, TextWriter stdout, TextWriter stderr) =>
        Run(args, stdout, stderr, CancellationToken.None, terminal: false, progressVariable: null, stdin: stdin);

    /// <summary>Runs the program; fits stop after the current iteration when cancelled.</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="stdout">Results.</param>
    /// <param name="stderr">Errors, notices, warnings and progress.</param>
    /// <param name="cancellation">Stops a fit; its last completed model is still printed.</param>
    /// <param name="showProgress">Whether stderr is a terminal (the program passes true when it
    /// is): then fits show a live progress display. Otherwise <c>--progress</c> or the environment
    /// variable GPUEM_PROGRESS=1 print plain progress lines; <c>--quiet</c> turns progress off.</param>
    /// <returns>The exit code.</returns>
    /// <param name="stdin">What <c>--input -</c> reads (null: none, an empty input).</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellation, bool showProgress, TextReader? stdin = null) =>
        Run(args, stdout, stderr, cancellation, showProgress, Environment.GetEnvironmentVariable(ProgressVariable), stdin: stdin);

    /// <summary>The environment variable that keeps progress on when stderr is not a terminal.</summary>
    internal const string ProgressVariable = "GPUEM_PROGRESS";

    /// <summary>As the public overload, with the environment variable's value and (tests) the
    /// live display's console given.</summary>
    internal static int Run(
        string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellation, bool terminal,
        string? progressVariable, Spectre.Console.IAnsiConsole? console = null, TextReader? stdin = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        var context = new CliContext(stdout, stderr, cancellation, Mode(args, terminal, progressVariable), console)
        {
            Input = stdin ?? TextReader.Null,
        };
        bool verbose = args.Contains("--verbose");
        try
        {
            if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
            {
                stdout.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            if (args[0] == "--version")
            {
                stdout.WriteLine($"gpuem {Version}");
                return 0;
            }
            CliCommand command = Commands.FirstOrDefault(c => c.Name == args[0])
                ?? throw new UsageException($"unknown command '{args[0]}' (see gpuem --help)");
            return command.Run(args[1..], context);
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
            stderr.WriteLine($"gpuem: error: {CliErrors.Describe(ex)}");
            if (verbose)
                stderr.WriteLine(ex);
            return 1;
        }
    }

    /// <summary>The program's informational version (the package version, with the commit when
    /// the build knows it).</summary>
    internal static string Version =>
        typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(CliApp).Assembly.GetName().Version?.ToString()
        ?? "unknown";

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    // --quiet: off; a terminal: live; else --progress or GPUEM_PROGRESS=1 (or true): lines.
    private static ProgressMode Mode(string[] args, bool terminal, string? variable) =>
        args.Contains("--quiet") ? ProgressMode.Off
        : terminal ? ProgressMode.Live
        : args.Contains("--progress") || variable?.Trim() is "1" || string.Equals(variable?.Trim(), "true", StringComparison.OrdinalIgnoreCase)
            ? ProgressMode.Lines
            : ProgressMode.Off;
}
