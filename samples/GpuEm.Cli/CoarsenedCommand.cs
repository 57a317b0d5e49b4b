using System.Globalization;
using GpuEm.Models.CoarsenedCategorical;

namespace GpuEm.Cli;

/// <summary>
/// <c>gpuem coarsened fit|score</c>: a coarsened categorical table (cells p_c = a_c · θ_{g(c)})
/// fitted to, or scored on, a file of observations.
/// </summary>
internal static class CoarsenedCommand
{
    private const string Help = """
        usage: gpuem coarsened fit --input OBSERVATIONS.csv --coefficients A1,A2,… --groups G1,G2,…
                                   [--initial T1,T2,…] [--max-iter N] [--tol T] [--output model.json]
               gpuem coarsened score --model MODEL.json --input OBSERVATIONS.csv

        A table of C cells with probabilities p_c = a_c · θ_{g(c)}: --coefficients gives the known
        a_c ≥ 0 and --groups the group g(c) ∈ 0 … G − 1 of each cell (C values each); the fit
        finds θ by EM (Σ_c p_c = 1). --initial gives the starting θ (G values; default p_c ∝ a_c).
        Defaults: 1000 iterations, tol 1e-10 on the log-likelihood per unit count.

        OBSERVATIONS.csv has one observation per line, `COUNT,CELLS`: how many times it was seen
        (finite, ≥ 0), then the zero-based cells it could be, separated by spaces (one cell when
        fully observed, every consistent cell for a marginal). Blank lines and lines starting
        with # are skipped. Example (the ski-centre table, cells 2t + s): `12,0` and `7,0 1`.

        fit prints one JSON object: model, observations, totalCount, iterations, converged,
        cancelled, backend, device, seconds, objective (the log-likelihood Σ count · ln Σ p_c),
        then the model's cells, groups, groupParameters and cellProbabilities; --output saves
        the model file. score prints observations and logLikelihood under a saved model.
        """;

    public static int Run(string[] args, CliContext context)
    {
        if (args.Length > 0 && args[0] is "fit" or "score")
            return args[0] == "fit" ? Fit(args[1..], context) : Score(args[1..], context);
        var a = new Arguments(args, Commands.Set(), new HashSet<string>(StringComparer.Ordinal));
        if (a.Flag("help"))
            return Commands.Help(context.Out, Help);
        throw new UsageException("gpuem coarsened needs a subcommand: fit or score (see gpuem coarsened --help)");
    }

    private static int Fit(string[] args, CliContext context)
    {
        var a = new Arguments(args, Commands.Set("input", "coefficients", "groups", "initial", "max-iter", "tol", "output"),
            new HashSet<string>(StringComparer.Ordinal));
        if (a.Flag("help"))
            return Commands.Help(context.Out, Help);
        string input = a.Required("input");
        string? output = a.Output(input);
        int maxIterations = a.Int("max-iter", CoarsenedCategoricalOptions.Defaults.MaxIterations, minimum: 0);
        var options = new CoarsenedCategoricalOptions
        {
            Coefficients = List(a.Required("coefficients"), "coefficients", double.Parse),
            Groups = List(a.Required("groups"), "groups", (s, culture) => int.Parse(s, NumberStyles.Integer, culture)),
            InitialGroupParameters = a.Text("initial") is { } initial ? List(initial, "initial", double.Parse) : null,
            MaxIterations = maxIterations,
            Tolerance = a.Double("tol", CoarsenedCategoricalOptions.Defaults.Tolerance, minimum: 0),
            Progress = context.Progress(maxIterations),
        };
        CoarsenedCategorical estimator = Commands.Validated(() => new CoarsenedCategorical(options));
        IReadOnlyList<CoarsenedObservation> observations = Read(input);
        CoarsenedCategoricalModel model = context.Show(() => estimator.Fit(observations, context.Cancellation));
        context.Out.WriteLine(Commands.WriteJson(j =>
        {
            j.WriteString("model", model.Format);
            j.WriteNumber("observations", observations.Count);
            Commands.WriteSummary(j, model.Summary);
            model.Describe(j);
        }));
        if (output is not null)
            model.Save(output);
        return Commands.ExitCode(model);
    }

    private static int Score(string[] args, CliContext context)
    {
        var a = new Arguments(args, Commands.Set("model", "input"), new HashSet<string>(StringComparer.Ordinal));
        if (a.Flag("help"))
            return Commands.Help(context.Out, Help);
        string modelFile = a.Required("model");
        string input = a.Required("input");
        CoarsenedCategoricalModel model = CoarsenedCategoricalModel.Load(modelFile);
        IReadOnlyList<CoarsenedObservation> observations = Read(input);
        double logLikelihood = model.Score(observations);
        context.Out.WriteLine(Commands.WriteJson(j =>
        {
            j.WriteString("model", model.Format);
            j.WriteNumber("observations", observations.Count);
            j.WriteNumber("logLikelihood", logLikelihood);
        }));
        return 0;
    }

    /// <summary>Reads an observations file; errors name the file and line.</summary>
    internal static IReadOnlyList<CoarsenedObservation> Read(string path)
    {
        var observations = new List<CoarsenedObservation>();
        int number = 0;
        string name = Path.GetFileName(path);
        foreach (string raw in File.ReadLines(path))
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            int comma = line.IndexOf(',', StringComparison.Ordinal);
            if (comma < 0)
                throw new InvalidDataException($"{name} line {number}: expected `COUNT,CELLS` (e.g. `12,0 1`), found '{Arguments.Clip(line)}'.");
            string countText = line[..comma].Trim();
            if (!double.TryParse(countText, NumberStyles.Float, CultureInfo.InvariantCulture, out double count))
                throw new InvalidDataException($"{name} line {number}: the count '{Arguments.Clip(countText)}' is not a number.");
            string[] cellTexts = line[(comma + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var cells = new int[cellTexts.Length];
            for (int i = 0; i < cells.Length; i++)
                if (!int.TryParse(cellTexts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out cells[i]))
                    throw new InvalidDataException($"{name} line {number}: the cell '{Arguments.Clip(cellTexts[i])}' is not a whole number.");
            observations.Add(new CoarsenedObservation(cells, count));
        }
        return observations;
    }

    private static T[] List<T>(string text, string option, Func<string, IFormatProvider, T> parse) =>
        text.Split(',', StringSplitOptions.TrimEntries).Select(part =>
        {
            try
            {
                return parse(part, CultureInfo.InvariantCulture);
            }
            catch (FormatException)
            {
                throw new UsageException($"--{option} '{Arguments.Clip(part)}' is not a number");
            }
            catch (OverflowException)
            {
                throw new UsageException($"--{option} '{Arguments.Clip(part)}' is out of range");
            }
        }).ToArray();
}
