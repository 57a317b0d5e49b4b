using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuEm.Cli.PlotViews;
using GpuEm.Data;
using GpuEm.Models.HiddenMarkov;
using GpuEm.Persistence;

namespace GpuEm.Cli;

/// <summary>
/// <c>gpuem hmm fit|decode|score|sample</c>: hidden Markov models (<see cref="HiddenMarkov"/>)
/// fitted to, run on, and drawn from sequences of rows; <c>--lengths FILE</c> cuts the rows into
/// sequences (<see cref="SequenceLengths"/>).
/// </summary>
internal static class HmmCommands
{
    private const string Help = """
        usage: gpuem hmm fit --input FILE [--columns D|NAME,…] [--header] [--delimiter C] [--lengths FILE]
                             --states K --emission gaussian|gmm|categorical|poisson
                             [--covariance full|diag|spherical|tied] [--mixture-components M] [--symbols M]
                             [--topology full|left-right] [--max-jump J] [--missing error|marginalize]
                             [--n-init R] [--seed S] [--tol T] [--max-iter N] [--reg R]
                             [--backend auto|cuda|opencl|cpu-accelerator|reference]
                             [--device-memory-limit BYTES] [--output model.json]
                             [--restart-strategy independent|short-runs] [--short-runs N]
                             [--short-iter I] [--short-continue M]
               gpuem hmm decode --model MODEL.json --input FILE [--lengths FILE] [--proba]
                                [--missing error|marginalize] [--backend B] [--device-memory-limit BYTES]
                                [--output FILE]
               gpuem hmm score --model MODEL.json --input FILE [--lengths FILE] [--missing error|marginalize]
               gpuem hmm sample --model MODEL.json (--lengths FILE | --length T [--sequences S])
                                [--seed S] [--output rows.csv] [--states-output states.txt]

        A hidden Markov model of K states, fitted by Baum-Welch. FILE holds one observation (step)
        per row; --lengths FILE holds one sequence length per line (whole numbers ≥ 1, summing to
        the rows; blank lines and # lines skipped), the sequences' rows concatenated in order;
        without it the rows are one sequence. Emissions: gaussian (one Gaussian per state,
        --covariance, default diag), gmm (--mixture-components Gaussians per state, default 2),
        categorical (one column of symbols 0 … M − 1; --symbols M, default the largest + 1),
        poisson (counts, whole numbers ≥ 0, independent per column). --topology left-right allows
        only i → j ≥ i (at most --max-jump J ahead) and starts every sequence in state 0.
        --missing marginalize reads empty cells and NaN as missing: a row of only NaN is a step
        without observation; gaussian and gmm also marginalize partly missing rows. --reg adds to
        the diagonal of every covariance. Defaults: 100 iterations, tol 1e-4 on the change of the
        log-likelihood per observed step, 1 start, seed 0, reg 1e-6, auto.

        fit prints one JSON object: model, n, the fit's converged, cancelled, iterations,
        backend, device, seconds, objective, then topology, states, dimension, emission
        (covariance, mixtureComponents, symbols as apply), sequences, observedSteps,
        logLikelihood (total, natural log), freeParameters, startProbabilities, meanLogLikelihood,
        bic, aic, transitionMatrix ([i][j] = p(j next | i)) and the emission parameters: means and
        covariances (gaussian, gmm: one per state and Gaussian, row k·M + m), mixtureWeights
        (gmm), emissionProbabilities (categorical), rates (poisson). --output saves the model file
        (for hmm decode|score|sample and gpuem info|plot|score --model).
        decode prints the Viterbi state of each row, one per line; --proba prints each row's
        posterior state probabilities as CSV instead (with --output, under a header p0,p1,…).
        decode's --backend (default reference: float64 on the host) runs Viterbi on a device:
        float32 emissions, float64 sums, long sequences parallel in time; auto falls back to the
        reference where the device does not run the model. --proba always runs on the host.
        score prints one JSON object: model, n, sequences, observedSteps, logLikelihood,
        meanLogLikelihood, bic, aic, sequenceLogLikelihoods. sample draws sequences (--lengths
        FILE, or --sequences S of --length T steps, default 1 sequence) and prints their rows as
        CSV (--output rows.csv writes them; --states-output writes the hidden states, one per line).
        """ + "\n\n" + Commands.SearchHelp + "\n\n" + InputFile.Help;

