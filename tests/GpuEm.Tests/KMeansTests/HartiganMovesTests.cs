using GpuEm.Data;
using GpuEm.Models.KMeans;
using Xunit;

namespace GpuEm.Tests.KMeansTests;

/// <summary>
/// <see cref="KMeansOptions.HartiganMoves"/>: the move Lloyd cannot make, worked by hand; on random
/// data the result is a partition no single move improves (checked by brute force), its centres
/// are the means of its labels, every point is at its nearest centre, and the inertia never rises.
/// </summary>
public sealed class HartiganMovesTests
{
    [Fact]
    public void APointNearerItsOwnCentreStillMovesWhenTheCentresMovingLowersTheInertia()
    {
        // Lloyd's fixed point {−1, 1.2 | 3}: 1.2 is 1.1 from 0.1 and 1.8 from 3, inertia 2.42.
        // Moving 1.2 costs 1/2 · 1.8² = 1.62 in B and saves 2/1 · 1.1² = 2.42 in A: {−1 | 1.2, 3}, inertia 1.62.
        float[,] x = { { -1f }, { 1.2f }, { 3f } };
        var options = new KMeansOptions
        {
            ClusterCount = 2,
            Initialization = KMeansInitialization.Given,
            InitialCentres = new double[,] { { 0.1 }, { 3 } },
            Backend = Backend.Reference,
        };
        KMeansModel lloyd = new KMeans(options).Fit(x);
        Assert.Equal(2.42, lloyd.Inertia, 5);
        Assert.Equal(0, lloyd.HartiganMoves);

        KMeansModel moved = new KMeans(options with { HartiganMoves = true }).Fit(x);
        Assert.Equal(1, moved.HartiganMoves);
        Assert.Equal(1.62, moved.Inertia, 5);
        Assert.Equal([0, 1, 1], moved.Labels);
        Assert.Equal(-1, moved.Centres[0, 0], 6);
        Assert.Equal(2.1, moved.Centres[1, 0], 6);
        // The history is Lloyd's; the reported inertia is after the moves.
        Assert.Equal(2.42, moved.InertiaHistory[^1], 5);
    }

    public static TheoryData<int, int, int, int> Shapes => new()
    {
        { 1, 60, 2, 4 },
        { 2, 200, 3, 7 },
        { 3, 150, 5, 12 },
        { 4, 90, 1, 3 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void OnRandomDataNoSingleMoveImprovesTheResultAndTheInertiaNeverRises(int seed, int n, int d, int k)
    {
        var random = new Random(seed);
        var x = new float[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                x[i, j] = (float)(random.NextDouble() * 10 * (1 + i % 3));
        var options = new KMeansOptions { ClusterCount = k, Seed = seed, Backend = Backend.Reference, Initialization = KMeansInitialization.RandomPoints };
        KMeansModel lloyd = new KMeans(options).Fit(x);
        KMeansModel moved = new KMeans(options with { HartiganMoves = true }).Fit(x);
        Assert.True(moved.Inertia <= lloyd.Inertia, $"{moved.Inertia} > {lloyd.Inertia}");

        int[] labels = moved.Labels;
        double[,] centres = moved.Centres;
        double Inertia(int[] l)
        {
            double[] means = Means(x, l, k, out double[] counts);
            double total = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < d; j++)
                    total += Math.Pow(x[i, j] - means[l[i] * d + j], 2);
            return total;
        }
        double[] exact = Means(x, labels, k, out double[] sizes);
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
                Assert.Equal(exact[c * d + j], centres[c, j], 9);
        double current = Inertia(labels);
        Assert.Equal(current, moved.Inertia, current * 1e-6);
        for (int i = 0; i < n; i++)
        {
            if (sizes[labels[i]] <= 1)
                continue;
            for (int b = 0; b < k; b++)
            {
                if (b == labels[i])
                    continue;
                int[] other = (int[])labels.Clone();
                other[i] = b;
                Assert.True(Inertia(other) >= current * (1 - 1e-9), $"moving point {i} to {b} lowers the inertia");
            }
        }
    }

    private static double[] Means(float[,] x, int[] labels, int k, out double[] counts)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var sums = new double[k * d];
        counts = new double[k];
        for (int i = 0; i < n; i++)
        {
            counts[labels[i]]++;
            for (int j = 0; j < d; j++)
                sums[labels[i] * d + j] += x[i, j];
        }
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d && counts[c] > 0; j++)
                sums[c * d + j] /= counts[c];
        return sums;
    }

