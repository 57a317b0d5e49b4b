using System.Globalization;
using System.Text;
using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Models;
using GpuEm.Models.GaussianMixture;
using GpuEm.Persistence;

namespace GpuEm.Cli;

/// <summary>Commands that use saved models, compare models, or describe the machine.</summary>
internal static class ModelCommands
{
    private const string PredictHelp = """
        usage: gpuem predict --model MODEL.json --input FILE [--columns D|NAME,…] [--header] [--delimiter C]
                             [--proba] [--missing error|marginalize] [--output FILE]

        Prints one label per line for each row of FILE (a mixture's most probable component —
        Gaussian, Bernoulli or categorical — or k-means' nearest centre). --proba prints one CSV
        row of k probabilities per point instead (mixtures only). --output writes them to a file
        instead of stdout (probabilities under a header row p0,p1,…), replaced whole when done;
        its folder is checked before the model is read. MODEL.json comes from `gpuem
        fit|kmeans|bernoulli|categorical --output`. Mixtures accept empty or NaN cells (NaN values
        in binary files) as missing values with --missing marginalize.
        """ + "\n\n" + InputFile.Help;

    private const string ScoreHelp = """
        usage: gpuem score --model MODEL.json --input FILE [--columns D|NAME,…] [--header] [--delimiter C]
                           [--missing error|marginalize]

        Prints one JSON object: n, model (its format), and for a mixture meanLogLikelihood,
        logLikelihood, bic, aic (lower criteria are better); for k-means inertia (Σ squared
        distances to the nearest centre) and score (−inertia). Files are scored in one pass,
        chunk by chunk. A coarsened categorical model scores observations instead: `gpuem
        coarsened score`.
        """ + "\n\n" + InputFile.Help;

    private const string SelectHelp = """
        usage: gpuem select --input FILE [--columns D|NAME,…] [--header] [--delimiter C] [--k-min 1] [--k-max 9] [--covariance full,diag,spherical,tied]
                            [--criterion bic|aic] [--n-init R] [--seed S] [--backend B] [--output best.json]
                            [--plot bic.png]

        Fits a Gaussian mixture for every k and covariance type and prints the CSV table on stdout
        (one row per candidate: covariance, k, logLikelihood, bic, aic, converged true|false, error);
        the best by the criterion (lower is better) goes to stderr as "gpuem: best: …". --output saves the best model; --plot draws the criterion
        against k, one line per covariance type.
        """ + "\n\n" + InputFile.Help;

    private const string DevicesHelp = """
        usage: gpuem devices

        Lists every device ILGPU sees (memory in binary units), whether GpuEm can use it and why
        not when it cannot; when CUDA or OpenCL has no usable device, says why (no driver, a
        driver without devices, devices that fail to open); last, the device --backend auto uses.
        """;

    private const string InfoHelp = """
        usage: gpuem info --model MODEL.json

        Prints one JSON object describing a saved model of any kind: file, format, kind, how its
        fit ran (iterations, converged, cancelled, backend, device, seconds, objective), then the
        model's own fields (sizes, settings, weights).
        """;

