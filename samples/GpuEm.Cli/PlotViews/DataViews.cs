using MathNet.Numerics.LinearAlgebra;
using ScottPlot;

namespace GpuEm.Cli.PlotViews;

/// <summary>What <c>gpuem plot --what</c> draws.</summary>
internal enum PlotView
{
    /// <summary>Points coloured by cluster, translucent 1σ and 2σ ellipses, a cross at each mean.</summary>
    Clusters,

    /// <summary>Points sized by 1 − their largest posterior (mclust's "uncertainty").</summary>
    Uncertainty,

    /// <summary>The mixture's density: contours over the points; 1-D, a histogram and the curves.</summary>
    Density,

    /// <summary>The fit's objective at each iteration.</summary>
    Objective,
}

/// <summary>
/// The data views: d = 1 a histogram with the fitted densities; d = 2 one scatter plot; d > 2 a
/// pairs plot of the first four columns (each panel the marginal in two columns, whose ellipses
/// are the sub-matrices of the covariances).
/// </summary>
internal static class DataViews
{
    /// <summary>The pairs plot shows at most this many leading columns.</summary>
    public const int PairsColumns = 4;

    public static Panel Build(PlotView view, PlotData data, string kind, float width)
    {
        string what = view switch
        {
            PlotView.Clusters when data.Dimension == 1 => data.HasDensity ? "clusters and densities" : "clusters",
            PlotView.Clusters => data.Covariances is not null ? "clusters, 1σ and 2σ ellipses" : "clusters",
            PlotView.Uncertainty => "uncertainty u = 1 − max posterior",
            _ => "density",
        };
        if (data.Dimension > 2)
        {
            int m = Math.Min(PairsColumns, data.Dimension);
            string columns = m < data.Dimension ? $"columns 1–{m} of {data.Dimension}" : $"{m} columns";
            return new PairsPanel(view, data, m, $"{kind}: {what} ({columns})");
        }
        var plot = new Plot();
        if (data.Dimension == 1)
            Diagonal(plot, view, data, 0);
        else
            Pair(plot, view, data, 0, 1);
        plot.XLabel("column 1");
        plot.YLabel(data.Dimension == 1 ? (view == PlotView.Uncertainty ? "1 − max posterior" : "density") : "column 2");
        PictureStyle.Title(plot, $"{kind}: {what}", width * 0.8f);
        plot.Legend.ManualItems.AddRange(LegendItems(view, data));
        PictureStyle.LegendRight(plot);
        return Panel.Of(plot);
    }

    /// <summary>
    /// The legend: each cluster's marker (or, for the density view, each component's curve), the
    /// mixture's density, the contours, the means' cross, and for uncertainty the marker sizes.
    /// </summary>
    public static IEnumerable<LegendItem> LegendItems(PlotView view, PlotData data)
    {
        bool density = view == PlotView.Density && data.HasDensity;
        bool curves = data.HasDensity && (data.Dimension == 1 || (data.Dimension > 2 && view != PlotView.Uncertainty));
        if (density && data.Dimension > 1)
        {
            yield return Item("points", MarkerShape.FilledCircle, 6, Colors.Gray);
            yield return Line("log-density, 1 apart", new ScottPlot.Colormaps.Viridis().GetColor(0.6), LinePattern.Solid);
        }
        if (curves)
            yield return Line("mixture", Colors.Black, LinePattern.Solid);
        for (int c = 0; c < data.ClusterCount && !(density && !curves); c++)
            yield return density
                ? Line($"component {c}", PictureStyle.ClusterColour(c), LinePattern.Dashed)
                : Item(PictureStyle.ClusterName(c), PictureStyle.ClusterShape(c), 7, PictureStyle.ClusterColour(c));
        if (data.Centres is not null)
            yield return Item(data.Covariances is not null ? "mean" : "centre", MarkerShape.Cross, 12, Colors.Black);
        if (view == PlotView.Uncertainty && data.Uncertainty is not null && data.Dimension > 1)
        {
            double top = UncertaintyScale(data);
            foreach (double u in data.ClusterCount > 10 ? new[] { top, top / 8 } : new[] { top, top / 4, top / 16 })
                yield return Item($"u = {u:0.###}", MarkerShape.OpenCircle, UncertaintySize(u, top), Colors.Gray);
        }
    }

