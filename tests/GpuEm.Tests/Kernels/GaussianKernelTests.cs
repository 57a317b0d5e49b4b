using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Oracles;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Kernels;

/// <summary>
/// The accelerator's Gaussian E-step and statistics (the tiled full-covariance E-step, the fused
/// diagonal pass and the unfused diagonal fallback) against the plain float64 oracle
/// (<see cref="GaussianOracle"/>, which the reference engine is held to as well) at the same
/// random parameters, on shapes that cross the tiles: on ILGPU's CPU accelerator a full
/// E-step group covers 16 points and 16 columns in depth steps of 4, so n = 17, 70 and d = 5, 17,
/// 33 leave partial tiles; a fused group stages up to 64 points and 1,024 points go to a group, so
/// n = 2,100 spans three groups. d = 1 and k = 1 are included; some cases carry labels.
/// </summary>
/// <remarks>
/// Tolerances: the device forms each log-density in float32 from terms of size up to ~d·10
/// (relative error ~1e-6), sums in float64; the statistics then differ by ~1e-6 relative, and the
/// parameters one M-step makes from them are held to 1e-4 relative + 1e-5 absolute (as in
/// <c>AcceleratorParityTests</c>; a mean relative to |μ| + σ, an off-diagonal covariance relative
/// to √(Σ_ii Σ_jj)). The log-likelihood is held to 1e-5 relative + 1e-5 per point.
/// </remarks>
public sealed class GaussianKernelTests
{
    public static TheoryData<CovarianceType, int, int, int, bool, int> Cases()
    {
        var cases = new TheoryData<CovarianceType, int, int, int, bool, int>();
        // One seed per run is fresh (Environment.TickCount) and appears in the test name.
        int fresh = Environment.TickCount & 0xFFFF;
        (int N, int D, int K)[] shapes = { (1, 1, 1), (17, 1, 3), (70, 17, 2), (40, 33, 1), (2100, 3, 2), (37, 5, 4) };
        int index = 0;
        foreach (CovarianceType type in Enum.GetValues<CovarianceType>())
            foreach ((int n, int d, int k) in shapes)
                cases.Add(type, n, d, k, index++ % 2 == 1, fresh + 7 * index);
        // Diagonal statistics too large for a group's shared memory: the unfused kernels run.
        cases.Add(CovarianceType.Diagonal, 50, 64, 48, true, fresh + 1000);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Accelerator_statistics_match_the_reference_at_random_parameters(
        CovarianceType type, int n, int d, int k, bool labelled, int seed)
    {
        var random = new Random(seed);
        (DataMatrix matrix, GaussianParameters parameters) = Synthetic.KernelProblem(type, n, d, k, random, m => labelled
            ? m.WithLabels(Enumerable.Range(0, n).Select(_ => random.Next(-1, k)).ToArray(), k)
            : m);

        GaussianStatistics expected = GaussianOracle.Statistics(matrix, parameters);
        GaussianParameters e = GaussianMStep.Maximize(expected, type, 1e-3);
        AcceleratorHandle handle = DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
        // Full and tied: the default 4 × 4 group, and groups as wide as a GPU's (8 × 2: 32
        // columns and 8 points per group; 4 × 2) that the CPU accelerator's 16 threads allow.
        (int, int)?[] tiles = GaussianStatistics.NeedsDiagonalOnly(type) ? [null] : [null, (8, 2), (4, 2)];
        foreach ((int, int)? tile in tiles)
        {
            GaussianStatistics actual;
            using (var engine = new AcceleratorGaussianEngine(handle, matrix, k, type, fullTile: tile))
            {
                bool fusable = GaussianStatistics.NeedsDiagonalOnly(type) && d * k < 64 * 48;
                Assert.Equal(fusable, engine.Fused);
                actual = engine.Expect(parameters);
            }

            string what = $"{type} n={n} d={d} k={k} labelled={labelled} tile={tile}";
            Tolerance.Close(expected.LogLikelihood, actual.LogLikelihood, 1e-5 * n, 1e-5, $"{what} log-likelihood");
            Tolerance.Close(expected.TotalWeight, actual.TotalWeight, 1e-9, 1e-12, $"{what} total weight");
            GaussianParameters a = GaussianMStep.Maximize(actual, type, 1e-3);
            Tolerance.Close(e.Weights, a.Weights, 1e-5, 1e-4, $"{what} weights");
            CloseMeans(e, a, $"{what} means");
            CloseCovariances(e, a, $"{what} covariances");
        }
    }

    // Means entry by entry, held relative to |μ_kj| + σ_kj: a float32 log-density error moves each
    // responsibility by a relative ~1e-6·|log p| (~1e-4 at d = 64, terms of size ~d·10), which moves
    // a weighted mean by that share of the spread of its points, σ, not of μ; a mean near 0 among
    // points 5 ± 2 (fresh seed 35489 at d = 64, k = 48: μ = −0.266, off by 4.7e-5) fails a bound
    // relative to μ alone.
    private static void CloseMeans(GaussianParameters expected, GaussianParameters actual, string what)
    {
        double[] e = expected.Means, a = actual.Means, cov = expected.Covariances;
        Assert.Equal(e.Length, a.Length);
        int d = expected.D;
        for (int index = 0; index < e.Length; index++)
        {
            int c = index / d, j = index % d;
            double variance = expected.Type switch
            {
                CovarianceType.Full => cov[c * d * d + j * d + j],
                CovarianceType.Tied => cov[j * d + j],
                CovarianceType.Diagonal => cov[c * d + j],
                _ => cov[c],
            };
            double scale = Math.Abs(e[index]) + Math.Sqrt(Math.Abs(variance));
            Assert.True(Math.Abs(e[index] - a[index]) <= 1e-5 + 1e-4 * scale,
                $"{what}[{index}]: expected {e[index]}, got {a[index]} (bound 1e-5 + 1e-4 × {scale})");
        }
    }

    // Covariances entry by entry, an off-diagonal entry held relative to its scale
    // √(Σ_ii Σ_jj) rather than to itself: the float32 error of a responsibility moves Σ_ij by
    // ~1e-6 of that scale whatever Σ_ij is, so a near-zero correlation (seed 2438 gave Σ_ij =
    // −0.024 beside variances ~4, off by 1.6e-5) would fail a bound relative to Σ_ij alone.
    private static void CloseCovariances(GaussianParameters expected, GaussianParameters actual, string what)
    {
        double[] e = expected.Covariances, a = actual.Covariances;
        Assert.Equal(e.Length, a.Length);
        int d = expected.D;
        bool matrices = expected.Type is CovarianceType.Full or CovarianceType.Tied;
        for (int index = 0; index < e.Length; index++)
        {
            double scale = Math.Abs(e[index]);
            if (matrices)
            {
                int matrix = index / (d * d) * d * d, i = index % (d * d) / d, j = index % d;
                scale = Math.Sqrt(Math.Abs(e[matrix + i * d + i] * e[matrix + j * d + j]));
            }
            Assert.True(Math.Abs(e[index] - a[index]) <= 1e-5 + 1e-4 * scale,
                $"{what}[{index}]: expected {e[index]}, got {a[index]} (bound 1e-5 + 1e-4 × {scale})");
        }
    }
}
