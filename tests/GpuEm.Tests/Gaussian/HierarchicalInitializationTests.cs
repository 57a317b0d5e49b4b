using GpuEm.Data;
using GpuEm.Models.GaussianMixture;
using Xunit;

namespace GpuEm.Tests.Gaussian;

/// <summary>
/// <see cref="GaussianInitialization.Hierarchical"/>: Ward's agglomeration by the nearest-neighbour
/// chain equals the greedy brute-force merge on tiny inputs (weighted and not), and the start it
/// gives a mixture fit: deterministic on all points, seeded on a subsample.
/// </summary>
public sealed class HierarchicalInitializationTests
{
    // Greedy Ward: merge the pair with the least w_a w_b / (w_a + w_b) |μ_a − μ_b|² until k clusters remain.
    private static List<HashSet<int>> BruteForce(float[,] x, float[]? weights, int k)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var clusters = Enumerable.Range(0, n).Select(i => new HashSet<int> { i }).ToList();
        double W(HashSet<int> c) => c.Sum(i => weights?[i] ?? 1.0);
        double[] Mean(HashSet<int> c) => Enumerable.Range(0, d).Select(j => c.Sum(i => (weights?[i] ?? 1.0) * x[i, j]) / W(c)).ToArray();
        while (clusters.Count > k)
        {
            (double best, int a, int b) = (double.PositiveInfinity, -1, -1);
            for (int a1 = 0; a1 < clusters.Count; a1++)
                for (int b1 = a1 + 1; b1 < clusters.Count; b1++)
                {
                    double[] ma = Mean(clusters[a1]), mb = Mean(clusters[b1]);
                    double wa = W(clusters[a1]), wb = W(clusters[b1]);
                    double cost = wa * wb / (wa + wb) * ma.Zip(mb, (p, q) => (p - q) * (p - q)).Sum();
                    if (cost < best)
                        (best, a, b) = (cost, a1, b1);
                }
            clusters[a].UnionWith(clusters[b]);
            clusters.RemoveAt(b);
        }
        return clusters;
    }

    [Theory]
    [InlineData(1, 10, 2, 3, false)]
    [InlineData(2, 14, 3, 4, true)]
    [InlineData(3, 9, 1, 2, false)]
    [InlineData(4, 16, 2, 5, true)]
    [InlineData(5, 12, 4, 1, false)]
    [InlineData(6, 8, 2, 8, false)]
    public void TheChainGivesTheGreedyMergesPartition(int seed, int n, int d, int k, bool weighted)
    {
        var random = new Random(seed);
        var x = new float[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                x[i, j] = (float)(random.NextDouble() * 10);
        float[]? weights = weighted ? Enumerable.Range(0, n).Select(_ => (float)(0.5 + random.NextDouble() * 2)).ToArray() : null;
        int[] labels = WardHierarchy.Cut(DataMatrix.From(x, weights), Enumerable.Range(0, n).ToArray(), k);
        var expected = BruteForce(x, weights, k).Select(c => string.Join(",", c.Order())).Order().ToArray();
        var actual = labels.Select((label, i) => (label, i)).GroupBy(p => p.label)
            .Select(g => string.Join(",", g.Select(p => p.i).Order())).Order().ToArray();
        Assert.Equal(expected, actual);
        Assert.Equal(Enumerable.Range(0, k), labels.Distinct().Order());
    }

    [Fact]
    public void AMixtureFromTheHierarchicalStartIsDeterministicOnAllPointsAndSeededOnASubsample()
    {
        var random = new Random(3);
        var x = new float[240, 2];
        for (int i = 0; i < 240; i++)
        {
            x[i, 0] = (float)(i % 3 * 5 + Support.Synthetic.Normal(random));
            x[i, 1] = (float)(i % 3 * 2 + Support.Synthetic.Normal(random));
        }
        var options = new GaussianMixtureOptions
        {
            ComponentCount = 3,
            Initialization = GaussianInitialization.Hierarchical,
            HierarchicalWhitening = false,
            Backend = Backend.Reference,
        };
        GaussianMixtureModel a = new GaussianMixture(options with { Seed = 1 }).Fit(x);
        GaussianMixtureModel b = new GaussianMixture(options with { Seed = 2 }).Fit(x);
        Assert.Equal(a.Means, b.Means);
        double[] centres = Enumerable.Range(0, 3).Select(c => a.Means[c, 0]).Order().ToArray();
        Assert.Equal(0, centres[0], 0.5);
        Assert.Equal(5, centres[1], 0.5);
        Assert.Equal(10, centres[2], 0.5);

        var sub = options with { HierarchicalSubsample = 40 };
        GaussianMixtureModel c1 = new GaussianMixture(sub with { Seed = 1 }).Fit(x);
        GaussianMixtureModel c2 = new GaussianMixture(sub with { Seed = 1 }).Fit(x);
        Assert.Equal(c1.Means, c2.Means);
        Assert.Equal(a.LogLikelihood, c1.LogLikelihood, 1e-3 * 240);

        Assert.Equal("HierarchicalSubsample", Assert.Throws<ArgumentOutOfRangeException>(
            () => new GaussianMixture(options with { HierarchicalSubsample = 2 })).ParamName);
    }

    [Fact]
    public void WhiteningMakesTheMergesIndependentOfEachColumnsScale()
    {
        var random = new Random(9);
        var x = new float[90, 2];
        var scaled = new float[90, 2];
        for (int i = 0; i < 90; i++)
        {
            x[i, 0] = (float)(i % 3 * 4 + Support.Synthetic.Normal(random));
            x[i, 1] = (float)Support.Synthetic.Normal(random);
            (scaled[i, 0], scaled[i, 1]) = (x[i, 0] * 1000, x[i, 1] * 0.001f);
        }
        int[] all = Enumerable.Range(0, 90).ToArray();
        int[] plain = WardHierarchy.Cut(GaussianInitializer.Whitened(DataMatrix.From(x, null), all), all, 3);
        int[] rescaled = WardHierarchy.Cut(GaussianInitializer.Whitened(DataMatrix.From(scaled, null), all), all, 3);
        Assert.Equal(plain, rescaled);
        // Whitened coordinates: mean 0 and unit variance on each axis.
        DataMatrix white = GaussianInitializer.Whitened(DataMatrix.From(scaled, null), all);
        for (int j = 0; j < 2; j++)
        {
            double mean = all.Average(i => white.Row(i)[j]);
            Assert.Equal(0, mean, 1e-5);
            Assert.Equal(1, all.Average(i => Math.Pow(white.Row(i)[j] - mean, 2)), 1e-4);
        }
    }

    [Fact]
    public void HierarchicalFirstStartsAreTheTwoHierarchicalFitsAmongTheRestarts()
    {
        var random = new Random(12);
        var x = new float[150, 3];
        for (int i = 0; i < 150; i++)
            for (int j = 0; j < 3; j++)
                x[i, j] = (float)(i % 4 * (j + 1) * 1.5 + Support.Synthetic.Normal(random) * (j + 1));
        var options = new GaussianMixtureOptions { ComponentCount = 4, Backend = Backend.Reference, Seed = 3 };
        double white = new GaussianMixture(options with { Initialization = GaussianInitialization.Hierarchical }).Fit(x).LogLikelihood;
        double raw = new GaussianMixture(options with { Initialization = GaussianInitialization.Hierarchical, HierarchicalWhitening = false })
            .Fit(x).LogLikelihood;
        GaussianMixtureModel two = new GaussianMixture(options with { HierarchicalFirstStarts = true, Restarts = 2 }).Fit(x);
        Assert.Equal(Math.Max(white, raw), two.LogLikelihood);
        GaussianMixtureModel more = new GaussianMixture(options with { HierarchicalFirstStarts = true, Restarts = 5 }).Fit(x);
        Assert.True(more.LogLikelihood >= two.LogLikelihood);
    }
}