    private static LegendItem Item(string label, MarkerShape shape, float size, Color colour) => new()
    {
        LabelText = label,
        MarkerShape = shape,
        MarkerSize = size,
        MarkerFillColor = colour,
        MarkerLineColor = colour,
        MarkerLineWidth = shape == MarkerShape.Cross ? 2 : 1,
        LineWidth = 0,
    };

    private static LegendItem Line(string label, Color colour, LinePattern pattern) => new()
    {
        LabelText = label,
        LineColor = colour,
        LineWidth = 2,
        LinePattern = pattern,
        MarkerShape = MarkerShape.None,
    };

    // The largest uncertainty drawn: the data's own, at least 0.01 so sizes stay finite.
    private static double UncertaintyScale(PlotData data) => Math.Max(data.Uncertainty!.Max(), 0.01);

    // Marker area grows with uncertainty: 3 px for a sure point, 16 px at the data's largest.
    private static float UncertaintySize(double u, double top) => (float)(3 + 13 * Math.Sqrt(Math.Clamp(u / top, 0, 1)));

    /// <summary>Columns <paramref name="x"/> and <paramref name="y"/> of the data, as the view asks.</summary>
    public static void Pair(Plot plot, PlotView view, PlotData data, int x, int y)
    {
        if (view == PlotView.Density && data.HasDensity)
        {
            DensityContours(plot, data, x, y);
            Points(plot, data, x, y, _ => Colors.Gray.WithAlpha(0.6), _ => 3);
        }
        else if (view == PlotView.Uncertainty && data.Uncertainty is { } uncertainty)
        {
            double top = UncertaintyScale(data);
            Points(plot, data, x, y, i => PictureStyle.ClusterColour(data.Labels[i]).WithAlpha(0.75), i => UncertaintySize(uncertainty[i], top));
            Ellipses(plot, data, x, y, fill: false);
        }
        else
        {
            // The ellipses over the points, translucent, so both stay visible.
            Points(plot, data, x, y, i => PictureStyle.ClusterColour(data.Labels[i]), _ => data.Dimension > 2 ? 3 : 4);
            Ellipses(plot, data, x, y, fill: true);
        }
        Means(plot, data, c => (data.Centres![c, x], data.Centres[c, y]));
    }

    // One Markers plottable per (cluster, size), so the colours, shapes and sizes are the data's own.
    private static void Points(Plot plot, PlotData data, int x, int y, Func<int, Color> colour, Func<int, float> size)
    {
        var groups = new Dictionary<(int Cluster, float Size), (List<double> Xs, List<double> Ys)>();
        for (int i = 0; i < data.RowCount; i++)
        {
            if (!data.Observed(i, x) || !data.Observed(i, y))
                continue;
            float s = MathF.Round(size(i) * 2) / 2;
            (int, float) key = (data.Labels[i], s);
            if (!groups.TryGetValue(key, out var group))
                groups[key] = group = ([], []);
            group.Xs.Add(data.Points[i, x]);
            group.Ys.Add(data.Points[i, y]);
        }
        // Large (uncertain) points first, so the small ones stay visible on top.
        foreach (var ((cluster, s), (xs, ys)) in groups.OrderByDescending(g => g.Key.Size))
        {
            var markers = plot.Add.Markers(xs.ToArray(), ys.ToArray(), PictureStyle.ClusterShape(cluster), s, colour(FirstOf(data, cluster)));
            markers.MarkerLineWidth = 0;
        }
    }

    // A row of the cluster, to look its colour up (the colour depends on the cluster only).
    private static int FirstOf(PlotData data, int cluster) => Array.IndexOf(data.Labels, cluster);

    private static void Means(Plot plot, PlotData data, Func<int, (double X, double Y)> at)
    {
        if (data.Centres is null)
            return;
        for (int c = 0; c < data.ClusterCount; c++)
        {
            (double x, double y) = at(c);
            // A white halo under the black cross keeps it readable on dense points.
            var halo = plot.Add.Marker(x, y, MarkerShape.Cross, 15, Colors.White);
            halo.MarkerLineWidth = 5;
            var cross = plot.Add.Marker(x, y, MarkerShape.Cross, 13, Colors.Black);
            cross.MarkerLineWidth = 2;
        }
    }

