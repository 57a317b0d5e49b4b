using System.Globalization;
using System.Text;
using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;
using GpuEm.Persistence;

namespace GpuEm.Cli;

/// <summary>Commands that use saved models, compare models, or describe the machine.</summary>
internal static class ModelCommands
{
    private const string PredictHelp = """
        usage: gpuem predict --model MODEL.json --input FILE.csv|FILE.npy|FILE.f32 [--columns D]
                             [--proba] [--missing error|marginalize]

        Prints one label per line for each row of FILE (a Gaussian mixture's most probable
        component, or k-means' nearest centre). --proba prints one CSV row of k probabilities per
        point instead (mixtures only). MODEL.json comes from `gpuem fit|kmeans --output`. Mixtures
        accept empty or NaN cells (NaN values in binary files) with --missing marginalize.
        """ + "\n\n" + InputFile.Help;

    private const string ScoreHelp = """
        usage: gpuem score --model MODEL.json --input FILE.csv|FILE.npy|FILE.f32 [--columns D]
                           [--missing error|marginalize]

        Prints one JSON object: n, and for a mixture meanLogLikelihood, logLikelihood, bic, aic; for
        k-means inertia (Σ squared distances to the nearest centre) and score (−inertia). Binary
        files are scored in one pass, chunk by chunk.
        """ + "\n\n" + InputFile.Help;

    private const string SelectHelp = """
        usage: gpuem select --input FILE.csv [--k-min 1] [--k-max 9] [--covariance full,diag,spherical,tied]
                            [--criterion bic|aic] [--n-init R] [--seed S] [--backend B] [--output best.json]
                            [--plot bic.png]

        Fits a Gaussian mixture for every k and covariance type and prints the table (one row per
        candidate: covariance, k, logLikelihood, bic, aic, converged or the error), then the best by
        the criterion (lower is better). --output saves the best model; --plot draws the criterion
        against k, one line per covariance type.
        """;

    private const string DevicesHelp = """
        usage: gpuem devices

        Lists every device ILGPU sees, whether GpuEm can use it, and why not when it cannot.
        """;

    public static int Predict(string[] args, TextWriter stdout)
    {
        var a = new Arguments(args, Set("model", "input", "columns", "missing"), Flags("proba"));
        if (a.Flag("help"))
            return Help(stdout, PredictHelp);
        string modelFile = a.Required("model");
        // Usage errors of the input (--columns) come before the model file is read.
        using IDataSource? source = OpenSource(a);
        object model = ModelFile.Load(modelFile);
        if (source is not null)
        {
            return InputFile.Read(source, () => PredictSource(model, source, a.Flag("proba"), stdout));
        }
        float[,] data = CsvMatrixReader.Read(a.Required("input"), Marginalize(a));
        var text = new StringBuilder();
        switch (model)
        {
            case GaussianMixtureModel mixture when a.Flag("proba"):
                double[,] proba = mixture.PredictProba(data);
                for (int i = 0; i < proba.GetLength(0); i++)
                {
                    for (int c = 0; c < proba.GetLength(1); c++)
                    {
                        if (c > 0)
                            text.Append(',');
                        text.Append(proba[i, c].ToString("R", CultureInfo.InvariantCulture));
                    }
                    text.Append('\n');
                }
                break;
            case GaussianMixtureModel mixture:
                foreach (int label in mixture.Predict(data))
                    text.Append(label.ToString(CultureInfo.InvariantCulture)).Append('\n');
                break;
            case KMeansModel when a.Flag("proba"):
                throw new UsageException("--proba needs a Gaussian mixture model; k-means assigns hard labels");
            case KMeansModel kmeans:
                foreach (int label in kmeans.Predict(data))
                    text.Append(label.ToString(CultureInfo.InvariantCulture)).Append('\n');
                break;
        }
        stdout.Write(text.ToString());
        return 0;
    }