    public static int Predict(string[] args, CliContext context)
    {
        var a = new Arguments(args, Set("model", "input", "columns", "delimiter", "missing", "output"), InputFile.Flags("proba"));
        if (a.Flag("help"))
            return Help(context.Out, PredictHelp);
        string? output = a.Output(a.Text("model"), a.Text("input"));
        using Input input = Input.Open<IClusteringModel>(a, context, model =>
            $"a {model.Kind} model does not label rows; predict needs a clustering model (Gaussian, Bernoulli or categorical mixture, k-means)");
        var clustering = (IClusteringModel)input.Model;
        IDataSource source = input.Source;
        IFittedModel model = input.Model;
        if (a.Flag("proba"))
        {
            var probabilistic = clustering as IProbabilisticClusteringModel
                ?? throw new UsageException(
                    $"a {model.Kind} model has no probabilities (it assigns hard labels); use a mixture model for --proba");
            return Write(output, context.Out, writer =>
            {
                if (output is not null)
                    writer.Write(string.Join(',', Enumerable.Range(0, probabilistic.ClusterCount).Select(c => $"p{c}")) + "\n");
                InputFile.Read(source, () => WriteProbabilities(probabilistic, source, writer));
            });
        }
        int[] labels = InputFile.Read(source, () => clustering.Predict(source));
        return Write(output, context.Out, writer =>
        {
            var text = new StringBuilder();
            for (int start = 0; start < labels.Length; start += ChunkRows)
            {
                for (int i = start; i < Math.Min(labels.Length, start + ChunkRows); i++)
                    text.Append(labels[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
                writer.Write(text.ToString());
                text.Clear();
            }
        });
    }

    // The results to stdout, or to --output FILE replaced whole (never left half-written).
    private static int Write(string? output, TextWriter stdout, Action<TextWriter> write)
    {
        if (output is null)
            write(stdout);
        else
            AtomicFile.Write(output, write);
        return 0;
    }

    private const int ChunkRows = 65536;

    // One CSV row of k probabilities per point, written chunk by chunk as they are computed.
    private static int WriteProbabilities(IProbabilisticClusteringModel model, IDataSource source, TextWriter stdout)
    {
        var text = new StringBuilder();
        for (long first = 0; first < source.RowCount; first += ChunkRows)
        {
            int rows = (int)Math.Min(ChunkRows, source.RowCount - first);
            double[,] probabilities = model.PredictProba(source, first, rows);
            for (int i = 0; i < rows; i++)
            {
                for (int c = 0; c < probabilities.GetLength(1); c++)
                {
                    if (c > 0)
                        text.Append(',');
                    text.Append(probabilities[i, c].ToString("R", CultureInfo.InvariantCulture));
                }
                text.Append('\n');
            }
            stdout.Write(text.ToString());
            text.Clear();
        }
        return 0;
    }

    public static int Score(string[] args, CliContext context)
    {
        var a = new Arguments(args, Set("model", "input", "columns", "delimiter", "missing"), InputFile.Flags());
        if (a.Flag("help"))
            return Help(context.Out, ScoreHelp);
        using Input input = Input.Open<IRowModel>(a, context, model => $"a {model.Kind} model does not score rows; {ScoreElsewhere(model)}");
        var rows = (IRowModel)input.Model;
        IDataSource source = input.Source;
        IFittedModel model = input.Model;
        ModelScore score = InputFile.Read(source, () => rows.Evaluate(source));
        context.Out.WriteLine(Commands.WriteJson(j =>
        {
            j.WriteNumber("n", score.Rows);
            j.WriteString("model", model.Format);
            foreach ((string name, double value) in score.Measures)
                j.WriteNumber(name, value);
        }));
        return 0;
    }

    // Where a model that takes no rows is scored.
    private static string ScoreElsewhere(IFittedModel model) =>
        model.Format switch
        {
            Models.CoarsenedCategorical.CoarsenedCategoricalModel.FormatName =>
                "score its observations with `gpuem coarsened score --model MODEL.json --input OBSERVATIONS.csv`",
            Models.Topics.TopicModel.FormatName => "score documents with `gpuem topics perplexity --model MODEL.json --input FILE`",
            _ => "this command scores row models only",
        };

    public static int Info(string[] args, CliContext context)
    {
        var a = new Arguments(args, Set("model"), Flags());
        if (a.Flag("help"))
            return Help(context.Out, InfoHelp);
        string modelFile = a.Required("model");
        IFittedModel model = ModelFile.Load(modelFile);
        context.Out.WriteLine(Commands.WriteJson(j =>
        {
            j.WriteString("file", modelFile);
            j.WriteString("format", model.Format);
            j.WriteString("kind", model.Kind);
            Commands.WriteSummary(j, model.Summary);
            model.Describe(j);
        }));
        return 0;
    }

    /// <summary>
    /// The --model and --input of predict and score. Usage errors of the input (--columns) come
    /// before the model file is read, and what the model cannot do before a CSV is parsed; a
    /// binary input is mapped (checked finite as rows are read unless --missing marginalize), a
    /// CSV read whole (empty cells and NaN only under --missing marginalize).
    /// </summary>
    private sealed class Input(IFittedModel model, IDataSource source) : IDisposable
    {
        public IFittedModel Model { get; } = model;

        public IDataSource Source { get; } = source;

        public static Input Open<TCapability>(Arguments a, CliContext context, Func<IFittedModel, string> cannot)
        {
            string modelFile = a.Required("model");
            bool marginalize = Marginalize(a);
            IDataSource? binary = OpenSource(a, marginalize);
            try
            {
                IFittedModel model = ModelFile.Load(modelFile);
                if (model is not TCapability || model is not IRowModel rows)
                    throw new UsageException(cannot(model));
                IDataSource source = binary ?? new ArrayDataSource(InputFile.ReadCsv(a.Required("input"), a, context, marginalize));
                if (source.ColumnCount != rows.Dimension)
                    throw new InvalidDataException(
                        $"{source.Description} has {source.ColumnCount} columns but the model was fitted on {rows.Dimension}.");
                return new Input(model, source);
            }
            catch
            {
                binary?.Dispose();
                throw;
            }
        }

        public void Dispose() => Source.Dispose();
    }

    // A binary --input (null for CSV); under --missing error its values are checked finite as
    // they are read, as the CSV reader checks its cells.
    private static IDataSource? OpenSource(Arguments a, bool marginalize)
    {
        string input = a.Required("input");
        IDataSource? source = InputFile.Open(input, a);
        return source is null || marginalize ? source : new FiniteDataSource(source);
    }

    public static int Select(string[] args, CliContext context)
    {
        TextWriter stdout = context.Out;
        var a = new Arguments(args, Set("input", "columns", "delimiter", "k-min", "k-max", "covariance", "criterion", "n-init", "seed", "backend", "output", "plot"), InputFile.Flags());
        if (a.Flag("help"))
            return Help(stdout, SelectHelp);
        int kMin = a.Int("k-min", 1, minimum: 1);
        int kMax = a.Int("k-max", 9, minimum: 1);
        if (kMin < 1 || kMax < kMin)
            throw new UsageException($"--k-min {kMin} and --k-max {kMax} must satisfy 1 ≤ k-min ≤ k-max");
        CovarianceType[] types = (a.Text("covariance") ?? "full,diag,spherical,tied")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => Commands.CovarianceChoices.TryGetValue(t, out CovarianceType type)
                ? type
                : throw new UsageException($"--covariance '{t}' is not one of {string.Join(", ", Commands.CovarianceChoices.Keys)}"))
            .ToArray();
        SelectionCriterion criterion = a.Choice("criterion", SelectionCriterion.Bic, new Dictionary<string, SelectionCriterion>
        {
            ["bic"] = SelectionCriterion.Bic,
            ["aic"] = SelectionCriterion.Aic,
        });
        var options = new GaussianMixtureOptions
        {
            Restarts = a.Int("n-init", 1, minimum: 1),
            Seed = a.Int("seed", 0),
            Backend = a.Choice("backend", Backend.Auto, Arguments.Backends),
            Progress = context.Progress(),
        };
        string? output = a.Output(a.Text("input"));
        float[,] data = InputFile.ReadMatrix(a.Required("input"), a, context, allowMissing: false);
        Commands.AnnounceDevice(options.Backend, a, context);
        ModelSelectionResult result = context.Show(() => GaussianMixture.SelectComponents(
            data, Enumerable.Range(kMin, kMax - kMin + 1), types, criterion, options));
        stdout.WriteLine("covariance,k,logLikelihood,bic,aic,converged,error");
        foreach (ModelSelectionCandidate c in result.Candidates)
        {
            string name = Commands.CovarianceChoices.First(p => p.Value == c.CovarianceType).Key;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name},{c.ComponentCount},{c.LogLikelihood:R},{c.Bic:R},{c.Aic:R},{(c.Converged ? "true" : "false")},{Quote(c.Error is null ? null : CliErrors.Describe(c.Error))}"));
        }
        // The choice goes to stderr: stdout stays one CSV table a program can read.
        string best = Commands.CovarianceChoices.First(p => p.Value == result.Best.CovarianceType).Key;
        context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gpuem: best: {best}, k = {result.Best.ComponentCount} ({criterion.ToString().ToUpperInvariant()} {(criterion == SelectionCriterion.Bic ? result.Best.Bic : result.Best.Aic):F4})"));
        if (output is not null)
            result.BestModel.Save(output);
        if (a.Text("plot") is { } plot)
            PlotCommands.Selection(result, plot);
        return 0;
    }

