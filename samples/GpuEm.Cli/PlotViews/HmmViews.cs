using System.Globalization;
using GpuEm.Models.HiddenMarkov;
using ScottPlot;

namespace GpuEm.Cli.PlotViews;

/// <summary>
/// The views of a hidden Markov model: its data's first column against the step, each step
/// coloured by its Viterbi state (sequence boundaries dashed, each state's level in that column
/// a dotted line), and the transition matrix as a heat map with its values written in the cells.
/// </summary>
internal static class HmmViews
{
    /// <summary>The first column over the steps, coloured by decoded state.</summary>
    public static Panel Series(HiddenMarkovModel model, float[,] rows, IReadOnlyList<int>? lengths, float width)
    {
        int n = rows.GetLength(0);
        int d = rows.GetLength(1);
        IReadOnlyList<int> states = model.Decode(rows, lengths).States;
        int[] sequenceLengths = lengths?.ToArray() ?? [n];
        var plot = new Plot();
        // A thin grey line through each sequence's steps (broken at a missing value), under the markers.
        int first = 0;
        foreach (int length in sequenceLengths)
        {
            double[] xs = Enumerable.Range(first, length).Select(t => (double)t).ToArray();
            double[] ys = Enumerable.Range(first, length).Select(t => (double)rows[t, 0]).ToArray();
            if (length > 1)
            {
                var line = plot.Add.ScatterLine(xs, ys, Colors.Gray.WithAlpha(0.5));
                line.LineWidth = 1;
            }
            first += length;
        }
        float size = n > 5000 ? 2 : n > 500 ? 3 : 5;
        for (int k = 0; k < model.States; k++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int t = 0; t < n; t++)
                if (states[t] == k && !float.IsNaN(rows[t, 0]))
                {
                    xs.Add(t);
                    ys.Add(rows[t, 0]);
                }
            if (xs.Count == 0)
                continue;
            var markers = plot.Add.Markers(xs.ToArray(), ys.ToArray(), PictureStyle.ClusterShape(k), size, PictureStyle.ClusterColour(k));
            markers.MarkerLineWidth = 0;
        }
        double[]? levels = Levels(model);
        if (levels is not null)
            for (int k = 0; k < model.States; k++)
            {
                var level = plot.Add.HorizontalLine(levels[k], 1.5f, PictureStyle.ClusterColour(k).Darken(0.2), LinePattern.Dotted);
                level.LabelText = "";
            }
        for (int s = 0, at = 0; s < sequenceLengths.Length - 1; s++)
        {
            at += sequenceLengths[s];
            var boundary = plot.Add.VerticalLine(at - 0.5, 1, Colors.Black.WithAlpha(0.45), LinePattern.Dashed);
            boundary.LabelText = "";
        }
        string column = d > 1 ? string.Create(CultureInfo.InvariantCulture, $"column 1 of {d}") : "the data";
        string sequences = sequenceLengths.Length > 1 ? string.Create(CultureInfo.InvariantCulture, $", {sequenceLengths.Length} sequences") : "";
        PictureStyle.Title(plot, $"{model.Kind}: {column} by Viterbi state{sequences}", width * 0.8f);
        plot.XLabel("step");
        plot.YLabel(model.Emission == HmmEmission.Categorical ? "symbol" : "column 1");
        PictureStyle.IntegerTicks(plot.Axes.Bottom);
        plot.Legend.ManualItems.AddRange(Legend(model, levels is not null, sequenceLengths.Length > 1));
        PictureStyle.LegendRight(plot);
        return Panel.Of(plot);
    }

    /// <summary>A = p(state j next | state i) as a K × K heat map (0 to 1), the values in the cells.</summary>
    public static Panel Transitions(HiddenMarkovModel model, float width)
    {
        double[,] a = model.TransitionMatrix;
        int k = model.States;
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(a);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        // Row 0 of the matrix is drawn at the top: cell (i, j) is centred on x = j, y = K − 1 − i.
        heatmap.Rectangle = new CoordinateRect(-0.5, k - 0.5, -0.5, k - 0.5);
        if (k <= 12)
        {
            float font = k <= 4 ? 14 : k <= 8 ? 11 : 9;
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                {
                    var text = plot.Add.Text(a[i, j].ToString(k <= 6 ? "0.00" : "0.0", CultureInfo.InvariantCulture), j, k - 1 - i);
                    text.LabelFontSize = font;
                    text.LabelAlignment = Alignment.MiddleCenter;
                    // Dark cells (low values in Viridis) take white text.
                    text.LabelFontColor = a[i, j] < 0.6 ? Colors.White : Colors.Black;
                }
        }
        double[] positions = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        string[] names = Enumerable.Range(0, k).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        plot.Axes.Bottom.SetTicks(positions, names);
        plot.Axes.Left.SetTicks(positions.Select(p => k - 1 - p).ToArray(), names);
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        plot.Add.ColorBar(heatmap);
        PictureStyle.Title(plot, "transition matrix p(to j | from i)", width * 0.8f);
        plot.XLabel("to state j");
        plot.YLabel("from state i");
        return Panel.Of(plot);
    }

    // Each state's level in column 1: its mean (a mixture's weighted mean) or Poisson rate; none
    // for symbols.
    private static double[]? Levels(HiddenMarkovModel model)
    {
        if (model.Rates is { } rates)
            return Enumerable.Range(0, model.States).Select(k => rates[k, 0]).ToArray();
        if (model.Means is not { } means)
            return null;
        int m = Math.Max(model.MixtureComponents, 1);
        double[,]? weights = model.MixtureWeights;
        return Enumerable.Range(0, model.States)
            .Select(k => Enumerable.Range(0, m).Sum(c => (weights is null ? 1.0 / m : weights[k, c]) * means[k * m + c, 0]))
            .ToArray();
    }

    private static IEnumerable<LegendItem> Legend(HiddenMarkovModel model, bool levels, bool boundaries)
    {
        for (int k = 0; k < model.States; k++)
            yield return new LegendItem
            {
                LabelText = $"state {k}",
                MarkerShape = PictureStyle.ClusterShape(k),
                MarkerSize = 7,
                MarkerFillColor = PictureStyle.ClusterColour(k),
                MarkerLineColor = PictureStyle.ClusterColour(k),
                LineWidth = 0,
            };
        if (levels)
            yield return new LegendItem
            {
                LabelText = model.Rates is not null ? "state's rate" : "state's mean",
                LineColor = Colors.Gray,
                LineWidth = 1.5f,
                LinePattern = LinePattern.Dotted,
                MarkerShape = MarkerShape.None,
            };
        if (boundaries)
            yield return new LegendItem
            {
                LabelText = "new sequence",
                LineColor = Colors.Black.WithAlpha(0.45),
                LineWidth = 1,
                LinePattern = LinePattern.Dashed,
                MarkerShape = MarkerShape.None,
            };
    }
}
