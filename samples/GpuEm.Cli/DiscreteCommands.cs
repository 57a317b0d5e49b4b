using GpuEm.Data;
using GpuEm.Models;
using GpuEm.Models.BernoulliMixture;
using GpuEm.Models.CategoricalMixture;
using GpuEm.Models.Discrete;

namespace GpuEm.Cli;

/// <summary>
/// The commands of the discrete mixtures, <c>bernoulli</c> and <c>categorical</c>: the same
/// options (those of <see cref="DiscreteMixtureOptions"/>), the same inputs and the same JSON.
/// </summary>
internal static class DiscreteCommands
{
    private const string Synopsis = """
        [--columns D|NAME,…] [--header] [--delimiter C] --k K [--max-iter N] [--tol T] [--n-init R]
                        [--init kmeans++|random|random-resp] [--smoothing A] [--seed S]
                        [--backend auto|cuda|opencl|cpu-accelerator|reference]
                        [--device-memory-limit BYTES] [--output model.json] [--quiet] [--verbose]
                        [--restart-strategy independent|short-runs] [--short-runs N]
                        [--short-iter I] [--short-continue M]
        """;

    private const string Common = """
        Prints one JSON object: model (its format), n, d, k, iterations, converged, cancelled,
        backend, device, seconds, objective (the smoothing-penalized mean log-likelihood the fit
        maximized), logLikelihood, bic, aic (of the training rows; lower criteria are better),
        k, d, parameters, trainingWeight, meanLogLikelihood (without the smoothing), weights. --output saves the model file (for `gpuem predict|score|
        info|plot --model`). Defaults: 100 iterations, tol 1e-3, 1 start, kmeans++ start (on the
        one-hot rows), smoothing 1e-3 (pseudo-counts per value: the MAP estimate under a
        symmetric Beta/Dirichlet(1 + A) prior), seed 0, auto. Missing entries are marginalized
        out; a row needs one observed entry. --device-memory-limit caps the device memory
        (bytes) the GPU engine plans for; rows beyond it stream through the device every
        iteration, in chunks of whole rows.
        """ + "\n\n" + Commands.SearchHelp;

    private const string BernoulliHelp = "usage: gpuem bernoulli --input FILE " + Synopsis + """


        Fits a mixture of independent Bernoulli features to rows of 0 and 1 (an empty cell or NaN
        is missing).
        """ + "\n" + Common + "\n\n" + InputFile.Help;

    private const string CategoricalHelp = "usage: gpuem categorical --input FILE [--levels L1,L2,…] " + Synopsis + """


        Fits a mixture of independent categorical features (latent class analysis) to rows of
        levels 0, 1, 2, … (−1, an empty cell or NaN is missing). --levels gives each column's
        number of levels L_j (default: one more than the largest level in the column).
        """ + "\n" + Common + "\n\n" + InputFile.Help;

    private static readonly IReadOnlyDictionary<string, DiscreteInitialization> Starts = new Dictionary<string, DiscreteInitialization>
    {
        ["kmeans++"] = DiscreteInitialization.KMeansPlusPlus,
        ["random"] = DiscreteInitialization.RandomPoints,
        ["random-resp"] = DiscreteInitialization.RandomResponsibilities,
    };

    public static int Bernoulli(string[] args, CliContext context) =>
        Run<BernoulliMixtureOptions>(args, context, BernoulliHelp, [], (a, options) =>
        {
            BernoulliMixture estimator = Commands.Validated(() => new BernoulliMixture(options));
            return source => estimator.Fit(source, null, context.Cancellation);
        });

    public static int Categorical(string[] args, CliContext context) =>
        Run<CategoricalMixtureOptions>(args, context, CategoricalHelp, ["levels"], (a, options) =>
        {
            CategoricalMixture estimator = Commands.Validated(() => new CategoricalMixture(options));
            return source => estimator.Fit(source, Levels(a, source.ColumnCount), null, context.Cancellation);
        });

    private static int Run<TOptions>(
        string[] args, CliContext context, string help, string[] extra,
        Func<Arguments, TOptions, Func<IDataSource, IRowModel>> prepare)
        where TOptions : DiscreteMixtureOptions, new()
    {
        var a = new Arguments(args, Commands.Set(
            [.. extra, .. Commands.SearchOptions, "input", "columns", "delimiter", "k", "max-iter", "tol", "n-init", "init", "smoothing", "seed", "backend", "device-memory-limit", "output"]),
            InputFile.Flags());
        if (a.Flag("help"))
            return Commands.Help(context.Out, help);
        string input = a.Required("input");
        string? output = a.Output(input);
        TOptions options = new TOptions
        {
            ComponentCount = a.RequiredInt("k", 1, "K"),
            Initialization = a.Choice("init", DiscreteInitialization.KMeansPlusPlus, Starts),
            Smoothing = a.Double("smoothing", DiscreteMixtureOptions.Defaults.Smoothing, minimum: 0),
        }.WithRunOptions(a, context);
        // The estimator checks the options (usage errors, exit 2) before any file is read.
        Func<IDataSource, IRowModel> fit = prepare(a, options);
        using IDataSource source = InputFile.Open(input, a) ?? new ArrayDataSource(InputFile.ReadCsv(input, a, context, allowMissing: true));
        Commands.AnnounceDevice(options.Backend, a, context);
        IRowModel model = context.Show(() => InputFile.Read(source, () => fit(source)));
        ModelScore score = InputFile.Read(source, () => model.Evaluate(source));
        context.Out.WriteLine(Commands.WriteJson(j =>
        {
            j.WriteString("model", model.Format);
            j.WriteNumber("n", source.RowCount);
            Commands.WriteSummary(j, model.Summary);
            // Describe gives the fit's own meanLogLikelihood (from its last E-step); the score
            // adds the total and the criteria over the same rows.
            foreach ((string name, double value) in score.Measures.Where(m => m.Key != "meanLogLikelihood"))
                j.WriteNumber(name, value);
            model.Describe(j);
        }));
        if (output is not null)
            model.Save(output);
        return Commands.ExitCode(model);
    }

    // --levels L1,L2,…: one positive count per column, or null (from the data).
    private static int[]? Levels(Arguments a, int columns)
    {
        if (a.Text("levels") is not { } text)
            return null;
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != columns)
            throw new UsageException($"--levels gives {parts.Length} counts; the input has {columns} columns (one count per column)");
        return parts.Select(p => int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int l) && l >= 1
            ? l
            : throw new UsageException($"--levels '{Arguments.Clip(p)}' is not a whole number ≥ 1")).ToArray();
    }
}
