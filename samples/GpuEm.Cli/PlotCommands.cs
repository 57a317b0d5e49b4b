using System.Globalization;
using GpuEm.Cli.PlotViews;
using GpuEm.Models;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.HiddenMarkov;
using GpuEm.Models.Topics;
using GpuEm.Persistence;
using ScottPlot;

namespace GpuEm.Cli;

/// <summary>
/// Pictures: <c>gpuem plot</c>'s views of a clustering model and its data (PlotViews: clusters
/// with 1σ/2σ ellipses and means, uncertainty, density, the objective per iteration), and the
/// criterion against k for <c>gpuem select --plot</c>. Drawn by ScottPlot into PNG files, no
/// display needed.
/// </summary>
internal static class PlotCommands
{
    private const string PlotHelp = """
        usage: gpuem plot --model MODEL.json --input FILE [--columns D|NAME,…] [--header] [--delimiter C] --out FIG.png
                          [--what clusters|uncertainty|density|objective[,…]]
                          [--width W] [--height 500] [--missing error|marginalize] [--lengths FILE]
               gpuem plot --model TOPICS.json --out FIG.png [--top 10] [--width W] [--height H]

        Draws the views named by --what side by side, left to right (default: clusters,objective):
          clusters     the points coloured by the model's labels, each Gaussian's 1σ and 2σ
                       ellipses (translucent) and a cross at each mean (k-means: its centres)
          uncertainty  each point sized by 1 − its largest posterior probability, as mclust's
                       plot(…, what = "uncertainty") (mixtures only)
          density      the mixture's density: contours of its log-density over the points
                       (Gaussian mixtures only)
          objective    the fit's objective per iteration (mixtures: the mean log-likelihood per
                       point; k-means: −inertia)
        The data views depend on d: d = 1 a histogram with the component densities and the
        mixture's; d = 2 a scatter plot; d > 2 a pairs plot of the first 4 columns (each panel the
        marginal in two columns, the diagonal one column). Any clustering model file (gpuem
        fit|kmeans|bernoulli|categorical --output) can be drawn. --width defaults to 600 per
        view; --width (at least 200 per view) and --height (at least 150) go up to 10000 px.
        A hidden Markov model (gpuem hmm fit --output) is drawn as two views, without --what: its
        data's first column against the step, each step coloured by its Viterbi state (sequence
        boundaries dashed, each state's mean or rate dotted), and its transition matrix as a heat
        map; --lengths FILE cuts the rows into sequences as for gpuem hmm.
        A topic model (gpuem topics fit --output) is drawn without --input or --what: a grid of bar
        charts, one per topic, of its --top N (default 10) most probable terms and p(term | topic),
        labelled with the terms (w123, the term's index, without a vocabulary); --width and
        --height default to the grid's size.
        """ + "\n\n" + InputFile.Help;

    private static readonly IReadOnlyDictionary<string, PlotView> Views = new Dictionary<string, PlotView>
    {
        ["clusters"] = PlotView.Clusters,
        ["uncertainty"] = PlotView.Uncertainty,
        ["density"] = PlotView.Density,
        ["objective"] = PlotView.Objective,
    };

