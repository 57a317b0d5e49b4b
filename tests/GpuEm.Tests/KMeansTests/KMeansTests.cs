using GpuEm.Em;
using GpuEm.Models.KMeans;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.KMeansTests;

public sealed class KMeansTests
{
    public static TheoryData<int, int, int, int> ParityShapes() => new()
    {
        { 500, 2, 4, 1 }, { 257, 1, 3, 2 }, { 300, 7, 1, 3 }, { 1200, 5, 9, 4 }, { 40, 3, 40, 5 },
    };

    [Theory]
    [MemberData(nameof(ParityShapes))]
    public void Accelerator_matches_reference_after_1_and_10_iterations(int n, int d, int k, int seed)
    {
        (float[,] data, _, _) = Synthetic.Mixture(n, d, Math.Max(1, Math.Min(k, 6)), seed, separation: 4);
        var random = new Random(seed);
        var centres = new double[k, d];
        int[] rows = Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(k).ToArray();
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
                centres[c, j] = data[rows[c], j];
        foreach (int iterations in new[] { 1, 10 })
        {
            var options = new KMeansOptions
            {
                ClusterCount = k,
                Initialization = KMeansInitialization.Given,
                InitialCentres = centres,
                MaxIterations = iterations,
                Tolerance = 0,
            };
            KMeansModel reference = new KMeans(options with { Backend = Backend.Reference }).Fit(data);
            KMeansModel accelerator = new KMeans(options with { Backend = Backend.CpuAccelerator }).Fit(data);
            Assert.Equal(Backend.CpuAccelerator, accelerator.Backend);
            // Same labels: the data has no near-ties at float32 precision (checked by the exact equality).
            Assert.Equal(reference.Labels, accelerator.Labels);
            Assert.Equal(reference.Iterations, accelerator.Iterations);
            // Centres are means of the same points: float32 (x − c) terms summed in float64.
            Tolerance.Close(reference.Centres, accelerator.Centres, 1e-5, 1e-6, $"centres after {iterations}");
            // Inertia: float32 squared distances (relative error ~d·6e-8) summed in float64.
            Tolerance.Close(reference.Inertia, accelerator.Inertia, 1e-6, 1e-5, $"inertia after {iterations}");
        }
    }

    [Theory]
    [InlineData(Backend.Reference)]
    [InlineData(Backend.CpuAccelerator)]
    public void Inertia_never_increases_from_one_iteration_to_the_next(Backend backend)
    {
        (float[,] data, _, _) = Synthetic.Mixture(1500, 2, 6, seed: 3, separation: 1.5);
        KMeansModel model = new KMeans(new KMeansOptions
        {
            ClusterCount = 6,
            Initialization = KMeansInitialization.RandomPoints,
            Tolerance = 0,
            Backend = backend,
        }).Fit(data);
        IReadOnlyList<double> history = model.InertiaHistory;
        Assert.True(history.Count > 2);
        for (int i = 1; i < history.Count; i++)
            // Lloyd's guarantee; float64 (reference) or float64 sums of float32 terms (accelerator, ~1e-6 relative).
            Assert.True(history[i] <= history[i - 1] * (1 + 1e-6), $"iteration {i}: {history[i]} > {history[i - 1]}");
        Assert.True(model.Converged);
        Tolerance.Close(-model.Inertia, model.Score(data), 1e-9, 1e-6, "score");
    }

    [Fact]
    public void Well_separated_blobs_are_recovered_exactly()
    {
        (float[,] data, int[] truth, _) = Synthetic.Mixture(3000, 3, 5, seed: 9, separation: 20);
        KMeansModel model = new KMeans(new KMeansOptions { ClusterCount = 5, Backend = Backend.Reference, Restarts = 2 }).Fit(data);
        Assert.Equal(1.0, AdjustedRandIndex(truth, model.Labels), 12);
        Assert.Equal(model.Labels, model.Predict(data));
    }