    private static readonly IReadOnlyDictionary<string, HmmEmission> Emissions = new Dictionary<string, HmmEmission>
    {
        ["gaussian"] = HmmEmission.Gaussian,
        ["gmm"] = HmmEmission.GaussianMixture,
        ["categorical"] = HmmEmission.Categorical,
        ["poisson"] = HmmEmission.Poisson,
    };

    private static readonly IReadOnlyDictionary<string, HmmTopology> Topologies = new Dictionary<string, HmmTopology>
    {
        ["full"] = HmmTopology.Full,
        ["left-right"] = HmmTopology.LeftRight,
    };

    public static int Run(string[] args, CliContext context)
    {
        if (args.Length > 0)
        {
            switch (args[0])
            {
                case "fit":
                    return Fit(args[1..], context);
                case "decode":
                    return Decode(args[1..], context);
                case "score":
                    return Score(args[1..], context);
                case "sample":
                    return Sample(args[1..], context);
            }
        }
        var a = new Arguments(args, Commands.Set(), InputFile.Flags());
        if (a.Flag("help"))
            return Commands.Help(context.Out, Help);
        throw new UsageException("gpuem hmm needs a subcommand: fit, decode, score or sample (see gpuem hmm --help)");
    }

    private static int Fit(string[] args, CliContext context)
    {
        var a = new Arguments(args, Commands.Set(
            [.. Commands.SearchOptions, "input", "columns", "delimiter", "lengths", "states", "emission", "covariance", "mixture-components",
                "symbols", "topology", "max-jump", "missing", "n-init", "seed", "tol", "max-iter", "reg", "backend", "device-memory-limit", "output"]),
            InputFile.Flags());
        if (a.Flag("help"))
            return Commands.Help(context.Out, Help);
        string input = a.Required("input");
        string? output = a.Output(input, a.Text("lengths"));
        int states = a.RequiredInt("states", 1, "K");
        HmmEmission emission = a.Text("emission") is null
            ? throw new UsageException($"--emission is required: one of {string.Join(", ", Emissions.Keys)}")
            : a.Choice("emission", HmmEmission.Gaussian, Emissions);
        bool gaussian = emission is HmmEmission.Gaussian or HmmEmission.GaussianMixture;
        RequireFor(a, "covariance", gaussian, "gaussian and gmm emissions");
        RequireFor(a, "reg", gaussian, "gaussian and gmm emissions");
        RequireFor(a, "mixture-components", emission == HmmEmission.GaussianMixture, "gmm emissions");
        RequireFor(a, "symbols", emission == HmmEmission.Categorical, "categorical emissions");
        HmmTopology topology = a.Choice("topology", HmmTopology.Full, Topologies);
        RequireFor(a, "max-jump", topology == HmmTopology.LeftRight, "--topology left-right");
        bool marginalize = ModelCommands.Marginalize(a);
        var defaults = new HiddenMarkovOptions(states);
        HiddenMarkovOptions options = new HiddenMarkovOptions(states)
        {
            Emission = emission,
            Covariance = a.Choice("covariance", defaults.Covariance, Commands.CovarianceChoices),
            MixtureComponents = a.Int("mixture-components", defaults.MixtureComponents, minimum: 1),
            Symbols = a.Text("symbols") is null ? null : a.Int("symbols", 1, minimum: 1),
            Topology = topology,
            MaxJump = a.Text("max-jump") is null ? null : a.Int("max-jump", 1, minimum: 1),
            CovarianceRegularization = a.Double("reg", HiddenMarkovOptions.Defaults.CovarianceRegularization, minimum: 0),
            Missing = marginalize ? MissingValues.Marginalize : MissingValues.Error,
        }.WithRunOptions(a, context);

        using IDataSource source = InputFile.Open(input, a) ?? new ArrayDataSource(InputFile.ReadCsv(input, a, context, marginalize));
        int[]? lengths = a.Text("lengths") is { } lengthsFile ? SequenceLengths.ReadFor(lengthsFile, source.RowCount, input) : null;
        Commands.AnnounceDevice(options.Backend, a, context);
        string hint = marginalize ? "" : " (For missing values use --missing marginalize.)";
        HiddenMarkovModel model = context.Show(() => Data(input, source, () =>
            HiddenMarkov.Fit(source, lengths, options, cancellationToken: context.Cancellation), hint));
        // The criteria from the fit's own log-likelihood over its observed steps (as Bic/Aic).
        double meanLogLikelihood = model.LogLikelihood / model.ObservedSteps;
        context.Out.WriteLine(Commands.WriteJson(j =>
        {
            j.WriteString("model", model.Format);
            j.WriteNumber("n", source.RowCount);
            Commands.WriteSummary(j, model.Summary);
            j.WriteString("topology", Topologies.First(p => p.Value == topology).Key);
            model.Describe(j);
            j.WriteNumber("meanLogLikelihood", meanLogLikelihood);
            j.WriteNumber("bic", Bic(model, model.LogLikelihood, model.ObservedSteps));
            j.WriteNumber("aic", Aic(model, model.LogLikelihood));
            Commands.WriteMatrix(j, "transitionMatrix", model.TransitionMatrix);
            WriteEmissions(j, model);
        }));
        if (output is not null)
            model.Save(output);
        return Commands.ExitCode(model);
    }