    // Labels or probabilities of a binary source, written chunk by chunk as they are computed.
    private static int PredictSource(object model, IDataSource source, bool proba, TextWriter stdout)
    {
        RequireColumns(model, source);
        var text = new StringBuilder();
        if (proba)
        {
            if (model is not GaussianMixtureModel mixture)
                throw new UsageException("--proba needs a Gaussian mixture model; k-means assigns hard labels");
            const int ChunkRows = 65536;
            int d = mixture.Dimension;
            var buffer = new float[(long)Math.Min(ChunkRows, source.RowCount) * d];
            for (long first = 0; first < source.RowCount; first += ChunkRows)
            {
                int rows = (int)Math.Min(ChunkRows, source.RowCount - first);
                source.ReadRows(first, rows, buffer);
                double[,] probabilities = mixture.PredictProba(buffer.AsMemory(0, rows * d), rows, d);
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
        int[] labels = model is GaussianMixtureModel gmm ? gmm.Predict(source) : ((KMeansModel)model).Predict(source);
        for (int start = 0; start < labels.Length; start += 65536)
        {
            for (int i = start; i < Math.Min(labels.Length, start + 65536); i++)
                text.Append(labels[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
            stdout.Write(text.ToString());
            text.Clear();
        }
        return 0;
    }

    public static int Score(string[] args, TextWriter stdout)
    {
        var a = new Arguments(args, Set("model", "input", "columns", "missing"), Flags());
        if (a.Flag("help"))
            return Help(stdout, ScoreHelp);
        string modelFile = a.Required("model");
        // Usage errors of the input (--columns) come before the model file is read.
        using IDataSource? source = OpenSource(a);
        object model = ModelFile.Load(modelFile);
        if (source is not null)
        {
            stdout.WriteLine(InputFile.Read(source, () => ScoreSource(model, source)));
            return 0;
        }
        float[,] data = CsvMatrixReader.Read(a.Required("input"), Marginalize(a));
        stdout.WriteLine(Commands.WriteJson(j =>
        {
            j.WriteNumber("n", data.GetLength(0));
            if (model is GaussianMixtureModel mixture)
            {
                double mean = mixture.Score(data);
                j.WriteString("model", ModelFile.GaussianMixtureFormat);
                j.WriteNumber("meanLogLikelihood", mean);
                j.WriteNumber("logLikelihood", mean * data.GetLength(0));
                j.WriteNumber("bic", mixture.Bic(data));
                j.WriteNumber("aic", mixture.Aic(data));
            }
            else
            {
                var kmeans = (KMeansModel)model;
                double score = kmeans.Score(data);
                j.WriteString("model", ModelFile.KMeansFormat);
                j.WriteNumber("inertia", -score);
                j.WriteNumber("score", score);
            }
        }));
        return 0;
    }

    // The JSON of score for a binary source: one chunked pass over the file.
    private static string ScoreSource(object model, IDataSource source)
    {
        RequireColumns(model, source);
        return Commands.WriteJson(j => WriteScore(j, model, source));
    }

    private static void WriteScore(System.Text.Json.Utf8JsonWriter j, object model, IDataSource source)
    {
        j.WriteNumber("n", source.RowCount);
        if (model is GaussianMixtureModel mixture)
        {
            double mean = mixture.Score(source);
            (double bic, double aic) = Commands.Criteria(mean, source.RowCount, mixture.ParameterCount);
            j.WriteString("model", ModelFile.GaussianMixtureFormat);
            j.WriteNumber("meanLogLikelihood", mean);
            j.WriteNumber("logLikelihood", mean * source.RowCount);
            j.WriteNumber("bic", bic);
            j.WriteNumber("aic", aic);
        }
        else
        {
            double score = ((KMeansModel)model).Score(source);
            j.WriteString("model", ModelFile.KMeansFormat);
            j.WriteNumber("inertia", -score);
            j.WriteNumber("score", score);
        }
    }

    private static void RequireColumns(object model, IDataSource source)
    {
        int d = model is GaussianMixtureModel mixture ? mixture.Dimension : ((KMeansModel)model).Dimension;
        if (source.ColumnCount != d)
            throw new InvalidDataException($"{source.Description} has {source.ColumnCount} columns but the model was fitted on {d}.");
    }

    // A binary --input (null for CSV); under --missing error its values are checked finite as
    // they are read, as the CSV reader checks its cells.
    private static IDataSource? OpenSource(Arguments a)
    {
        string input = a.Required("input");
        bool marginalize = InputFile.IsBinary(input) && Marginalize(a);
        IDataSource? source = InputFile.Open(input, a);
        return source is null || marginalize ? source : new FiniteDataSource(source);
    }

    public static int Select(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var a = new Arguments(args, Set("input", "k-min", "k-max", "covariance", "criterion", "n-init", "seed", "backend", "output", "plot"), Flags());
        if (a.Flag("help"))
            return Help(stdout, SelectHelp);
        int kMin = a.Int("k-min", 1);
        int kMax = a.Int("k-max", 9);
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
            Restarts = a.Int("n-init", 1),
            Seed = a.Int("seed", 0),
            Backend = a.Choice("backend", Backend.Auto, Arguments.Backends),
            Progress = CliApp.Warnings(stderr),
        };
        float[,] data = CsvMatrixReader.Read(InputFile.RequireCsv(a.Required("input"), "select"));
        ModelSelectionResult result = GaussianMixture.SelectComponents(
            data, Enumerable.Range(kMin, kMax - kMin + 1), types, criterion, options);
        stdout.WriteLine("covariance,k,logLikelihood,bic,aic,converged,error");
        foreach (ModelSelectionCandidate c in result.Candidates)
        {
            string name = Commands.CovarianceChoices.First(p => p.Value == c.CovarianceType).Key;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name},{c.ComponentCount},{c.LogLikelihood:R},{c.Bic:R},{c.Aic:R},{c.Converged},{Quote(c.Error)}"));
        }
        string best = Commands.CovarianceChoices.First(p => p.Value == result.Best.CovarianceType).Key;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"best: {best}, k = {result.Best.ComponentCount} ({criterion.ToString().ToUpperInvariant()} {(criterion == SelectionCriterion.Bic ? result.Best.Bic : result.Best.Aic):F4})"));
        if (a.Text("output") is { } output)
            result.BestModel.Save(output);
        if (a.Text("plot") is { } plot)
            PlotCommands.Selection(result, plot);
        return 0;
    }

    public static int ListDevices(string[] args, TextWriter stdout)
    {
        var a = new Arguments(args, Set(), Flags());
        if (a.Flag("help"))
            return Help(stdout, DevicesHelp);
        foreach (DeviceInfo device in Devices.List())
        {
            string state = device.Backend == Backend.CpuAccelerator
                ? "usable (an emulator for tests; Auto never picks it)"
                : device.Usable ? "usable" : $"not usable: {device.Notice}";
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{device.Backend}: {device.Name}, {device.MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB, {state}"));
        }
        stdout.WriteLine($"Reference: CPU reference engine (float64, {Environment.ProcessorCount} threads), usable");
        return 0;
    }

    private static bool Marginalize(Arguments a) =>
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

    private static HashSet<string> Flags(params string[] names) => new(names.Append("help").Append("verbose"), StringComparer.Ordinal);
}
