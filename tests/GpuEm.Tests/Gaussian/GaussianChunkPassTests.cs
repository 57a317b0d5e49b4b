using GpuEm.Data;
using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Oracles;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Gaussian;

/// <summary>
/// The reference engine's blocked passes (diagonal: 4 rows at a time; full with d &gt; 16: the
/// squared norms of 4 rows at a time, 16 columns per register group) against a plain scalar
/// float64 pass at random parameters, on shapes that leave partial batches and partial column
/// groups, with weights, some labelled rows and rows with a missing value (which the batches
/// skip: they go through the marginal path).
/// </summary>
/// <remarks>
/// Both sides are float64; they differ by summation order and by the engine's vectorized exp
/// (relative error ~1e-15), so statistics agree to ~1e-12 relative: parameters are held to
/// 1e-9 relative + 1e-12 absolute, the log-likelihood to 1e-9 relative.
/// </remarks>
public sealed class GaussianChunkPassTests
{
    public static TheoryData<CovarianceType, int, int, int, int> Cases()
    {
        var cases = new TheoryData<CovarianceType, int, int, int, int>();
        // One seed per run is fresh (Environment.TickCount) and appears in the test name.
        int fresh = Environment.TickCount & 0xFFFF;
        (int N, int D, int K)[] shapes = { (41, 19, 3), (7, 33, 2), (3, 20, 1), (50, 5, 4), (30, 64, 5) };
        int index = 0;
        foreach (CovarianceType type in Enum.GetValues<CovarianceType>())
            foreach ((int n, int d, int k) in shapes)
                cases.Add(type, n, d, k, fresh + 11 * index++);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reference_statistics_match_a_plain_float64_pass(CovarianceType type, int n, int d, int k, int seed)
    {
        var random = new Random(seed);
        var data = new float[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                data[i, j] = (float)(3 + Synthetic.Normal(random));
        if (n > 5)
        {
            data[1, d - 1] = float.NaN;
            data[n - 2, 0] = float.NaN;
        }
        float[] weights = Enumerable.Range(0, n).Select(_ => (float)(0.5 + random.NextDouble())).ToArray();
        DataMatrix matrix = DataMatrix.From(data, weights, MissingValues.Marginalize)
            .WithLabels(Enumerable.Range(0, n).Select(i => i % 5 == 3 ? random.Next(k) : -1).ToArray(), k);
        double[] means = Enumerable.Range(0, k * d).Select(_ => 3 + 0.7 * Synthetic.Normal(random)).ToArray();
        GaussianParameters p = Synthetic.Parameters(type, k, d, means, random);

        GaussianStatistics actual = new ReferenceGaussianEngine(matrix).Expect(p);
        GaussianStatistics expected = GaussianOracle.Statistics(matrix, p);

        string what = $"{type} n={n} d={d} k={k}";
        Tolerance.Close(expected.LogLikelihood, actual.LogLikelihood, 1e-12, 1e-9, $"{what} log-likelihood");
        GaussianParameters e = GaussianMStep.Maximize(expected, type, 1e-3);
        GaussianParameters a = GaussianMStep.Maximize(actual, type, 1e-3);
        Tolerance.Close(e.Weights, a.Weights, 1e-12, 1e-9, $"{what} weights");
        Tolerance.Close(e.Means, a.Means, 1e-12, 1e-9, $"{what} means");
        Tolerance.Close(e.Covariances, a.Covariances, 1e-12, 1e-9, $"{what} covariances");
    }
}
