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
}
