using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Oracles;
using GpuEm.Tests.Support;
using ILGPU.Runtime;
using Xunit;

namespace GpuEm.Tests.Kernels;

/// <summary>
/// The Gaussian engine at the launch shapes a CUDA device gets, run on ILGPU's CPU accelerator
/// shaped like a GPU (warps of 32, 8 warps: groups of up to 256 threads; the default CPU device
/// has 16): the tiled full E-step in groups of 256 threads (4 × 64 for d ≤ 16, 16 × 16 for
/// d > 32), the fused diagonal pass in groups of 256, the moments and sums in groups of 128,
/// held to the float64 oracle as <see cref="GaussianKernelTests"/> is (same tolerances, same
/// reasons). Small n: the emulator runs each group's 256 threads as OS threads.
/// </summary>
public sealed class GpuShapedParityTests
{
    public static TheoryData<CovarianceType, int, int, int, int> Cases()
    {
        int fresh = Environment.TickCount & 0xFFFF;
        return new TheoryData<CovarianceType, int, int, int, int>
        {
            // 4 × 64 threads, 256 points per group: two groups, the second partial.
            { CovarianceType.Full, 300, 5, 3, fresh },
            // 16 × 16 threads, 64 points and 64 columns per group: a partial column tile.
            { CovarianceType.Tied, 70, 33, 2, fresh + 1 },
            // Fused, 256 threads, 64-point tiles, two groups of 1,024 rows or fewer.
            { CovarianceType.Diagonal, 1100, 3, 2, fresh + 2 },
            { CovarianceType.Spherical, 50, 17, 4, fresh + 3 },
        };
    }

    [Fact]
    public void The_gpu_shaped_device_allows_the_production_group_sizes()
    {
        Accelerator accelerator = GpuShapedDevice.Handle.Accelerator;
        Assert.Equal(32, accelerator.WarpSize);
        Assert.Equal(256, accelerator.MaxNumThreadsPerGroup);
        Assert.Contains(AcceleratorGaussianEngine.Launches(DeviceLimits.Of(accelerator), 5, 3, CovarianceType.Full),
            l => l.GroupSize == 256);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gaussian_statistics_match_the_oracle_in_256_thread_groups(CovarianceType type, int n, int d, int k, int seed)
    {
        var random = new Random(seed);
        (DataMatrix matrix, GaussianParameters parameters) = Synthetic.KernelProblem(type, n, d, k, random);
        GaussianStatistics expected = GaussianOracle.Statistics(matrix, parameters);

        GaussianStatistics actual;
        AcceleratorHandle handle = GpuShapedDevice.Handle;
        using (var engine = new AcceleratorGaussianEngine(handle, matrix, k, type))
        {
            Assert.Equal(GaussianStatistics.NeedsDiagonalOnly(type), engine.Fused);
            actual = engine.Expect(parameters);
        }

        string what = $"{type} n={n} d={d} k={k} seed={seed}";
        Tolerance.Close(expected.LogLikelihood, actual.LogLikelihood, 1e-5 * n, 1e-5, $"{what} log-likelihood");
        GaussianParameters e = GaussianMStep.Maximize(expected, type, 1e-3);
        GaussianParameters a = GaussianMStep.Maximize(actual, type, 1e-3);
        Tolerance.Close(e.Weights, a.Weights, 1e-5, 1e-4, $"{what} weights");
        Tolerance.Close(e.Means, a.Means, 1e-5, 1e-4, $"{what} means");
        // Covariances: each entry held relative to √(Σ_ii Σ_jj) (see GaussianKernelTests).
        bool matrices = type is CovarianceType.Full or CovarianceType.Tied;
        for (int index = 0; index < e.Covariances.Length; index++)
        {
            double scale = Math.Abs(e.Covariances[index]);
            if (matrices)
            {
                int block = index / (d * d) * d * d, i = index % (d * d) / d, j = index % d;
                scale = Math.Sqrt(Math.Abs(e.Covariances[block + i * d + i] * e.Covariances[block + j * d + j]));
            }
            Assert.True(Math.Abs(e.Covariances[index] - a.Covariances[index]) <= 1e-5 + 1e-4 * scale,
                $"{what} covariance[{index}]: expected {e.Covariances[index]}, got {a.Covariances[index]}");
        }
    }
}
