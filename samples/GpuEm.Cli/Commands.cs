using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using GpuEm.Data;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;

namespace GpuEm.Cli;

/// <summary>The subcommands.</summary>
internal static class Commands
{
    internal static readonly IReadOnlyDictionary<string, CovarianceType> CovarianceChoices = new Dictionary<string, CovarianceType>
    {
        ["full"] = CovarianceType.Full,
        ["tied"] = CovarianceType.Tied,
        ["diag"] = CovarianceType.Diagonal,
        ["spherical"] = CovarianceType.Spherical,
    };

    private static readonly IReadOnlyDictionary<string, GaussianInitialization> MixtureStarts = new Dictionary<string, GaussianInitialization>
    {
        ["kmeans"] = GaussianInitialization.KMeans,
        ["kmeans++"] = GaussianInitialization.KMeansPlusPlus,
        ["random"] = GaussianInitialization.RandomPoints,
        ["random-resp"] = GaussianInitialization.RandomResponsibilities,
        ["hc"] = GaussianInitialization.Hierarchical,
    };

    private static readonly IReadOnlyDictionary<string, MissingValues> MissingChoices = new Dictionary<string, MissingValues>
    {
        ["error"] = MissingValues.Error,
        ["marginalize"] = MissingValues.Marginalize,
    };

