using ScottPlot;
using SkiaSharp;

namespace GpuEm.Cli.PlotViews;

/// <summary>
/// An m × m grid for d &gt; 2 (R's <c>pairs</c>): panel (r, c) plots column c against column r,
/// the diagonal one column alone; the panels of a grid column share the x range, those of a row
/// the y range, so only the outer panels carry tick labels. One title above, one legend right.
/// </summary>
internal sealed class PairsPanel(PlotView view, PlotData data, int m, string title) : Panel
{
    private const float TitleHeight = 30;
    private const float LeftMargin = 46;
    private const float BottomMargin = 36;
    private const float Gap = 4;

    public override void Render(SKCanvas canvas, PixelRect rect)
    {
        // The legend column: wide enough for "cluster 14" and the uncertainty key.
        float legendWidth = Math.Min(160, Math.Max(110, rect.Width * 0.17f));
        var legend = new Plot();
        legend.Layout.Frameless();
        legend.HideGrid();
        legend.Legend.ManualItems.AddRange(DataViews.LegendItems(view, data));
        legend.ShowLegend(Alignment.UpperLeft);
        PictureStyle.Compact(legend.Legend);
        legend.Legend.OutlineWidth = 0;
        legend.Legend.ShadowOffset = new PixelOffset(0, 0);
        Clipped(canvas, new PixelRect(rect.Right - legendWidth, rect.Right, rect.Bottom, rect.Top + TitleHeight), legend);

        float left = rect.Left + LeftMargin, right = rect.Right - legendWidth;
        float top = rect.Top + TitleHeight, bottom = rect.Bottom - BottomMargin;
        float cellWidth = (right - left) / m, cellHeight = (bottom - top) / m;
        var ranges = Enumerable.Range(0, m).Select(j => DataViews.Range(data, j)).ToArray();
        for (int r = 0; r < m; r++)
            for (int c = 0; c < m; c++)
            {
                var plot = new Plot();
                if (r == c)
                    DataViews.Diagonal(plot, view, data, c);
                else
                {
                    DataViews.Pair(plot, view, data, c, r);
                    plot.Axes.SetLimits(ranges[c].Low, ranges[c].High, ranges[r].Low, ranges[r].High);
                }
                bool outerLeft = c == 0, outerBottom = r == m - 1;
                plot.Axes.Bottom.TickLabelStyle.IsVisible = outerBottom;
                // The diagonal's y axis is a density (or an uncertainty), not column r: no labels.
                plot.Axes.Left.TickLabelStyle.IsVisible = outerLeft && r != c;
                plot.Axes.Bottom.TickLabelStyle.FontSize = 9;
                plot.Axes.Left.TickLabelStyle.FontSize = 9;
                if (outerBottom)
                    plot.XLabel($"column {c + 1}", 11);
                if (outerLeft && r != c)
                    plot.YLabel($"column {r + 1}", 11);
                var padding = new PixelPadding(outerLeft ? LeftMargin : Gap, Gap, outerBottom ? BottomMargin : Gap, Gap);
                plot.Layout.Fixed(padding);
                var cell = new PixelRect(
                    left + c * cellWidth - padding.Left + Gap, left + (c + 1) * cellWidth,
                    top + (r + 1) * cellHeight + padding.Bottom - Gap, top + r * cellHeight);
                Clipped(canvas, cell, plot);
            }
        float size = Math.Min(13, Math.Max(9, 0.9f * (rect.Width - legendWidth) / (0.6f * title.Length)));
        var label = new LabelStyle { Text = title, FontSize = size, Bold = true, Alignment = Alignment.UpperCenter };
        using (Paint paint = Paint.NewDisposablePaint())
            label.Render(canvas, new Pixel(rect.Left + (rect.Width - legendWidth) / 2, rect.Top + 8), paint);
    }

    // A plot clears its whole clip region before drawing; clipped to its cell it leaves the rest.
    private static void Clipped(SKCanvas canvas, PixelRect rect, Plot plot)
    {
        canvas.Save();
        canvas.ClipRect(rect.ToSKRect());
        plot.Render(canvas, rect);
        canvas.Restore();
    }
}