    private static int Decode(string[] args, CliContext context)
    {
        var a = new Arguments(
            args, Commands.Set("model", "input", "columns", "delimiter", "lengths", "missing", "backend", "device-memory-limit", "output"),
            InputFile.Flags("proba"));
        if (a.Flag("help"))
            return Commands.Help(context.Out, Help);
        string input = a.Required("input");
        var decoding = new HmmDecodeOptions
        {
            Backend = a.Choice("backend", Backend.Reference, Arguments.Backends),
            DeviceMemoryLimit = Commands.DeviceMemoryLimit(a),
            Progress = context.Progress(0),
        };
        if (a.Flag("proba") && (a.Text("backend") is not null || decoding.DeviceMemoryLimit is not null))
            throw new UsageException("--backend and --device-memory-limit apply to the Viterbi path; --proba runs on the host");
        string? output = a.Output(input, a.Text("lengths"), a.Text("model"));
        using Sequences sequences = Sequences.Open(a, context);
        HiddenMarkovModel model = sequences.Model;
        if (a.Flag("proba"))
        {
            double[,] probabilities = Data(input, sequences.Source, () => model.PredictProba(sequences.Source, sequences.Lengths));
            return Write(output, context.Out, writer =>
            {
                var text = new StringBuilder();
                if (output is not null)
                    text.Append(string.Join(',', Enumerable.Range(0, model.States).Select(k => $"p{k}"))).Append('\n');
                for (int t = 0; t < probabilities.GetLength(0); t++)
                {
                    for (int k = 0; k < probabilities.GetLength(1); k++)
                        text.Append(k > 0 ? "," : "").Append(probabilities[t, k].ToString("R", CultureInfo.InvariantCulture));
                    text.Append('\n');
                }
                writer.Write(text.ToString());
            });
        }
        HmmPath path = Data(input, sequences.Source, () => model.Decode(sequences.Source, sequences.Lengths, decoding));
        return Write(output, context.Out, writer => WriteLines(writer, path.States));
    }