    [Theory]
    [InlineData(Backend.Reference)]
    [InlineData(Backend.CpuAccelerator)]
    public void The_same_seed_gives_the_same_model(Backend backend)
    {
        (float[,] data, _, _) = Synthetic.Mixture(600, 2, 4, seed: 2, separation: 2);
        var options = new KMeansOptions { ClusterCount = 4, Seed = 7, Restarts = 3, Backend = backend };
        KMeansModel a = new KMeans(options).Fit(data);
        KMeansModel b = new KMeans(options).Fit(data);
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(Tolerance.Flatten(a.Centres), Tolerance.Flatten(b.Centres));
        Assert.Equal(a.InertiaHistory, b.InertiaHistory);
    }

    [Fact]
    public void Kmeans_plus_plus_seeding_on_the_accelerator_picks_what_the_reference_picks()
    {
        (float[,] data, int[] truth, _) = Synthetic.Mixture(1500, 3, 6, seed: 31, separation: 25);
        var options = new KMeansOptions { ClusterCount = 6, MaxIterations = 0, Seed = 3 };
        KMeansModel reference = new KMeans(options with { Backend = Backend.Reference }).Fit(data);
        KMeansModel accelerator = new KMeans(options with { Backend = Backend.CpuAccelerator }).Fit(data);
        // The draws are ∝ w·D² from float32 (device) or float64 (host) distances; with blobs 25σ
        // apart every candidate choice is far from a boundary, so both pick the same rows.
        Assert.Equal(Tolerance.Flatten(reference.Centres), Tolerance.Flatten(accelerator.Centres));
        // One seed per blob: the starting labelling already recovers the blobs.
        Assert.Equal(1.0, AdjustedRandIndex(truth, accelerator.Labels), 12);
        var rows = new HashSet<string>();
        double[,] centres = accelerator.Centres;
        for (int c = 0; c < 6; c++)
        {
            bool isDataPoint = Enumerable.Range(0, 1500).Any(i =>
                Enumerable.Range(0, 3).All(j => data[i, j] == (float)centres[c, j]));
            Assert.True(isDataPoint, $"centre {c} is not a data point");
            Assert.True(rows.Add($"{centres[c, 0]},{centres[c, 1]},{centres[c, 2]}"));
        }
    }

    [Fact]
    public void K_equal_to_n_puts_every_point_in_its_own_cluster()
    {
        float[,] data = Synthetic.Gaussian(25, 3, seed: 4);
        KMeansModel model = new KMeans(new KMeansOptions { ClusterCount = 25, Backend = Backend.Reference }).Fit(data);
        Assert.Equal(25, model.Labels.Distinct().Count());
        Assert.Equal(0.0, model.Inertia);
    }

    [Theory]
    [InlineData(Backend.Reference)]
    [InlineData(Backend.CpuAccelerator)]
    public void An_empty_cluster_is_reseeded_with_the_farthest_point(Backend backend)
    {
        (float[,] data, _, _) = Synthetic.Mixture(200, 2, 2, seed: 5, separation: 10);
        // The third centre is far from every point: it gets none in the first assignment.
        var centres = new double[,] { { 0, 0 }, { 10, 0 }, { 1000, 1000 } };
        var warnings = new List<string>();
        KMeansModel model = new KMeans(new KMeansOptions
        {
            ClusterCount = 3,
            Initialization = KMeansInitialization.Given,
            InitialCentres = centres,
            Backend = backend,
            Progress = new SynchronousProgress<FitProgress>(p =>
            {
                if (p.Warning is not null)
                    warnings.Add(p.Warning);
            }),
        }).Fit(data);
        Assert.True(model.ReseededClusters >= 1);
        Assert.Contains(warnings, w => w.StartsWith("Cluster 2 became empty", StringComparison.Ordinal));
        Assert.Equal(3, model.Labels.Distinct().Count());
        Assert.All(Tolerance.Flatten(model.Centres), v => Assert.True(double.IsFinite(v)));
        Assert.True(model.Centres[2, 0] < 100);
    }

