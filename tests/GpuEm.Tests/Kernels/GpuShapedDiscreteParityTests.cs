using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Models.BernoulliMixture;
using GpuEm.Models.KMeans;
using GpuEm.Tests.Oracles;
using GpuEm.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace GpuEm.Tests.Kernels;

/// <summary>
/// The k-means and Bernoulli accelerator engines at the launch shapes a CUDA device gets, on the
/// GPU-shaped CPU accelerator (<see cref="GpuShapedDevice"/>: warps of 32): the k-means assignment,
/// the moments reduction and the float64 sum in groups of 128 threads (their launchers' plans on
/// any device with 128 or more), held to the float64 oracles with <see cref="OracleTests"/>'
/// tolerances and reasons. Every case has n not a multiple of 128 (a partial last group); the
/// edge cases have d = 1 and k = 1; wide cases split the staged centres and the moments' entries
/// into several tiles, the last partial.
/// </summary>
public sealed class GpuShapedDiscreteParityTests
{
    private const int ProductionGroupSize = 128;

    public static TheoryData<int, int, int, int> KMeansCases()
    {
        int fresh = Environment.TickCount & 0xFFFF;
        return new TheoryData<int, int, int, int>
        {
            // Three assignment groups, the last of 44 points.
            { 300, 5, 3, fresh },
            // d = 1, k = 1: one centre of one float staged; a last group of 2 points.
            { 130, 1, 1, fresh + 1 },
            // d = 1 with several clusters on a line.
            { 250, 1, 4, fresh + 2 },
            // 1,100 rows: two moments blocks; nine assignment groups.
            { 1100, 2, 4, fresh + 3 },
            // d = 700: centres staged 5 at a time (tiles of 5 and 2), the moments stage 5 points
            // at a time (the last tile 4) over two entry tiles of 512 and 189 entries.
            { 129, 700, 7, fresh + 4 },
        };
    }

    public static TheoryData<int, int, int, double, bool, int> BernoulliCases()
    {
        int fresh = Environment.TickCount & 0xFFFF;
        return new TheoryData<int, int, int, double, bool, int>
        {
            { 300, 12, 3, 0.2, true, fresh },
            // d = 1, k = 1 (no missing entries: a row needs one observed entry).
            { 130, 1, 1, 0.0, false, fresh + 1 },
            { 200, 1, 3, 0.0, true, fresh + 2 },
            // Two moments blocks of 550 rows, the mask reduced as well.
            { 1100, 40, 4, 0.1, true, fresh + 3 },
            // 521 entries: two entry tiles of the moments reduction (512 and 9).
            { 140, 520, 2, 0.0, false, fresh + 4 },
        };
    }

    [Fact]
    public void The_gpu_shaped_device_gives_the_kmeans_and_bernoulli_kernels_their_production_groups()
    {
        AcceleratorHandle handle = GpuShapedDevice.Handle;
        Assert.Equal(32, handle.Accelerator.WarpSize);
        foreach (KernelLaunch launch in AcceleratorKMeansEngine.Launches(handle.Limits, 5, 3)
            .Concat(AcceleratorBernoulliEngine.Launches(handle.Limits, 12)))
        {
            if (launch.ExplicitlyGrouped)
                Assert.Equal(ProductionGroupSize, launch.GroupSize);
            Assert.Equal(launch.GroupSize, AcceleratorKMeansEngine.Launches(DeviceLimits.Cuda, 5, 3)
                .Concat(AcceleratorBernoulliEngine.Launches(DeviceLimits.Cuda, 12))
                .First(l => l.Key == launch.Key).GroupSize);
        }
    }

    [Theory]
    [MemberData(nameof(KMeansCases))]
    public void Kmeans_statistics_match_the_oracle_in_128_thread_groups(int n, int d, int k, int seed)
    {
        (float[,] x, _, double[,] means) = Synthetic.Mixture(n, d, k, seed: seed, separation: 12);
        var random = new Random(seed);
        float[] weights = Enumerable.Range(0, n).Select(_ => (float)(0.5 + random.NextDouble())).ToArray();
        var centres = new double[k, d];
        var flat = new double[k * d];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
                flat[c * d + j] = centres[c, j] = means[c, j] + 0.3 * Synthetic.Normal(random);
        (double[] counts, double[] sums, double inertia) = DiscreteOracles.KMeans(x, weights, centres);

        KMeansStatistics actual;
        int[] labels;
        using (var engine = new AcceleratorKMeansEngine(GpuShapedDevice.Handle, DataMatrix.From(x, weights), k))
        {
            actual = engine.Expect(new KMeansParameters(k, d, flat));
            labels = engine.Labels();
        }

        // Well-separated clusters (no near ties): float32 distances rank as float64 ones do, so
        // the counts are the oracle's exactly and so is every label.
        string what = $"n={n} d={d} k={k} seed={seed}";
        Assert.Equal(counts, actual.Counts);
        Assert.Equal(n, labels.Length);
        Assert.All(labels, label => Assert.InRange(label, 0, k - 1));
        // Sums are taken around the float32 centres (the shifts): add them back. Held as in
        // OracleTests: float32 per-point terms, float64 sums.
        double[] engineSums = actual.Sums.Select((s, i) => s + actual.Counts[i / d] * actual.Shifts[i]).ToArray();
        Tolerance.Close(sums, engineSums, 1e-4, 1e-4, $"{what} Σ w x");
        Tolerance.Close(inertia, actual.Inertia, 1e-4, 1e-4, $"{what} inertia");
    }