    public static int ListDevices(string[] args, CliContext context)
    {
        TextWriter stdout = context.Out;
        var a = new Arguments(args, Set(), Flags());
        if (a.Flag("help"))
            return Help(stdout, DevicesHelp);
        IReadOnlyList<DeviceInfo> devices = Devices.List();
        foreach (DeviceInfo device in devices)
        {
            string state = device.Backend == Backend.CpuAccelerator
                ? "usable (an emulator for tests; Auto never picks it)"
                : device.Usable ? "usable" : $"not usable: {device.Notice}";
            // ILGPU's CPU accelerator reports no real memory size (2^63 bytes): it uses the host's.
            string memory = device.Backend == Backend.CpuAccelerator ? "host memory" : HumanBytes(device.MemoryBytes);
            stdout.WriteLine($"{device.Backend}: {device.Name}, {memory}, {state}");
        }
        stdout.WriteLine($"Reference: CPU reference engine (float64, {Environment.ProcessorCount} threads), usable");
        foreach ((Backend backend, string why) in Missing(devices))
            stdout.WriteLine($"{backend}: no usable device: {why}");
        DeviceInfo? auto = devices.FirstOrDefault(d => d.Backend == Backend.Cuda && d.Usable)
            ?? devices.FirstOrDefault(d => d.Backend == Backend.OpenCL && d.Usable);
        stdout.WriteLine(auto is null
            ? "--backend auto uses: the CPU reference engine"
            : $"--backend auto uses: {auto.Backend} device '{auto.Name}'");
        return 0;
    }