    // One integer per line (blank lines skipped), −1 = unknown; errors name the line.
    internal static int[] ReadLabels(string path, long rows)
    {
        var labels = new List<int>();
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            if (!int.TryParse(line.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int label))
                throw new InvalidDataException($"{Path.GetFileName(path)} line {lineNumber}: '{Arguments.Clip(line.Trim())}' is not an integer label.");
            labels.Add(label);
        }
        if (labels.Count != rows)
            throw new InvalidDataException($"{Path.GetFileName(path)} holds {labels.Count} labels for {rows} data rows; give one per row (−1 = unknown).");
        return labels.ToArray();
    }

    private static readonly IReadOnlyDictionary<string, KMeansInitialization> KMeansStarts = new Dictionary<string, KMeansInitialization>
    {
        ["kmeans++"] = KMeansInitialization.KMeansPlusPlus,
        ["random"] = KMeansInitialization.RandomPoints,
    };

    private const string DemoHelp = """
        usage: gpuem demo [--k K] [--covariance full|diag|spherical|tied] [--seed S] [--backend B]

        Fits a Gaussian mixture (default k = 2, full covariances) to Old Faithful: 272 eruptions ×
        (duration in minutes, waiting time to the next eruption in minutes), embedded in the program.
        """;

    private const string FitHelp = """
        usage: gpuem fit --input FILE [--columns D|NAME,…] [--header] [--delimiter C] --k K
                         [--covariance full|diag|spherical|tied] [--max-iter N]
                         [--tol T] [--n-init R] [--init kmeans|kmeans++|random|random-resp|hc] [--reg R]
                         [--seed S] [--backend auto|cuda|opencl|cpu-accelerator|reference]
                         [--device-memory-limit BYTES] [--missing error|marginalize]
                         [--labels LABELS.txt] [--output model.json] [--quiet] [--verbose]
                         [--restart-strategy independent|short-runs] [--short-runs N]
                         [--short-iter I] [--short-continue M] [--split-merge N] [--hc-raw] [--hc-first]

        Fits a Gaussian mixture to the rows of FILE and prints one JSON object: n, d, k,
        covariance, backend, device, iterations, converged, logLikelihood, meanLogLikelihood, bic,
        aic, seconds, eSteps, splitMergeMoves, weights, means. --split-merge N (k ≥ 3): after the
        fit, at most N split-and-merge candidates (Ueda et al. 2000: merge the two components with
        the most similar posteriors, split the worst-fitting third, run EM from there), each kept
        when the log-likelihood rises; splitMergeMoves counts those kept. --init hc starts from
        model-based hierarchical agglomeration (Ward's criterion, as mclust's hc under its EII model)
        on at most 2,000 rows (a seeded random subset of larger data), in whitened coordinates (as
        mclust's hcUse = "SVD") unless --hc-raw. --hc-first: the first start from hc whitened,
        the second from hc in the data's coordinates, the others as --init says. --output saves the fitted model (a versioned JSON model file
        for `gpuem predict|score|plot --model`).
        Defaults: full, 100 iterations, tol 1e-3, 1 start, kmeans start, reg 1e-6, seed 0, auto.
        --missing marginalize reads empty cells and NaN (CSV and binary files) as missing values
        (marginalized out);
        --labels gives one integer per data row (the component, −1 = unknown) for a
        semi-supervised fit. --device-memory-limit caps the device memory (bytes) the GPU engine
        plans for; data beyond it streams through the device every iteration (default: what the
        device has free; the reference backend ignores it).
        """ + "\n\n" + SearchHelp + "\n\n" + InputFile.Help;

    private const string KMeansHelp = """
        usage: gpuem kmeans --input FILE [--columns D|NAME,…] [--header] [--delimiter C] --k K [--max-iter N]
                            [--tol T] [--n-init R] [--init kmeans++|random] [--seed S] [--backend B]
                            [--device-memory-limit BYTES] [--output model.json] [--hartigan] [--local-search Z]
                            [--restart-strategy independent|short-runs] [--short-runs N]
                            [--short-iter I] [--short-continue M]

        Fits k-means (Lloyd) to the rows of FILE and prints one JSON object: n, d, k, backend,
        device, iterations, converged, inertia, hartiganMoves, seconds, eSteps, centres; --output
        saves the model file. --hartigan: after Lloyd converges, single points move between
        clusters while a move lowers the inertia, centres moving with them (Hartigan–Wong style,
        as R's kmeans; on the host, float64); hartiganMoves counts them and inertia is after them.
        --local-search Z: Z steps of greedy local search on each start's seeding (LocalSearch++:
        a point drawn by D² replaces the centre whose swap lowers the seeding cost most).
        Defaults: 300 iterations, tol 1e-4,
        1 start, kmeans++, seed 0, auto. --device-memory-limit caps the device memory (bytes) the
        GPU engine plans for, as in `gpuem fit`. Every value must be finite.
        """ + "\n\n" + SearchHelp + "\n\n" + InputFile.Help;

    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal);

    public static int Demo(string[] args, CliContext context)
    {
        TextWriter stdout = context.Out;
        var a = new Arguments(args, Set("k", "covariance", "seed", "backend"), Flags);
        if (a.Flag("help"))
            return Help(stdout, DemoHelp);
        float[,] data = ReadFaithful();
        var options = new GaussianMixtureOptions
        {
            ComponentCount = a.Int("k", 2, minimum: 1),
            CovarianceType = a.Choice("covariance", CovarianceType.Full, CovarianceChoices),
            Seed = a.Int("seed", 0),
            Backend = a.Choice("backend", Backend.Auto, Arguments.Backends),
            Progress = context.Progress(),
        };
        AnnounceDevice(options.Backend, a, context);
        var clock = Stopwatch.StartNew();
        GaussianMixtureModel model = context.Show(() => new GaussianMixture(options).Fit(data));
        clock.Stop();

        var w = stdout;
        w.WriteLine("Old Faithful: 272 eruptions × (duration min, waiting min)");
        w.WriteLine(Invariant($"Gaussian mixture: k = {model.ComponentCount}, {model.CovarianceType} covariances"));
        w.WriteLine(Invariant($"backend: {model.Backend} ({model.DeviceName})"));
        w.WriteLine(Invariant($"iterations: {model.Iterations}, converged: {model.Converged}"));
        w.WriteLine(Invariant($"log-likelihood: {model.LogLikelihood:F4} (mean {model.MeanLogLikelihood:F6}), BIC: {model.Bic(data):F4}"));
        w.WriteLine(Invariant($"time: {clock.Elapsed.TotalSeconds:F3} s"));
        double[] weights = model.Weights;
        double[,] means = model.Means;
        double[,,] covariances = model.Covariances;
        for (int c = 0; c < model.ComponentCount; c++)
        {
            string mean = Invariant($"({means[c, 0]:F4}, {means[c, 1]:F4})");
            string covariance = Invariant(
                $"[[{covariances[c, 0, 0]:F4}, {covariances[c, 0, 1]:F4}], [{covariances[c, 1, 0]:F4}, {covariances[c, 1, 1]:F4}]]");
            w.WriteLine(Invariant($"component {c}: weight {weights[c]:F4}, mean {mean}, covariance {covariance}"));
        }
        return 0;
    }

    public static int Fit(string[] args, CliContext context)
    {
        TextWriter stdout = context.Out;
        var a = new Arguments(args, Set([.. SearchOptions, "input", "columns", "delimiter", "k", "covariance", "max-iter", "tol", "n-init", "init", "reg", "seed", "backend", "device-memory-limit", "missing", "labels", "output", "split-merge"]), InputFile.Flags("hc-raw", "hc-first"));
        if (a.Flag("help"))
            return Help(stdout, FitHelp);
        string input = a.Required("input");
        string? output = a.Output(input, a.Text("labels"));
        var options = new GaussianMixtureOptions
        {
            ComponentCount = a.RequiredInt("k", 1, "K"),
            CovarianceType = a.Choice("covariance", CovarianceType.Full, CovarianceChoices),
            Initialization = a.Choice("init", GaussianInitialization.KMeans, MixtureStarts),
            CovarianceRegularization = a.Double("reg", GaussianMixtureOptions.Defaults.CovarianceRegularization, minimum: 0),
            MissingValues = a.Choice("missing", MissingValues.Error, MissingChoices),
            SplitMergeTrials = a.Int("split-merge", 0, minimum: 0),
            HierarchicalWhitening = !a.Flag("hc-raw"),
            HierarchicalFirstStarts = a.Flag("hc-first"),
        }.WithRunOptions(a, context);
        GaussianMixture estimator = Validated(() => new GaussianMixture(options));
        // A binary file goes to the library as a source (mapped, not copied); NaN in it is a
        // missing value under --missing marginalize and an error otherwise, as in a CSV.
        using IDataSource? source = InputFile.Open(input, a);
        float[,]? data = source is null ? InputFile.ReadCsv(input, a, context, options.MissingValues == MissingValues.Marginalize) : null;
        long n = source?.RowCount ?? data!.GetLength(0);
        int d = source?.ColumnCount ?? data!.GetLength(1);
        int[]? labels = a.Text("labels") is { } labelFile ? ReadLabels(labelFile, n) : null;
        AnnounceDevice(options.Backend, a, context);
        var clock = Stopwatch.StartNew();
        string hint = options.MissingValues == MissingValues.Error ? " (For missing values use --missing marginalize.)" : "";
        GaussianMixtureModel model = context.Show(() => InputFile.Read(source, () => (source, labels) switch
        {
            (null, null) => estimator.Fit(data!, cancellationToken: context.Cancellation),
            (null, _) => estimator.FitSemiSupervised(data!, labels, cancellationToken: context.Cancellation),
            (_, null) => estimator.Fit(source, cancellationToken: context.Cancellation),
            _ => estimator.FitSemiSupervised(source, labels, cancellationToken: context.Cancellation),
        }, hint));
        clock.Stop();
        // A source is scored in one chunked pass (the model's measures: BIC and AIC from its
        // mean log-likelihood, as GaussianMixtureModel.Bic/Aic compute them).
        (double bic, double aic) = source is null
            ? (model.Bic(data!), model.Aic(data!))
            : InputFile.Read(source, () =>
            {
                Models.ModelScore score = model.Evaluate(source);
                return (score["bic"], score["aic"]);
            });

        string json = WriteJson(j =>
        {
            j.WriteNumber("n", n);
            j.WriteNumber("d", d);
            j.WriteNumber("k", model.ComponentCount);
            j.WriteString("covariance", CovarianceChoices.First(p => p.Value == model.CovarianceType).Key);
            j.WriteString("backend", model.Backend.ToString());
            j.WriteString("device", model.DeviceName);
            j.WriteNumber("iterations", model.Iterations);
            j.WriteBoolean("converged", model.Converged);
            j.WriteBoolean("cancelled", model.Cancelled);
            j.WriteNumber("logLikelihood", model.LogLikelihood);
            j.WriteNumber("meanLogLikelihood", model.MeanLogLikelihood);
            j.WriteNumber("bic", bic);
            j.WriteNumber("aic", aic);
            j.WriteNumber("seconds", clock.Elapsed.TotalSeconds);
            j.WriteNumber("eSteps", model.Summary.EStepsRun);
            j.WriteNumber("splitMergeMoves", model.SplitMergeMoves);
            WriteArray(j, "weights", model.Weights);
            WriteMatrix(j, "means", model.Means);
        });
        stdout.WriteLine(json);
        if (output is not null)
            model.Save(output);
        return ExitCode(model);
    }

    public static int KMeans(string[] args, CliContext context)
    {
        TextWriter stdout = context.Out;
        var a = new Arguments(args, Set([.. SearchOptions, "input", "columns", "delimiter", "k", "max-iter", "tol", "n-init", "init", "seed", "backend", "device-memory-limit", "output", "local-search"]), InputFile.Flags("hartigan"));
        if (a.Flag("help"))
            return Help(stdout, KMeansHelp);
        string input = a.Required("input");
        string? output = a.Output(input);
        var options = new KMeansOptions
        {
            ClusterCount = a.RequiredInt("k", 1, "K"),
            Initialization = a.Choice("init", KMeansInitialization.KMeansPlusPlus, KMeansStarts),
            HartiganMoves = a.Flag("hartigan"),
            SeedingLocalSearch = a.Int("local-search", 0, minimum: 0),
        }.WithRunOptions(a, context);
        Models.KMeans.KMeans estimator = Validated(() => new Models.KMeans.KMeans(options));
        using IDataSource? source = InputFile.Open(input, a);
        float[,]? data = source is null ? InputFile.ReadCsv(input, a, context, allowMissing: false) : null;
        AnnounceDevice(options.Backend, a, context);
        var clock = Stopwatch.StartNew();
        KMeansModel model = context.Show(() => source is null
            ? estimator.Fit(data!, cancellationToken: context.Cancellation)
            : InputFile.Read(source, () => estimator.Fit(source, cancellationToken: context.Cancellation)));
        clock.Stop();
        string json = WriteJson(j =>
        {
            j.WriteNumber("n", source?.RowCount ?? data!.GetLength(0));
            j.WriteNumber("d", source?.ColumnCount ?? data!.GetLength(1));
            j.WriteNumber("k", model.ClusterCount);
            j.WriteString("backend", model.Backend.ToString());
            j.WriteString("device", model.DeviceName);
            j.WriteNumber("iterations", model.Iterations);
            j.WriteBoolean("converged", model.Converged);
            j.WriteNumber("inertia", model.Inertia);
            j.WriteNumber("hartiganMoves", model.HartiganMoves);
            j.WriteNumber("seconds", clock.Elapsed.TotalSeconds);
            j.WriteNumber("eSteps", model.Summary.EStepsRun);
            WriteMatrix(j, "centres", model.Centres);
        });
        stdout.WriteLine(json);
        if (output is not null)
            model.Save(output);
        return ExitCode(model);
    }

    /// <summary>Old Faithful (R's datasets::faithful), embedded as a CSV resource.</summary>
    internal static float[,] ReadFaithful()
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("GpuEm.Cli.Data.faithful.csv")
            ?? throw new InvalidOperationException("The embedded Old Faithful data set is missing from this build.");
        using var reader = new StreamReader(stream);
        return CsvMatrixReader.Read(reader, "faithful.csv");
    }

    /// <summary>0, or 130 (the shell's convention for an interrupt) when the fit was cancelled;
    /// the cancelled model has been printed and saved first.</summary>
    internal static int ExitCode(Models.IFittedModel model) => model.Summary.Cancelled ? 130 : 0;

    /// <summary>
    /// The settings every engine-backed fit reads the same way: --max-iter and --tol (defaults:
    /// the model's), --n-init, --seed, --backend, --device-memory-limit, and the run's progress.
    /// </summary>
    internal static T WithRunOptions<T>(this T options, Arguments a, CliContext context)
        where T : Em.EmOptions
    {
        if (a.Choice("restart-strategy", Em.RestartStrategy.Independent, Strategies) != Em.RestartStrategy.ShortRuns
            && ShortRunOptions.FirstOrDefault(o => a.Text(o) is not null) is { } shortOnly)
            throw new UsageException($"--{shortOnly} applies to --restart-strategy short-runs only");
        int maxIterations = a.Int("max-iter", options.MaxIterations, minimum: 0);
        var run = (T)(options with
        {
            MaxIterations = maxIterations,
            Tolerance = a.Double("tol", options.Tolerance, minimum: 0),
            Restarts = a.Int("n-init", 1, minimum: 1),
            RestartStrategy = a.Choice("restart-strategy", Em.RestartStrategy.Independent, Strategies),
            ShortRunStarts = a.Int("short-runs", 0, minimum: 1),
            ShortRunIterations = a.Int("short-iter", options.ShortRunIterations, minimum: 1),
            ShortRunsContinued = a.Int("short-continue", 0, minimum: 1),
            Seed = a.Int("seed", 0),
            Backend = a.Choice("backend", Backend.Auto, Arguments.Backends),
            DeviceMemoryLimit = DeviceMemoryLimit(a),
            Progress = context.Progress(maxIterations),
        });
        return run;
    }

    /// <summary>
    /// With --backend auto (the default), one line on stderr naming the device the fit will run
    /// on, resolved as the fit resolves it; --quiet suppresses it. Called once the input is read,
    /// just before the fit, so that an input error stays the only line.
    /// </summary>
    internal static void AnnounceDevice(Backend backend, Arguments a, CliContext context)
    {
        if (backend != Backend.Auto || a.Flag("quiet"))
            return;
        (Backend chosen, string device) = Devices.Resolve(Backend.Auto);
        string option = Arguments.Backends.First(p => p.Value == chosen).Key;
        context.Error.WriteLine(chosen == Backend.Reference
            ? $"gpuem: --backend auto: no usable CUDA or OpenCL device, running on the {device} (`gpuem devices` says why)"
            : $"gpuem: --backend auto: running on {option} device '{device}'");
    }

    // --device-memory-limit BYTES: a positive integer, or null when absent.
    internal static long? DeviceMemoryLimit(Arguments a) => a.DeviceMemoryLimit();

    // Option errors found by the estimator are usage errors (exit 2), not data errors.
    internal static T Validated<T>(Func<T> create)
    {
        try
        {
            return create();
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(CliErrors.Describe(ex));
        }
    }

    internal static int Help(TextWriter stdout, string text)
    {
        stdout.WriteLine(text);
        return 0;
    }

    internal static HashSet<string> Set(params string[] names) => new(names, StringComparer.Ordinal);

    private static readonly string[] ShortRunOptions = ["short-runs", "short-iter", "short-continue"];

    /// <summary>The restart-search options every EM fit command takes (<see cref="WithRunOptions"/>).</summary>
    internal static readonly string[] SearchOptions = ["restart-strategy", .. ShortRunOptions];

    private static readonly IReadOnlyDictionary<string, Em.RestartStrategy> Strategies = new Dictionary<string, Em.RestartStrategy>
    {
        ["independent"] = Em.RestartStrategy.Independent,
        ["short-runs"] = Em.RestartStrategy.ShortRuns,
    };

    /// <summary>The help paragraph of the restart-search options.</summary>
    internal const string SearchHelp = """
        Restarts: --n-init R independent starts (the best wins), or with --restart-strategy
        short-runs short-run selection (emEM): --short-runs N starts (default 4·R) of --short-iter I
        iterations each (default 5), the best --short-continue M of them (default ⌈R / 4⌉) then run
        on to convergence, the best of those winning; each continued run is the run its start makes
        alone. eSteps in the output counts the E-steps of the whole fit, for comparing the two.
        """;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    internal static string WriteJson(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    internal static void WriteArray(Utf8JsonWriter j, string name, double[] values)
    {
        j.WriteStartArray(name);
        foreach (double v in values)
            j.WriteNumberValue(v);
        j.WriteEndArray();
    }

    /// <summary>The fit-summary fields every model's JSON carries.</summary>
    internal static void WriteSummary(Utf8JsonWriter j, Em.FitSummary summary)
    {
        summary.WriteTo(j);
        j.WriteNumber("objective", summary.Objective);
        if (summary.EStepsRun > 0)
            j.WriteNumber("eSteps", summary.EStepsRun);
    }

    internal static void WriteMatrix(Utf8JsonWriter j, string name, double[,] values)
    {
        j.WritePropertyName(name);
        WriteRows(j, values);
    }

    private static void WriteRows(Utf8JsonWriter j, double[,] values)
    {
        j.WriteStartArray();
        for (int r = 0; r < values.GetLength(0); r++)
        {
            j.WriteStartArray();
            for (int c = 0; c < values.GetLength(1); c++)
                j.WriteNumberValue(values[r, c]);
            j.WriteEndArray();
        }
        j.WriteEndArray();
    }
}