    private static int Score(string[] args, CliContext context)
    {
        var a = new Arguments(args, Commands.Set("model", "input", "columns", "delimiter", "lengths", "missing"), InputFile.Flags());
        if (a.Flag("help"))
            return Commands.Help(context.Out, Help);
        string input = a.Required("input");
        using Sequences sequences = Sequences.Open(a, context);
        HiddenMarkovModel model = sequences.Model;
        HmmScore score = Data(input, sequences.Source, () => model.Score(sequences.Source, sequences.Lengths));
        context.Out.WriteLine(Commands.WriteJson(j =>
        {
            j.WriteString("model", model.Format);
            j.WriteNumber("n", sequences.Source.RowCount);
            j.WriteNumber("sequences", score.SequenceLogLikelihoods.Count);
            j.WriteNumber("observedSteps", score.ObservedSteps);
            j.WriteNumber("logLikelihood", score.LogLikelihood);
            j.WriteNumber("meanLogLikelihood", score.LogLikelihood / score.ObservedSteps);
            j.WriteNumber("bic", Bic(model, score.LogLikelihood, score.ObservedSteps));
            j.WriteNumber("aic", Aic(model, score.LogLikelihood));
            Commands.WriteArray(j, "sequenceLogLikelihoods", score.SequenceLogLikelihoods.ToArray());
        }));
        return 0;
    }

    private static int Sample(string[] args, CliContext context)
    {
        var a = new Arguments(args, Commands.Set("model", "lengths", "length", "sequences", "seed", "output", "states-output"),
            new HashSet<string>(StringComparer.Ordinal));
        if (a.Flag("help"))
            return Commands.Help(context.Out, Help);
        string modelFile = a.Required("model");
        int seed = a.Int("seed", 0);
        int? length = a.Text("length") is null ? null : a.Int("length", 1, minimum: 1);
        int? count = a.Text("sequences") is null ? null : a.Int("sequences", 1, minimum: 1);
        string? lengthsFile = a.Text("lengths");
        if (lengthsFile is not null && (length is not null || count is not null))
            throw new UsageException("give either --lengths FILE or --length T (with --sequences S), not both");
        if (lengthsFile is null && length is null)
            throw new UsageException("gpuem hmm sample needs --length T (and --sequences S) or --lengths FILE");
        if ((long)(length ?? 1) * (count ?? 1) > int.MaxValue)
            throw new UsageException($"--length {length} × --sequences {count} is more steps than one sample holds ({int.MaxValue:N0})");
        string? output = a.Output(modelFile, lengthsFile);
        string? statesOutput = a.Text("states-output");
        if (statesOutput is not null)
        {
            Figure.CheckOutput(statesOutput, "--states-output");
            if (output is not null && Path.GetFullPath(output) == Path.GetFullPath(statesOutput))
                throw new UsageException("--output and --states-output name the same file; give two files");
        }
        HiddenMarkovModel model = Load(modelFile);
        int[] lengths = lengthsFile is not null ? SequenceLengths.Read(lengthsFile) : Enumerable.Repeat(length!.Value, count ?? 1).ToArray();
        HmmSample sample = model.Sample(lengths, seed);
        Write(output, context.Out, writer =>
        {
            var text = new StringBuilder();
            for (int t = 0; t < sample.Rows.GetLength(0); t++)
            {
                for (int j = 0; j < sample.Rows.GetLength(1); j++)
                    text.Append(j > 0 ? "," : "").Append(sample.Rows[t, j].ToString("R", CultureInfo.InvariantCulture));
                text.Append('\n');
            }
            writer.Write(text.ToString());
        });
        if (statesOutput is not null)
            AtomicFile.Write(statesOutput, writer => WriteLines(writer, sample.States));
        return 0;
    }

    /// <summary>
    /// The --model, --input and --lengths of decode and score: the input's usage errors before the
    /// model is read; a binary input checked finite as it is read unless --missing marginalize.
    /// </summary>
    private sealed class Sequences(HiddenMarkovModel model, IDataSource source, int[]? lengths) : IDisposable
    {
        public HiddenMarkovModel Model { get; } = model;

        public IDataSource Source { get; } = source;

        public int[]? Lengths { get; } = lengths;