    /// <summary>1,536 → "1.5 KiB"; binary units, one decimal.</summary>
    internal static string HumanBytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:F1} {units[unit]}");
    }

    // Why CUDA or OpenCL has no usable device, when the list does not already say (a listed device
    // that cannot open carries its own reason): no driver library, or a driver without devices.
    private static IEnumerable<(Backend Backend, string Why)> Missing(IReadOnlyList<DeviceInfo> devices)
    {
        if (!devices.Any(d => d.Backend == Backend.Cuda))
        {
            string[] libraries = OperatingSystem.IsWindows() ? ["nvcuda.dll"] : ["libcuda.so.1", "libcuda.so"];
            yield return (Backend.Cuda, Loads(libraries)
                ? "the NVIDIA driver is installed but reports no CUDA device"
                : $"no NVIDIA driver ({libraries[0]} not found); install the NVIDIA driver for a CUDA GPU");
        }
        if (!devices.Any(d => d.Backend == Backend.OpenCL))
        {
            string[] libraries = OperatingSystem.IsWindows() ? ["OpenCL.dll"]
                : OperatingSystem.IsMacOS() ? ["/System/Library/Frameworks/OpenCL.framework/OpenCL"]
                : ["libOpenCL.so.1", "libOpenCL.so"];
            yield return (Backend.OpenCL, Loads(libraries)
                ? "the OpenCL loader finds no platform with a device (install the GPU vendor's OpenCL driver)"
                : $"no OpenCL loader ({libraries[0]} not found)");
        }
        else if (devices.Where(d => d.Backend == Backend.OpenCL).All(d => !d.Usable))
        {
            yield return (Backend.OpenCL,
                "every OpenCL device failed to open (PoCL's CPU device, for one, lacks the generic address space ILGPU needs)");
        }
    }

    private static bool Loads(string[] libraries)
    {
        foreach (string library in libraries)
        {
            if (System.Runtime.InteropServices.NativeLibrary.TryLoad(library, out IntPtr handle))
            {
                System.Runtime.InteropServices.NativeLibrary.Free(handle);
                return true;
            }
        }
        return false;
    }

    internal static bool Marginalize(Arguments a) =>
        a.Choice("missing", MissingValues.Error, new Dictionary<string, MissingValues>
        {
            ["error"] = MissingValues.Error,
            ["marginalize"] = MissingValues.Marginalize,
        }) == MissingValues.Marginalize;

    private static string Quote(string? text) =>
        text is null ? "" : "\"" + text.ReplaceLineEndings(" ").Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static int Help(TextWriter stdout, string text)
    {
        stdout.WriteLine(text);
        return 0;
    }

    private static HashSet<string> Set(params string[] names) => new(names, StringComparer.Ordinal);

    private static HashSet<string> Flags(params string[] names) => new(names, StringComparer.Ordinal);
}