    public static int Plot(string[] args, CliContext context)
    {
        TextWriter stdout = context.Out;
        var a = new Arguments(args, new HashSet<string>(["model", "input", "columns", "delimiter", "out", "what", "width", "height", "missing", "lengths", "top"], StringComparer.Ordinal),
            InputFile.Flags());
        if (a.Flag("help"))
        {
            stdout.WriteLine(PlotHelp);
            return 0;
        }
        PlotView[] views = ParseViews(a.Text("what") ?? "clusters,objective");
        int width = Pixels(a, "width", Math.Min(600 * views.Length, MaximumSide), MinimumWidth * views.Length,
            views.Length > 1 ? $" ({MinimumWidth} per view)" : "");
        int height = Pixels(a, "height", 500, MinimumHeight);
        string output = a.Required("out");
        Figure.CheckOutput(output, "--out");
        IFittedModel loaded = ModelFile.Load(a.Required("model"));
        if (loaded is TopicModel topics)
            return TopicPlot(topics, a, context, output);
        if (a.Text("top") is not null)
            throw new UsageException($"--top applies to topic models only; a {loaded.Kind} model is drawn with its data");
        if (loaded is HiddenMarkovModel hmm)
            return SequencePlot(hmm, a, context, output, width, height);
        if (a.Text("lengths") is not null)
            throw new UsageException($"--lengths applies to hidden Markov models only; a {loaded.Kind} model takes rows");
        var model = loaded as IClusteringModel
            ?? throw new UsageException($"a {loaded.Kind} model has no clusters to draw; plot needs a clustering model");
        if (views.Contains(PlotView.Uncertainty) && model is not IProbabilisticClusteringModel)
            throw new UsageException($"a {model.Kind} model assigns hard labels and has no uncertainty; --what uncertainty needs a mixture");
        if (views.Contains(PlotView.Density) && (model is not IProbabilisticClusteringModel || model is not ICentredClusteringModel { ClusterCovariances: not null }))
            throw new UsageException($"a {model.Kind} model has no density to draw; --what density needs a Gaussian mixture");
        bool missing = ModelCommands.Marginalize(a);
        float[,] data = InputFile.ReadMatrix(a.Required("input"), a, context, missing);
        if (data.GetLength(1) != model.Dimension)
            throw new InvalidDataException($"{a.Required("input")} has {data.GetLength(1)} columns but the model was fitted on {model.Dimension}.");

        var plotData = new PlotData(model, data);
        float share = (float)width / views.Length;
        var panels = views.Select(view => view == PlotView.Objective
            ? Panel.Of(Objective(model, share))
            : DataViews.Build(view, plotData, model.Kind, share)).ToArray();
        Render(() => Figure.SavePng(output, width, height, panels));
        stdout.WriteLine($"wrote {output} ({width} × {height})");
        return 0;
    }

    // A hidden Markov model: the series by decoded state and the transition matrix, side by side
    // (without --what the sizes were checked for two views).
    private static int SequencePlot(HiddenMarkovModel model, Arguments a, CliContext context, string output, int width, int height)
    {
        if (a.Text("what") is not null)
            throw new UsageException("--what does not apply to a hidden Markov model (it is drawn as its series by state and its transition matrix)");
        string input = a.Required("input");
        float[,] data = InputFile.ReadMatrix(input, a, context, ModelCommands.Marginalize(a));
        if (data.GetLength(1) != model.Dimension)
            throw new InvalidDataException($"{input} has {data.GetLength(1)} columns but the model was fitted on {model.Dimension}.");
        int[]? lengths = a.Text("lengths") is { } file ? SequenceLengths.ReadFor(file, data.GetLength(0), input) : null;
        float share = width / 2f;
        Panel series = HmmCommands.OnData(input, () => HmmViews.Series(model, data, lengths, share));
        Render(() => Figure.SavePng(output, width, height, [series, HmmViews.Transitions(model, share)]));
        context.Out.WriteLine($"wrote {output} ({width} × {height})");
        return 0;
    }

    // A topic model: a grid of its topics' top words, without data. --width and --height (checked
    // as for two views) default to the grid's natural size.
    private static int TopicPlot(TopicModel model, Arguments a, CliContext context, string output)
    {
        foreach (string option in new[] { "what", "input", "columns", "delimiter", "missing", "lengths" })
            if (a.Text(option) is not null)
                throw new UsageException($"--{option} does not apply to a topic model (it is drawn as its topics' top words, without data)");
        if (a.Flag("header"))
            throw new UsageException("--header does not apply to a topic model (it is drawn as its topics' top words, without data)");
        int top = a.Int("top", 10, minimum: 1);
        int shown = Math.Min(top, model.TermCount);
        int columns = TopicViews.Columns(model.TopicCount);
        int rows = (model.TopicCount + columns - 1) / columns;
        (int cellWidth, int cellHeight) = TopicViews.PanelSize(shown);
        int width = Pixels(a, "width", Math.Min(columns * cellWidth, MaximumSide), 2 * MinimumWidth, $" ({MinimumWidth} per view)");
        int height = Pixels(a, "height", Math.Min(rows * cellHeight, MaximumSide), MinimumHeight);
        Render(() => Figure.SavePng(output, width, height, [TopicViews.TopWords(model, shown)]));
        context.Out.WriteLine($"wrote {output} ({width} × {height})");
        return 0;
    }

