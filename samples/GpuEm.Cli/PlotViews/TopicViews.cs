using System.Globalization;
using GpuEm.Models.Topics;
using ScottPlot;
using SkiaSharp;

namespace GpuEm.Cli.PlotViews;

/// <summary>
/// The view of a topic model: a grid of small horizontal bar charts, one per topic (row by row,
/// topic 0 top left), each of its most probable terms, the most probable on top, labelled with the
/// term (or "w123", the term's index, without a vocabulary) and drawn to p(w | k).
/// </summary>
internal static class TopicViews
{
    /// <summary>The default size of one topic's chart at <paramref name="top"/> terms.</summary>
    public static (int Width, int Height) PanelSize(int top) => (300, 70 + 20 * top);

    /// <summary>Columns of the grid for <paramref name="topics"/> charts: about 1.5 times as many
    /// columns as rows, then as few as fill those rows (4 topics: 2 × 2, not 3 + 1).</summary>
    public static int Columns(int topics)
    {
        int columns = Math.Clamp((int)Math.Ceiling(Math.Sqrt(1.5 * topics)), 1, topics);
        int rows = (topics + columns - 1) / columns;
        return (topics + rows - 1) / rows;
    }

    /// <summary>The grid of the topics' top terms.</summary>
    public static Panel TopWords(TopicModel model, int top)
    {
        IReadOnlyList<IReadOnlyList<TopicTerm>> words = model.TopWords(top);
        var plots = new Plot[words.Count];
        for (int k = 0; k < words.Count; k++)
            plots[k] = Topic(k, words[k], model.TopicCount);
        return new Grid(plots, Columns(words.Count));
    }

    private static Plot Topic(int topic, IReadOnlyList<TopicTerm> terms, int topicCount)
    {
        var plot = new Plot();
        Color colour = PictureStyle.ClusterColour(topic);
        int n = terms.Count;
        var bars = new List<Bar>(n);
        for (int i = 0; i < n; i++)
            bars.Add(new Bar
            {
                // The most probable term on top.
                Position = n - 1 - i,
                Value = terms[i].Probability,
                Size = 0.75,
                FillColor = colour,
                LineWidth = 0,
            });
        var plotted = plot.Add.Bars(bars);
        plotted.Horizontal = true;
        double[] positions = Enumerable.Range(0, n).Select(i => (double)(n - 1 - i)).ToArray();
        string[] labels = terms.Select(Label).ToArray();
        plot.Axes.Left.SetTicks(positions, labels);
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Left.TickLabelStyle.FontSize = n > 20 ? 9 : 11;
        double largest = terms.Count == 0 ? 1 : terms.Max(t => t.Probability);
        plot.Axes.SetLimits(0, largest * 1.08, -0.6, n - 0.4);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 9;
        plot.Grid.YAxisStyle.MajorLineStyle.Width = 0;
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"topic {topic} of {topicCount}"), 12);
        plot.XLabel("p(word | topic)", 10);
        return plot;
    }

    // The term, cut to 18 characters, or its index without a vocabulary.
    private static string Label(TopicTerm term) =>
        term.Term is { } text
            ? text.Length <= 18 ? text : string.Concat(text.AsSpan(0, 17), "…")
            : string.Create(CultureInfo.InvariantCulture, $"w{term.Index}");

    // Plots in rows of equal cells, left to right and top to bottom.
    private sealed class Grid(IReadOnlyList<Plot> plots, int columns) : Panel
    {
        public override void Render(SKCanvas canvas, PixelRect rect)
        {
            int rows = (plots.Count + columns - 1) / columns;
            float width = rect.Width / columns, height = rect.Height / rows;
            for (int i = 0; i < plots.Count; i++)
            {
                float left = rect.Left + i % columns * width, top = rect.Top + i / columns * height;
                var cell = new PixelRect(MathF.Round(left), MathF.Round(left + width), MathF.Round(top + height), MathF.Round(top));
                canvas.Save();
                canvas.ClipRect(cell.ToSKRect());
                plots[i].Render(canvas, cell);
                canvas.Restore();
            }
        }
    }
}