    // The 1σ and 2σ ellipses of each component's marginal in (x, y): translucent fills over
    // the points, or outlines only.
    private static void Ellipses(Plot plot, PlotData data, int x, int y, bool fill)
    {
        if (data.Covariances is null)
            return;
        for (int c = 0; c < data.ClusterCount; c++)
        {
            (double cx, double cy, Matrix<double>? covariance) = data.Centre(c, x, y);
            Color colour = PictureStyle.ClusterColour(c);
            foreach (double sigma in new[] { 2.0, 1.0 })
            {
                var polygon = plot.Add.Polygon(Ellipse(cx, cy, covariance!, sigma));
                polygon.FillColor = fill ? colour.WithAlpha(sigma == 1 ? 0.25 : 0.1) : Colors.Transparent;
                polygon.LineColor = colour.Darken(0.35);
                polygon.LineWidth = sigma == 1 ? 1.5f : 1f;
            }
        }
    }

    // The ellipse μ + σ (√λ₁ cos t v₁ + √λ₂ sin t v₂), 96 points.
    private static Coordinates[] Ellipse(double cx, double cy, Matrix<double> covariance, double sigma)
    {
        var eigen = covariance.Evd(Symmetricity.Symmetric);
        double r0 = sigma * Math.Sqrt(Math.Max(eigen.EigenValues[0].Real, 0));
        double r1 = sigma * Math.Sqrt(Math.Max(eigen.EigenValues[1].Real, 0));
        var points = new Coordinates[96];
        for (int t = 0; t < points.Length; t++)
        {
            double angle = 2 * Math.PI * t / points.Length;
            double u = r0 * Math.Cos(angle), v = r1 * Math.Sin(angle);
            points[t] = new Coordinates(
                cx + u * eigen.EigenVectors[0, 0] + v * eigen.EigenVectors[0, 1],
                cy + u * eigen.EigenVectors[1, 0] + v * eigen.EigenVectors[1, 1]);
        }
        return points;
    }

    // Contours of the mixture's marginal log-density in (x, y) on a grid over the data's range.
    private static void DensityContours(Plot plot, PlotData data, int x, int y)
    {
        const int Grid = 48;
        (double x0, double x1) = Range(data, x);
        (double y0, double y1) = Range(data, y);
        var coordinates = new List<double[]>(Grid * Grid);
        for (int i = 0; i < Grid; i++)
            for (int j = 0; j < Grid; j++)
                coordinates.Add([x0 + (x1 - x0) * j / (Grid - 1), y0 + (y1 - y0) * i / (Grid - 1)]);
        (double[] density, _) = data.Density([x, y], coordinates);
        var grid = new Coordinates3d[Grid, Grid];
        for (int i = 0; i < Grid; i++)
            for (int j = 0; j < Grid; j++)
            {
                double[] at = coordinates[i * Grid + j];
                // Log-density, floored 12 nats below the peak: even contour spacing in the tails.
                grid[i, j] = new Coordinates3d(at[0], at[1], Math.Log(Math.Max(density[i * Grid + j], 1e-300)));
            }
        // Levels 1 nat apart below the peak; the floor (12 nats down) lies below the last level,
        // so the empty corners draw no line.
        double peak = density.Max() is > 0 and double p ? Math.Log(p) : 0;
        for (int i = 0; i < Grid; i++)
            for (int j = 0; j < Grid; j++)
                grid[i, j] = new Coordinates3d(grid[i, j].X, grid[i, j].Y, Math.Max(grid[i, j].Z, peak - 12));
        var contours = new ScottPlot.Plottables.ContourLines
        {
            ContourLineLevels = Enumerable.Range(0, 10).Select(level => peak - 0.5 - level).ToArray(),
            Colormap = new ScottPlot.Colormaps.Viridis(),
            LineWidth = 1.5f,
        };
        contours.LabelStyle.IsVisible = false;
        contours.Update(grid);
        plot.Add.Plottable(contours);
    }

    // The data's range in a column, widened by 8% each side.
    public static (double Low, double High) Range(PlotData data, int column)
    {
        double low = double.PositiveInfinity, high = double.NegativeInfinity;
        for (int i = 0; i < data.RowCount; i++)
            if (data.Observed(i, column))
            {
                low = Math.Min(low, data.Points[i, column]);
                high = Math.Max(high, data.Points[i, column]);
            }
        if (!(high >= low))
            return (-1, 1);
        double pad = high > low ? 0.08 * (high - low) : 1;
        return (low - pad, high + pad);
    }

