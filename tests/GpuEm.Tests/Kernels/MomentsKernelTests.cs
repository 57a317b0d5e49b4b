using GpuEm.Engines;
using GpuEm.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace GpuEm.Tests.Kernels;

/// <summary>
/// The shared reductions against float64 sums on random inputs: shapes that are not multiples of
/// the tiles (n, d, entries per group), d = 1, k = 1, hard labels and soft responsibilities.
/// </summary>
public sealed class MomentsKernelTests
{
    public static TheoryData<int, int, int, bool, bool, int> Cases()
    {
        var cases = new TheoryData<int, int, int, bool, bool, int>();
        // One seed per run is fresh (Environment.TickCount) and appears in the test name.
        int fresh = Environment.TickCount & 0xFFFF;
        foreach ((int n, int d, int k) in new[] { (1, 1, 1), (257, 1, 3), (1030, 5, 2), (70, 33, 1), (2500, 3, 4) })
            foreach (bool full in new[] { true, false })
                foreach (bool labels in new[] { false, true })
                    cases.Add(n, d, k, full, labels, n * 31 + d + k + fresh);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Weighted_moments_match_float64_sums(int n, int d, int k, bool full, bool useLabels, int seed)
    {
        AcceleratorHandle handle = DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
        var random = new Random(seed);
        float[] data = Enumerable.Range(0, n * d).Select(_ => (float)(10 + 3 * Synthetic.Normal(random))).ToArray();
        float[] weights = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble()).ToArray();
        int[] labels = Enumerable.Range(0, n).Select(_ => random.Next(k)).ToArray();
        float[] resp = Enumerable.Range(0, n * k).Select(_ => (float)random.NextDouble()).ToArray();
        float[] shifts = Enumerable.Range(0, k * d).Select(_ => (float)(10 + random.NextDouble())).ToArray();
        int[] entries = full ? MomentsLauncher.FullEntries(d) : MomentsLauncher.DiagonalEntries(d, squares: true);
        int entryCount = entries.Length / 2;

        var totals = new double[k * entryCount];
        lock (handle.Sync)
        {
            Accelerator a = handle.Accelerator;
            using var dataBuffer = a.Allocate1D(data);
            using var respBuffer = a.Allocate1D(resp);
            using var labelBuffer = a.Allocate1D(labels);
            using var weightBuffer = a.Allocate1D(weights);
            using var shiftBuffer = a.Allocate1D(shifts);
            using var launcher = new MomentsLauncher(handle, n, d, k, entries, useLabels);
            launcher.Run(dataBuffer.View, respBuffer.View, labelBuffer.View, weightBuffer.View, shiftBuffer.View, totals);
        }

        for (int c = 0; c < k; c++)
            for (int e = 0; e < entryCount; e++)
            {
                int i = entries[2 * e];
                int j = entries[2 * e + 1];
                double expected = 0;
                double magnitude = 0;
                for (int p = 0; p < n; p++)
                {
                    double r = useLabels ? (labels[p] == c ? weights[p] : 0) : resp[p * k + c];
                    double zi = i == 0 ? 1 : (double)(data[p * d + i - 1] - shifts[c * d + i - 1]);
                    double zj = j == 0 ? 1 : (double)(data[p * d + j - 1] - shifts[c * d + j - 1]);
                    expected += r * zi * zj;
                    magnitude += Math.Abs(r * zi * zj);
                }
                // Each term is formed in float32 (x − c rounded, then two products: ≤ 3 roundings of
                // 6e-8) and summed in float64, so the error is below 2e-7 of Σ|terms|.
                Tolerance.Close(expected, totals[c * entryCount + e], 2e-7 * magnitude + 1e-12, 0,
                    $"component {c} entry ({i},{j})");
            }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1000, 2)]
    [InlineData(100003, 3)]
    public void Sum_matches_a_float64_sum(int n, int seed)
    {
        AcceleratorHandle handle = DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
        var random = new Random(seed);
        float[] values = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 0.5)).ToArray();
        double sum;
        lock (handle.Sync)
        {
            using var buffer = handle.Accelerator.Allocate1D(values);
            using var launcher = new SumLauncher(handle);
            sum = launcher.Sum(buffer.View);
        }
        double expected = values.Sum(v => (double)v);
        // Both add the same float32 values exactly converted to float64, in different orders.
        Tolerance.Close(expected, sum, 1e-12, 1e-12, "sum");
    }
}
