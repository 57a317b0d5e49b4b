using GpuEm.Data;
using GpuEm.Models;
using GpuEm.Models.GaussianMixture;
using GpuEm.Persistence;
using MathNet.Numerics.LinearAlgebra;
using ScottPlot;

namespace GpuEm.Cli;

/// <summary>
/// Pictures: the data coloured by cluster with each Gaussian's 1σ and 2σ ellipses (or the
/// k-means centres) beside the log-likelihood (inertia) curve; and BIC against k for a selection.
/// Drawn by ScottPlot into PNG files, no display needed.
/// </summary>
internal static class PlotCommands
{
    private const string PlotHelp = """
        usage: gpuem plot --model MODEL.json --input FILE.csv --out FIG.png [--width 1200] [--height 500]
                          [--missing error|marginalize]

        Left: the data (the first two columns, or the first two principal components when d > 2)
        coloured by the model's labels, with each Gaussian's 1σ and 2σ ellipses (k-means: its
        centres; a Bernoulli mixture: its probabilities). Right: the fit's objective at each
        iteration (mixtures: the mean log-likelihood per point; k-means: −inertia). Any clustering
        model file (gpuem fit|kmeans|bernoulli|categorical --output) can be drawn.
        """;

    public static int Plot(string[] args, CliContext context)
    {
        TextWriter stdout = context.Out;
        var a = new Arguments(args, new HashSet<string>(["model", "input", "out", "width", "height", "missing"], StringComparer.Ordinal),
            new HashSet<string>(StringComparer.Ordinal));
        if (a.Flag("help"))
        {
            stdout.WriteLine(PlotHelp);
            return 0;
        }
        IFittedModel loaded = ModelFile.Load(a.Required("model"));
        var model = loaded as IClusteringModel
            ?? throw new UsageException($"a {loaded.Kind} model has no clusters to draw; plot needs a clustering model");
        bool missing = ModelCommands.Marginalize(a);
        float[,] data = CsvMatrixReader.Read(InputFile.RequireCsv(a.Required("input"), "plot"), missing);
        string output = a.Required("out");
        int width = Pixels(a, "width", 1200, MinimumWidth);
        int height = Pixels(a, "height", 500, MinimumHeight);

        // Mixtures marginalize missing entries; hard-assignment models see them as column means.
        int[] labels = model.Predict(new ArrayDataSource(model is IProbabilisticClusteringModel ? data : FillMissing(data)));
        double[] history = model.Summary.ObjectiveHistory.ToArray();
        string curve = $"{model.Kind}: objective per iteration";
        int d = data.GetLength(1);
        Projection projection = Projection.For(FillMissing(data));
        var centred = model as ICentredClusteringModel;
        double[,]? centres = centred?.ClusterCentres;
        double[,,]? covariances = centred?.ClusterCovariances;

        var scatter = new Plot();
        int clusters = model.ClusterCount;
        for (int c = 0; c < clusters; c++)
        {
            var xs = new List<double>();
            var ys = new List<double>();
            for (int i = 0; i < labels.Length; i++)
            {
                if (labels[i] != c || HasNaN(data, i))
                    continue;
                (double x, double y) = projection.Apply(Row(data, i));
                xs.Add(x);
                ys.Add(y);
            }
            var points = scatter.Add.ScatterPoints(xs.ToArray(), ys.ToArray());
            points.LegendText = $"cluster {c}";
            points.MarkerSize = 4;
            Color color = points.Color;
            if (centres is not null && covariances is not null)
            {
                (double cx, double cy) = projection.Apply(Row(centres, c));
                double[,] cov = projection.Covariance(covariances, c);
                var eigen = Matrix<double>.Build.DenseOfArray(cov).Evd(Symmetricity.Symmetric);
                foreach (double sigma in new[] { 1.0, 2.0 })
                {
                    // The ellipse traced in data coordinates: μ + σ (√λ₁ cos t v₁ + √λ₂ sin t v₂).
                    double[] ex = new double[129], ey = new double[129];
                    double r0 = sigma * Math.Sqrt(Math.Max(eigen.EigenValues[0].Real, 0));
                    double r1 = sigma * Math.Sqrt(Math.Max(eigen.EigenValues[1].Real, 0));
                    for (int t = 0; t <= 128; t++)
                    {
                        double angle = 2 * Math.PI * t / 128;
                        double u = r0 * Math.Cos(angle), v = r1 * Math.Sin(angle);
                        ex[t] = cx + u * eigen.EigenVectors[0, 0] + v * eigen.EigenVectors[0, 1];
                        ey[t] = cy + u * eigen.EigenVectors[1, 0] + v * eigen.EigenVectors[1, 1];
                    }
                    var ellipse = scatter.Add.Scatter(ex, ey);
                    ellipse.MarkerSize = 0;
                    ellipse.Color = color;
                    ellipse.LineWidth = sigma == 1 ? 2 : 1;
                }
            }
            else if (centres is not null)
            {
                (double cx, double cy) = projection.Apply(Row(centres, c));
                var centre = scatter.Add.ScatterPoints(new[] { cx }, new[] { cy });
                centre.MarkerSize = 14;
                centre.Color = color;
            }
        }
        scatter.Title(covariances is not null ? $"{model.Kind} (1σ and 2σ ellipses)" : model.Kind);
        scatter.XLabel(d > 2 ? "principal component 1" : "column 1");
        scatter.YLabel(d > 2 ? "principal component 2" : "column 2");
        scatter.ShowLegend();

        var trace = new Plot();
        double[] iterations = Enumerable.Range(0, history.Length).Select(i => (double)i).ToArray();
        trace.Add.Scatter(iterations, history);
        trace.Title(curve);
        trace.XLabel("iteration");
        trace.YLabel(curve);

        SideBySide(output, width, height, scatter, trace);
        stdout.WriteLine($"wrote {output} ({width} × {height})");
        return 0;
    }

