using GpuEm.Data;
using GpuEm.Models.KMeans;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.KMeansTests;

/// <summary>
/// The float32 first pass of the reference k-means may only settle a point when the float64
/// ranking would pick the same centre: with and without it, labels, distances and statistics
/// must be identical (no tolerance), on easy data and on data built to defeat float32.
/// </summary>
public sealed class KMeansFloat32PrefilterTests
{
    private static void AssertSameAssignment(float[,] data, double[] centres, int k)
    {
        DataMatrix m = DataMatrix.From(data, null);
        var parameters = new KMeansParameters(k, m.Columns, centres);
        using var prefiltered = new ReferenceKMeansEngine(m);
        using var plain = new ReferenceKMeansEngine(m, prefilter: false);
        KMeansStatistics a = prefiltered.Expect(parameters);
        KMeansStatistics b = plain.Expect(parameters);

        Assert.Equal(plain.Labels(), prefiltered.Labels());
        Assert.Equal(plain.Distances(), prefiltered.Distances());
        Assert.Equal(b.Counts, a.Counts);
        Assert.Equal(b.Sums, a.Sums);
        Assert.Equal(b.Inertia, a.Inertia);
    }

    private static double[] CentresFrom(float[,] data, int k, int seed, double jitter = 0)
    {
        var random = new Random(seed);
        int d = data.GetLength(1);
        var centres = new double[k * d];
        for (int c = 0; c < k; c++)
        {
            int row = random.Next(data.GetLength(0));
            for (int j = 0; j < d; j++)
                centres[c * d + j] = data[row, j] + jitter * Synthetic.Normal(random);
        }
        return centres;
    }

    [Theory]
    [InlineData(2000, 16, 64, 1)]
    [InlineData(2003, 5, 13, 2)]   // k and d not multiples of the vector widths, a partial last group
    [InlineData(500, 1, 3, 3)]
    [InlineData(500, 33, 1, 4)]    // one centre: no runner-up
    [InlineData(1500, 64, 17, 5)]
    public void Random_mixtures_get_the_float64_labels(int n, int d, int k, int seed)
    {
        (float[,] data, _, _) = Synthetic.Mixture(n, d, Math.Min(k, 8), seed, separation: 2);
        AssertSameAssignment(data, CentresFrom(data, k, seed, jitter: 0.3), k);
    }

    [Fact]
    public void Clusters_far_apart_get_the_float64_labels()
    {
        // Two clusters at ±10⁴ with unit spread and centres 0.01 apart inside each: shifting by
        // the centres' mean cannot help, float32 scores err by ~10 while the margins are ~0.1,
        // so most points are ranked in float64 (with a zero bound this test fails).
        var random = new Random(6);
        var data = new float[3000, 8];
        for (int i = 0; i < 3000; i++)
            for (int j = 0; j < 8; j++)
                data[i, j] = (float)((i % 2 == 0 ? 1e4 : -1e4) + Synthetic.Normal(random));
        var centres = new double[24 * 8];
        for (int c = 0; c < 24; c++)
            for (int j = 0; j < 8; j++)
                centres[c * 8 + j] = (c % 2 == 0 ? 1e4 : -1e4) + 0.01 * Synthetic.Normal(random);
        AssertSameAssignment(data, centres, 24);
    }

    [Fact]
    public void Exact_ties_go_to_the_lowest_index_as_in_float64()
    {
        // Integer points on a grid and centres on the grid: many points are exactly equidistant
        // from two or more centres (the duplicated centres tie everywhere).
        var data = new float[2000, 3];
        var random = new Random(8);
        for (int i = 0; i < 2000; i++)
            for (int j = 0; j < 3; j++)
                data[i, j] = random.Next(-4, 5);
        var centres = new double[20 * 3];
        for (int c = 0; c < 20; c++)
            for (int j = 0; j < 3; j++)
                centres[c * 3 + j] = c < 18 ? random.Next(-4, 5) : centres[(c - 18) * 3 + j];
        AssertSameAssignment(data, centres, 20);
    }

    [Fact]
    public void Huge_values_fall_back_to_float64_instead_of_overflowing()
    {
        float[,] data = Synthetic.Gaussian(600, 4, seed: 9, scale: 1e19, offset: 0);
        AssertSameAssignment(data, CentresFrom(data, 10, 10, jitter: 0), 10);
    }
}