    /// <summary>
    /// One column: a density-scaled histogram (stacked by cluster, or of all points for the
    /// density view) with each component's weighted density and the mixture's; for uncertainty,
    /// each point's 1 − max posterior against its value.
    /// </summary>
    public static void Diagonal(Plot plot, PlotView view, PlotData data, int column)
    {
        (double low, double high) = Range(data, column);
        if (view == PlotView.Uncertainty && data.Uncertainty is { } uncertainty)
        {
            for (int c = 0; c < data.ClusterCount; c++)
            {
                var xs = new List<double>();
                var ys = new List<double>();
                for (int i = 0; i < data.RowCount; i++)
                    if (data.Labels[i] == c && data.Observed(i, column))
                    {
                        xs.Add(data.Points[i, column]);
                        ys.Add(uncertainty[i]);
                    }
                var markers = plot.Add.Markers(xs.ToArray(), ys.ToArray(), PictureStyle.ClusterShape(c), 5, PictureStyle.ClusterColour(c));
                markers.MarkerLineWidth = 0;
            }
            plot.Axes.SetLimitsX(low, high);
            plot.Axes.SetLimitsY(-0.03, Math.Max(uncertainty.Max(), 0.05) * 1.1);
            return;
        }
        double top = Histogram(plot, data, column, low, high, stacked: view != PlotView.Density);
        if (data.HasDensity)
        {
            const int Points = 240;
            var coordinates = Enumerable.Range(0, Points).Select(i => new[] { low + (high - low) * i / (Points - 1) }).ToList();
            double[] xs = coordinates.Select(p => p[0]).ToArray();
            (double[] mixture, double[,] components) = data.Density([column], coordinates);
            // The mixture under its components: where one component dominates they coincide.
            var total = plot.Add.ScatterLine(xs, mixture, Colors.Black);
            total.LineWidth = 2.5f;
            for (int c = 0; c < data.ClusterCount; c++)
            {
                double[] ys = Enumerable.Range(0, Points).Select(i => components[i, c]).ToArray();
                var line = plot.Add.ScatterLine(xs, ys, PictureStyle.ClusterColour(c).Darken(0.15));
                line.LineWidth = 1.5f;
                line.LinePattern = LinePattern.Dashed;
            }
            top = Math.Max(top, mixture.Max());
        }
        Means(plot, data, c => (data.Centres![c, column], 0));
        plot.Axes.SetLimits(low, high, -0.04 * top, top * 1.12);
    }

    // Bins: √n, from 10 to 60; heights in density units (the bars' area is 1), so they compare
    // with the fitted density.
    private static double Histogram(Plot plot, PlotData data, int column, double low, double high, bool stacked)
    {
        int observed = Enumerable.Range(0, data.RowCount).Count(i => data.Observed(i, column));
        int bins = Math.Clamp((int)Math.Sqrt(observed), 10, 60);
        double width = (high - low) / bins;
        var counts = new int[stacked ? data.ClusterCount : 1, bins];
        for (int i = 0; i < data.RowCount; i++)
            if (data.Observed(i, column))
                counts[stacked ? data.Labels[i] : 0, Math.Clamp((int)((data.Points[i, column] - low) / width), 0, bins - 1)]++;
        var bars = new List<Bar>();
        double top = 0;
        for (int b = 0; b < bins; b++)
        {
            double bottom = 0;
            for (int c = 0; c < counts.GetLength(0); c++)
            {
                double height = counts[c, b] / (Math.Max(observed, 1) * width);
                if (height <= 0)
                    continue;
                Color colour = stacked ? PictureStyle.ClusterColour(c).WithAlpha(0.55) : Colors.LightGray;
                bars.Add(new Bar
                {
                    Position = low + (b + 0.5) * width,
                    ValueBase = bottom,
                    Value = bottom + height,
                    Size = width,
                    FillColor = colour,
                    LineColor = Colors.White,
                    LineWidth = 0.5f,
                });
                bottom += height;
            }
            top = Math.Max(top, bottom);
        }
        plot.Add.Bars(bars);
        return top;
    }
}