    /// <summary>BIC (or AIC) against k, one line per covariance type.</summary>
    public static void Selection(ModelSelectionResult result, string output, int width = 800, int height = 500)
    {
        var plot = new Plot();
        foreach (IGrouping<CovarianceType, ModelSelectionCandidate> group in result.Candidates
                     .Where(c => c.Model is not null).GroupBy(c => c.CovarianceType))
        {
            double[] ks = group.Select(c => (double)c.ComponentCount).ToArray();
            double[] values = group.Select(c => result.Criterion == SelectionCriterion.Bic ? c.Bic : c.Aic).ToArray();
            var line = plot.Add.Scatter(ks, values);
            line.LegendText = group.Key.ToString();
        }
        string name = result.Criterion.ToString().ToUpperInvariant();
        plot.Title($"{name} by number of components (lower is better)");
        plot.XLabel("k");
        plot.YLabel(name);
        plot.ShowLegend();
        plot.SavePng(output, width, height);
    }

    private const int MinimumWidth = 200;
    private const int MinimumHeight = 150;

    /// <summary>The largest --width and --height: 10,000 px a side (400 MB of pixels at most).</summary>
    internal const int MaximumSide = 10_000;

    // --width or --height: a whole number of pixels within the bounds, else a usage error.
    private static int Pixels(Arguments a, string name, int fallback, int minimum)
    {
        if (a.Text(name) is not { } text)
            return fallback;
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value)
            && value >= minimum && value <= MaximumSide
            ? value
            : throw new UsageException($"--{name} '{text}' is not a whole number of pixels from {minimum} to {MaximumSide}");
    }

    private static void SideBySide(string output, int width, int height, Plot left, Plot right)
    {
        int half = width / 2;
        // Skia returns no surface (null) when it cannot allocate the pixels.
        using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(width, height))
            ?? throw new InvalidOperationException($"cannot allocate a {width} × {height} image; choose a smaller --width or --height");
        surface.Canvas.Clear(SkiaSharp.SKColors.White);
        foreach ((Plot plot, int x) in new[] { (left, 0), (right, half) })
        {
            byte[] png = plot.GetImageBytes(half, height, ImageFormat.Png);
            using var bitmap = SkiaSharp.SKBitmap.Decode(png);
            surface.Canvas.DrawBitmap(bitmap, x, 0);
        }
        using SkiaSharp.SKImage image = surface.Snapshot();
        using SkiaSharp.SKData encoded = image.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        using FileStream file = File.Create(output);
        encoded.SaveTo(file);
    }

    private static bool HasNaN(float[,] data, int row)
    {
        for (int j = 0; j < data.GetLength(1); j++)
            if (float.IsNaN(data[row, j]))
                return true;
        return false;
    }

    // Missing entries as their column means, for the projection and k-means labels only.
    private static float[,] FillMissing(float[,] data)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        var means = new double[d];
        var counts = new int[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                if (!float.IsNaN(data[i, j]))
                {
                    means[j] += data[i, j];
                    counts[j]++;
                }
        var filled = (float[,])data.Clone();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                if (float.IsNaN(filled[i, j]))
                    filled[i, j] = counts[j] > 0 ? (float)(means[j] / counts[j]) : 0f;
        return filled;
    }

    private static double[] Row(float[,] data, int row) =>
        Enumerable.Range(0, data.GetLength(1)).Select(j => (double)data[row, j]).ToArray();

    private static double[] Row(double[,] data, int row) =>
        Enumerable.Range(0, data.GetLength(1)).Select(j => data[row, j]).ToArray();

    /// <summary>x ↦ (x − m) P for a d × 2 basis P: the first two columns, or the two leading
    /// principal components.</summary>
    private sealed class Projection(double[] centre, Matrix<double> basis)
    {
        public static Projection For(float[,] data)
        {
            int n = data.GetLength(0), d = data.GetLength(1);
            if (d <= 2)
            {
                var identity = Matrix<double>.Build.Dense(d, 2, (i, j) => i == j ? 1 : 0);
                return new Projection(new double[d], identity);
            }
            var x = Matrix<double>.Build.Dense(n, d, (i, j) => data[i, j]);
            double[] mean = Enumerable.Range(0, d).Select(j => x.Column(j).Average()).ToArray();
            var centred = Matrix<double>.Build.Dense(n, d, (i, j) => x[i, j] - mean[j]);
            var evd = (centred.TransposeThisAndMultiply(centred) / n).Evd(Symmetricity.Symmetric);
            // MathNet sorts eigenvalues ascending: the last two columns lead.
            var basis = Matrix<double>.Build.Dense(d, 2, (i, j) => evd.EigenVectors[i, d - 1 - j]);
            return new Projection(mean, basis);
        }

        public (double X, double Y) Apply(double[] point)
        {
            double x = 0, y = 0;
            for (int j = 0; j < point.Length; j++)
            {
                x += (point[j] - centre[j]) * basis[j, 0];
                y += (point[j] - centre[j]) * basis[j, 1];
            }
            return (x, y);
        }

        // Pᵀ Σ_c P.
        public double[,] Covariance(double[,,] covariances, int component)
        {
            int d = covariances.GetLength(1);
            var sigma = Matrix<double>.Build.Dense(d, d, (i, j) => covariances[component, i, j]);
            return (basis.Transpose() * sigma * basis).ToArray();
        }
    }
}