    [Fact]
    public void MaxHartiganSweepsBoundsTheSweeps()
    {
        var random = new Random(13);
        var x = new float[150, 2];
        for (int i = 0; i < 150; i++)
            (x[i, 0], x[i, 1]) = ((float)(random.NextDouble() * 9), (float)(random.NextDouble() * 3));
        DataMatrix data = DataMatrix.From(x, null);
        int[] Shuffled() => Enumerable.Range(0, 150).Select(i => i % 5).ToArray();
        (_, long oneMoves, int one) = HartiganMoves.Refine(data, Shuffled(), 5, maxSweeps: 1);
        (_, long allMoves, int all) = HartiganMoves.Refine(data, Shuffled(), 5, maxSweeps: 100);
        Assert.Equal(1, one);
        Assert.True(all > 1 && allMoves > oneMoves, $"{all} sweeps, {allMoves} moves against {oneMoves}");
    }

    [Fact]
    public void RefiningARefinedPartitionMovesNothing()
    {
        var random = new Random(8);
        var x = new float[120, 2];
        for (int i = 0; i < 120; i++)
        {
            x[i, 0] = (float)(random.NextDouble() * 4 + i % 4 * 2);
            x[i, 1] = (float)random.NextDouble();
        }
        DataMatrix data = DataMatrix.From(x, null);
        KMeansModel moved = new KMeans(new KMeansOptions { ClusterCount = 6, HartiganMoves = true, Backend = Backend.Reference, Seed = 2 }).Fit(x);
        int[] labels = moved.Labels;
        (double[] _, long moves, int sweeps) = HartiganMoves.Refine(data, labels, 6, 100);
        Assert.Equal(0, moves);
        Assert.Equal(1, sweeps);
        Assert.Equal("MaxHartiganSweeps", Assert.Throws<ArgumentOutOfRangeException>(
            () => new KMeans(new KMeansOptions { MaxHartiganSweeps = 0 })).ParamName);
    }
}

/// <summary>
/// <see cref="KMeansOptions.SeedingLocalSearch"/> (LocalSearch++): a step swaps only when the
/// seeding potential falls, so the potential never rises; a seed gives the same centres.
/// </summary>
public sealed class SeedingLocalSearchTests
{
    private static double Potential(DataMatrix data, double[] centres, int k)
    {
        double total = 0;
        for (int i = 0; i < data.Rows; i++)
        {
            double best = double.PositiveInfinity;
            for (int c = 0; c < k; c++)
            {
                double s = 0;
                for (int j = 0; j < data.Columns; j++)
                    s += Math.Pow(data.Row(i)[j] - centres[c * data.Columns + j], 2);
                best = Math.Min(best, s);
            }
            total += best;
        }
        return total;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 4)]
    [InlineData(3, 9)]
    public void TheSeedingPotentialNeverRisesAndFallsFromABadSeeding(int seed, int k)
    {
        var random = new Random(seed);
        var x = new float[200, 2];
        for (int i = 0; i < 200; i++)
        {
            x[i, 0] = (float)(i % 9 * 4 + random.NextDouble());
            x[i, 1] = (float)(i % 3 * 4 + random.NextDouble());
        }
        DataMatrix data = DataMatrix.From(x, null);
        // A bad seeding: the first k points (clustered in the first few groups).
        var centres = new double[k * 2];
        for (int c = 0; c < k; c++)
            (centres[c * 2], centres[c * 2 + 1]) = (x[c * 9 % 200, 0], x[c * 9 % 200, 1]);
        double before = Potential(data, centres, k);
        int swaps = SeedingLocalSearch.Improve(data, centres, k, 30, new Random(seed));
        double after = Potential(data, centres, k);
        Assert.True(after <= before);
        Assert.Equal(swaps > 0, after < before);
        if (k == 9)
            Assert.True(after < before / 2, $"{after} vs {before}");
        var again = new double[k * 2];
        for (int c = 0; c < k; c++)
            (again[c * 2], again[c * 2 + 1]) = (x[c * 9 % 200, 0], x[c * 9 % 200, 1]);
        SeedingLocalSearch.Improve(data, again, k, 30, new Random(seed));
        Assert.Equal(centres, again);
    }

    [Fact]
    public void AFitWithLocalSearchIsReproducibleForASeedAndRefusesNegativeSteps()
    {
        var random = new Random(4);
        var x = new float[300, 2];
        for (int i = 0; i < 300; i++)
        {
            x[i, 0] = (float)(i % 10 * 3 + random.NextDouble());
            x[i, 1] = (float)(random.NextDouble() * 2);
        }
        var options = new KMeansOptions { ClusterCount = 10, Backend = Backend.Reference, SeedingLocalSearch = 20 };
        KMeansModel a = new KMeans(options with { Seed = 5 }).Fit(x);
        KMeansModel b = new KMeans(options with { Seed = 5 }).Fit(x);
        Assert.Equal(a.Centres, b.Centres);
        Assert.Equal("SeedingLocalSearch", Assert.Throws<ArgumentOutOfRangeException>(
            () => new KMeans(options with { SeedingLocalSearch = -1 })).ParamName);
    }
}