    [Fact]
    public void Bad_input_is_rejected_clearly()
    {
        float[,] data = Synthetic.Gaussian(10, 2, seed: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new KMeans(new KMeansOptions { ClusterCount = 0 }));
        Assert.Contains("n = 10", Assert.Throws<ArgumentException>(
            () => new KMeans(new KMeansOptions { ClusterCount = 11, Backend = Backend.Reference }).Fit(data)).Message);
        data[3, 1] = float.NaN;
        Assert.Contains("row 3, column 1", Assert.Throws<ArgumentException>(
            () => new KMeans(new KMeansOptions { ClusterCount = 2 }).Fit(data)).Message);
        data[3, 1] = 0;
        KMeansModel model = new KMeans(new KMeansOptions { ClusterCount = 2, Backend = Backend.Reference }).Fit(data);
        Assert.Throws<ArgumentException>(() => model.Predict(new float[3, 5]));
        Assert.Throws<ArgumentException>(() => new KMeans(new KMeansOptions { ClusterCount = 2 }).Fit(data, new float[10]));
        float[] negative = Enumerable.Repeat(1f, 10).ToArray();
        negative[2] = -1;
        Assert.Throws<ArgumentException>(() => new KMeans(new KMeansOptions { ClusterCount = 2 }).Fit(data, negative));
        Assert.Throws<ArgumentException>(() => new KMeans(new KMeansOptions
        {
            ClusterCount = 2,
            Initialization = KMeansInitialization.Given,
            InitialCentres = new double[3, 2],
        }));
    }

    [Fact]
    public void Weights_act_as_multiplicities()
    {
        float[,] data = { { 0 }, { 1 }, { 10 }, { 11 } };
        KMeansModel model = new KMeans(new KMeansOptions
        {
            ClusterCount = 2,
            Initialization = KMeansInitialization.Given,
            InitialCentres = new double[,] { { 0 }, { 10 } },
            Backend = Backend.Reference,
        }).Fit(data, new float[] { 3, 1, 1, 1 });
        Assert.Equal(0.25, model.Centres[0, 0], 12);
        Assert.Equal(10.5, model.Centres[1, 0], 12);
        Assert.Equal(3 * 0.0625 + 0.5625 + 0.25 + 0.25, model.Inertia, 12);
    }

    [Fact]
    public void Transform_gives_euclidean_distances_to_every_centre()
    {
        float[,] data = { { 0, 0 }, { 3, 4 } };
        KMeansModel model = new KMeans(new KMeansOptions
        {
            ClusterCount = 2,
            Initialization = KMeansInitialization.Given,
            InitialCentres = new double[,] { { 0, 0 }, { 3, 4 } },
            Backend = Backend.Reference,
            MaxIterations = 0,
        }).Fit(data);
        double[,] distances = model.Transform(data);
        Assert.Equal(new double[] { 0, 5, 5, 0 }, Tolerance.Flatten(distances));
    }

    internal static double AdjustedRandIndex(int[] a, int[] b)
    {
        var table = new Dictionary<(int, int), long>();
        var rowSums = new Dictionary<int, long>();
        var colSums = new Dictionary<int, long>();
        for (int i = 0; i < a.Length; i++)
        {
            table[(a[i], b[i])] = table.GetValueOrDefault((a[i], b[i])) + 1;
            rowSums[a[i]] = rowSums.GetValueOrDefault(a[i]) + 1;
            colSums[b[i]] = colSums.GetValueOrDefault(b[i]) + 1;
        }
        static double Pairs(long m) => m * (m - 1) / 2.0;
        double index = table.Values.Sum(Pairs);
        double rows = rowSums.Values.Sum(Pairs);
        double cols = colSums.Values.Sum(Pairs);
        double expected = rows * cols / Pairs(a.Length);
        double max = 0.5 * (rows + cols);
        return (index - expected) / (max - expected);
    }
}