    // --what: one or more view names, comma-separated, each once.
    private static PlotView[] ParseViews(string text)
    {
        var views = new List<PlotView>();
        foreach (string name in text.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Views.TryGetValue(name, out PlotView view))
                throw new UsageException($"--what '{name}' is not one of {string.Join(", ", Views.Keys)} (several: comma-separated)");
            if (views.Contains(view))
                throw new UsageException($"--what names '{name}' twice");
            views.Add(view);
        }
        return views.ToArray();
    }

    // The objective per iteration, whole-number iteration ticks.
    private static Plot Objective(IClusteringModel model, float width)
    {
        double[] history = model.Summary.ObjectiveHistory.ToArray();
        var plot = new Plot();
        double[] iterations = Enumerable.Range(0, history.Length).Select(i => (double)i).ToArray();
        var line = plot.Add.Scatter(iterations, history);
        line.MarkerSize = history.Length > 60 ? 0 : 5;
        PictureStyle.IntegerTicks(plot.Axes.Bottom);
        PictureStyle.Title(plot, $"{model.Kind}: objective per iteration", width);
        plot.XLabel("iteration");
        plot.YLabel(model is IProbabilisticClusteringModel ? "mean log-likelihood" : "objective (−inertia)");
        if (history.Length == 1)
            plot.Axes.SetLimitsX(-1, 1);
        return plot;
    }

    /// <summary>
    /// The criterion against k, one line (and marker) per covariance type, the best candidate
    /// ringed and labelled; whole-number k ticks, the legend right of the data.
    /// </summary>
    public static void Selection(ModelSelectionResult result, string output, int width = 800, int height = 500)
    {
        var plot = new Plot();
        bool bic = result.Criterion == SelectionCriterion.Bic;
        string name = result.Criterion.ToString().ToUpperInvariant();
        int type = 0;
        foreach (IGrouping<CovarianceType, ModelSelectionCandidate> group in result.Candidates
                     .Where(c => c.Model is not null).GroupBy(c => c.CovarianceType))
        {
            double[] ks = group.Select(c => (double)c.ComponentCount).ToArray();
            double[] values = group.Select(c => bic ? c.Bic : c.Aic).ToArray();
            var line = plot.Add.Scatter(ks, values, PictureStyle.ClusterColour(type));
            line.MarkerShape = new[] { MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond }[type % 4];
            line.MarkerSize = 7;
            line.LineWidth = 1.5f;
            line.LegendText = Commands.CovarianceChoices.First(p => p.Value == group.Key).Key;
            type++;
        }
        ModelSelectionCandidate best = result.Best;
        double bestValue = bic ? best.Bic : best.Aic;
        var ring = plot.Add.Marker(best.ComponentCount, bestValue, MarkerShape.OpenCircle, 22, Colors.Black);
        ring.MarkerLineWidth = 2;
        string bestType = Commands.CovarianceChoices.First(p => p.Value == best.CovarianceType).Key;
        ring.LegendText = "best";
        var label = plot.Add.Text(string.Create(CultureInfo.InvariantCulture, $"best: {bestType}, k = {best.ComponentCount}\n{name} {bestValue:F1}"),
            best.ComponentCount, bestValue);
        label.LabelFontSize = 12;
        label.LabelBold = true;
        label.LabelAlignment = Alignment.LowerLeft;
        label.OffsetX = 12;
        label.OffsetY = -12;
        label.LabelBackgroundColor = Colors.White.WithAlpha(0.8);
        PictureStyle.IntegerTicks(plot.Axes.Bottom);
        PictureStyle.Title(plot, $"{name} against k (lower is better)", width * 0.8f);
        plot.XLabel("k (components)");
        plot.YLabel(name);
        PictureStyle.LegendRight(plot);
        Render(() => Figure.SavePng(output, width, height, [Panel.Of(plot)]));
    }

    // ScottPlot and Skia report what they cannot draw as .NET exceptions of many kinds; each is
    // one line saying the picture failed.
    private static void Render(Action draw)
    {
        try
        {
            draw();
        }
        catch (Exception ex) when (ex is not (IOException or UnauthorizedAccessException or UsageException))
        {
            throw new InvalidOperationException($"could not draw the picture: {ex.Message}", ex);
        }
    }

    private const int MinimumWidth = 200;
    private const int MinimumHeight = 150;

    /// <summary>The largest --width and --height: 10,000 px a side (400 MB of pixels at most).</summary>
    internal const int MaximumSide = 10_000;

    // --width or --height: a whole number of pixels within the bounds, else a usage error.
    private static int Pixels(Arguments a, string name, int fallback, int minimum, string note = "")
    {
        if (a.Text(name) is not { } text)
            return fallback;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            && value >= minimum && value <= MaximumSide
            ? value
            : throw new UsageException($"--{name} '{text}' is not a whole number of pixels from {minimum}{note} to {MaximumSide}");
    }
}
