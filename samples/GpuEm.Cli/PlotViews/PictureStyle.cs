using ScottPlot;

namespace GpuEm.Cli.PlotViews;

/// <summary>
/// What every picture shares: a cluster's colour and marker, integer ticks, titles sized to their
/// panel, the legend beside (never over) the data.
/// </summary>
internal static class PictureStyle
{
    // Category10 then its ten lighter partners (the Category20 pairs, reordered): the first ten
    // clusters get the ten most distinct colours, the next ten their light shades.
    private static readonly Color[] Colours = Color.FromHex(
    [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
        "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
    ]);

    // Each run of ten clusters has its own marker, so cluster c and c + 10 (similar hues) differ
    // in shape: 20 colours × 5 shapes tell 100 clusters apart.
    private static readonly MarkerShape[] Shapes =
    [
        MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond,
        MarkerShape.FilledTriangleDown,
    ];

    public static Color ClusterColour(int cluster) => Colours[cluster % Colours.Length];

    public static MarkerShape ClusterShape(int cluster) => Shapes[cluster / 10 % Shapes.Length];

    /// <summary>Ticks at whole numbers only (iterations, k).</summary>
    public static void IntegerTicks(IAxis axis) =>
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };

    /// <summary>A title whose font shrinks (16 pt down to 9 pt) until it fits the panel's width.</summary>
    public static void Title(Plot plot, string text, float panelWidth)
    {
        // A bold character is about 0.6 em wide in the default font; leave 10% for the margins.
        float size = Math.Clamp(0.9f * panelWidth / (0.6f * Math.Max(text.Length, 1)), 9f, 16f);
        plot.Title(text, size);
    }

    /// <summary>The legend in its own column right of the data area; many items, smaller type
    /// and tighter rows, so up to ~25 fit in 500 px.</summary>
    public static void LegendRight(Plot plot)
    {
        plot.ShowLegend(Edge.Right);
        Compact(plot.Legend);
    }

    public static void Compact(Legend legend)
    {
        bool many = legend.ManualItems.Count > 12;
        legend.FontSize = many ? 10 : 11;
        legend.SymbolWidth = 14;
        if (many)
            legend.InterItemPadding = new PixelPadding(2, 2, 0, 0);
    }

    /// <summary>The label of cluster <paramref name="cluster"/> in legends.</summary>
    public static string ClusterName(int cluster) => $"cluster {cluster}";
}