        public static Sequences Open(Arguments a, CliContext context)
        {
            string input = a.Required("input");
            string modelFile = a.Required("model");
            bool marginalize = ModelCommands.Marginalize(a);
            IDataSource? binary = InputFile.Open(input, a);
            if (binary is not null && !marginalize)
                binary = new FiniteDataSource(binary);
            try
            {
                HiddenMarkovModel model = Load(modelFile);
                IDataSource source = binary ?? new ArrayDataSource(InputFile.ReadCsv(input, a, context, marginalize));
                if (source.ColumnCount != model.Dimension)
                    throw new InvalidDataException(
                        $"{source.Description} has {source.ColumnCount} columns but the model was fitted on {model.Dimension}.");
                int[]? lengths = a.Text("lengths") is { } file ? SequenceLengths.ReadFor(file, source.RowCount, input) : null;
                return new Sequences(model, source, lengths);
            }
            catch
            {
                binary?.Dispose();
                throw;
            }
        }

        public void Dispose() => Source.Dispose();
    }

    /// <summary>A saved hidden Markov model; any other model is a usage error that says what it is.</summary>
    internal static HiddenMarkovModel Load(string path) =>
        ModelFile.Load(path) as HiddenMarkovModel is { } model
            ? model
            : throw new UsageException($"{path} is not a hidden Markov model (gpuem hmm fit --output writes one)");

    // A library data error (a symbol out of range, a negative count, K above the observed steps)
    // as a data error naming the input; the source's own errors as InputFile.Read reports them.
    private static T Data<T>(string input, IDataSource source, Func<T> work, string hint = "") =>
        OnData(input, () => InputFile.Read(source, work, hint));

    /// <summary>Runs <paramref name="work"/> over the rows of <paramref name="input"/>; the
    /// library's data errors become data errors that name the input.</summary>
    internal static T OnData<T>(string input, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (ArgumentException ex) when (ex.ParamName is "data" or "lengths" or "rows" or "source")
        {
            string name = input == "-" ? "standard input" : Path.GetFileName(input);
            throw new InvalidDataException($"{name}: {CliErrors.Describe(ex)}", ex);
        }
    }

    // --option given for a model that does not use it: a usage error.
    private static void RequireFor(Arguments a, string option, bool applies, string what)
    {
        if (!applies && a.Text(option) is not null)
            throw new UsageException($"--{option} applies to {what} only");
    }

    private static double Bic(HiddenMarkovModel model, double logLikelihood, long observed) =>
        -2 * logLikelihood + model.FreeParameterCount * Math.Log(observed);

    private static double Aic(HiddenMarkovModel model, double logLikelihood) =>
        -2 * logLikelihood + 2.0 * model.FreeParameterCount;

    private static void WriteEmissions(Utf8JsonWriter j, HiddenMarkovModel model)
    {
        if (model.Means is { } means)
            Commands.WriteMatrix(j, "means", means);
        if (model.Covariances is { } covariances)
        {
            j.WriteStartArray("covariances");
            for (int c = 0; c < covariances.GetLength(0); c++)
            {
                j.WriteStartArray();
                for (int r = 0; r < covariances.GetLength(1); r++)
                {
                    j.WriteStartArray();
                    for (int s = 0; s < covariances.GetLength(2); s++)
                        j.WriteNumberValue(covariances[c, r, s]);
                    j.WriteEndArray();
                }
                j.WriteEndArray();
            }
            j.WriteEndArray();
        }
        if (model.Emission == HmmEmission.GaussianMixture && model.MixtureWeights is { } weights)
            Commands.WriteMatrix(j, "mixtureWeights", weights);
        if (model.EmissionProbabilities is { } probabilities)
            Commands.WriteMatrix(j, "emissionProbabilities", probabilities);
        if (model.Rates is { } rates)
            Commands.WriteMatrix(j, "rates", rates);
    }

    private static void WriteLines(TextWriter writer, IReadOnlyList<int> values)
    {
        var text = new StringBuilder(values.Count * 2);
        foreach (int value in values)
            text.Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
        writer.Write(text.ToString());
    }

    // Results to stdout, or to --output FILE replaced whole.
    private static int Write(string? output, TextWriter stdout, Action<TextWriter> write)
    {
        if (output is null)
            write(stdout);
        else
            AtomicFile.Write(output, write);
        return 0;
    }
}