    [Theory]
    [MemberData(nameof(BernoulliCases))]
    public void Bernoulli_statistics_match_the_oracle_in_128_thread_groups(
        int n, int d, int k, double missing, bool weighted, int seed)
    {
        var random = new Random(seed);
        var x = new float[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                x[i, j] = j > 0 && random.NextDouble() < missing ? float.NaN : random.Next(2);
        float[]? weights = weighted ? Enumerable.Range(0, n).Select(_ => (float)(0.5 + random.NextDouble())).ToArray() : null;
        var mixing = Enumerable.Range(0, k).Select(_ => 0.2 + random.NextDouble()).ToArray();
        double total = mixing.Sum();
        for (int c = 0; c < k; c++)
            mixing[c] /= total;
        var p = new double[k, d];
        var flat = new double[k * d];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
                flat[c * d + j] = p[c, j] = 0.05 + 0.9 * random.NextDouble();
        (double[] nk, double[] ones, double[] observed, double logLikelihood, double totalWeight) =
            DiscreteOracles.Bernoulli(x, weights, mixing, p);

        BernoulliStatistics actual;
        using (var engine = new AcceleratorBernoulliEngine(GpuShapedDevice.Handle, BinaryData.From(x, weights), k, null))
            actual = engine.Expect(new BernoulliParameters(k, d, mixing, flat));

        // As OracleTests: each log p(x, k) is a float32 sum of d terms of size ≤ ~3 (ε ≈ 6e-8 per
        // term), the statistics float64 sums of float32 responsibilities.
        string what = $"n={n} d={d} k={k} missing={missing} weighted={weighted} seed={seed}";
        Tolerance.Close(nk, actual.Weight, 1e-4, 1e-4, $"{what} N_k");
        Tolerance.Close(ones, actual.Ones, 1e-4, 1e-4, $"{what} S_kj");
        if (missing > 0)
            Tolerance.Close(observed, actual.Observed!, 1e-4, 1e-4, $"{what} O_kj");
        Tolerance.Close(logLikelihood, actual.LogLikelihood, 1e-5 * n, 1e-4, $"{what} log-likelihood");
        Tolerance.Close(totalWeight, actual.TotalWeight, 1e-9, 1e-12, $"{what} total weight");
    }

    [Fact]
    public void Auto_grouped_kernels_run_in_warp_sized_groups_on_the_gpu_shaped_device()
    {
        // The Bernoulli E-step, k-means++'s distance update and the partials' combine are
        // implicitly grouped: ILGPU picks their group size at launch, CUDA's occupancy calculator
        // up to 1,024 threads, ILGPU 1.5.3's CPU accelerator its warp size (measured here with a
        // probe loaded as the engines load theirs). These kernels use no shared memory, barrier or
        // group operation (one thread per point or slot, bounds checked by ILGPU's launcher), so
        // the group size changes only the partial last group, which every case above has (n not a
        // multiple of 32). This fact pins what the emulator does, so that a change is noticed.
        Accelerator accelerator = GpuShapedDevice.Handle.Accelerator;
        const int N = 1000;
        int[] sizes;
        lock (GpuShapedDevice.Handle.Sync)
        {
            using var buffer = accelerator.Allocate1D<int>(N);
            var probe = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>>(GroupSizeProbe);
            probe(N, buffer.View);
            accelerator.Synchronize();
            sizes = buffer.GetAsArray1D();
        }
        Assert.Equal(accelerator.WarpSize, sizes.Distinct().Single());
        Assert.Equal(32, accelerator.WarpSize);
    }

    // Each point writes its group's size.
    internal static void GroupSizeProbe(Index1D index, ArrayView<int> sizes) => sizes[index] = Group.DimX;
}
