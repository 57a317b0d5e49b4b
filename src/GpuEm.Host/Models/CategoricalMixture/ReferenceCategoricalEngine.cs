using GpuEm.Engines;
using GpuEm.Models.Discrete;
using GpuEm.Models.GaussianMixture;

namespace GpuEm.Models.CategoricalMixture;

/// <summary>The reference engine: float64 over fixed row chunks (<see cref="ChunkedReduction"/>).</summary>
internal sealed class ReferenceCategoricalEngine(CategoricalData data) : ReferenceEngine, IEmEngine<CategoricalParameters, CategoricalStatistics>
{
    public CategoricalStatistics Expect(CategoricalParameters parameters) =>
        Reduce(data, parameters.K, (row, x, r) =>
        {
            parameters.LogJoint(x, r);
            return GaussianDensity.Normalize(r);
        });

    /// <summary>Statistics of given responsibilities (for a start); log-likelihood left at 0.</summary>
    public static CategoricalStatistics FromResponsibilities(CategoricalData data, int k, Action<int, Span<double>> responsibilities) =>
        Reduce(data, k, (row, _, r) =>
        {
            responsibilities(row, r);
            return 0;
        });

    private delegate double PointStep(int row, ReadOnlySpan<int> x, Span<double> r);

    private static CategoricalStatistics Reduce(CategoricalData data, int k, PointStep step) =>
        MixtureReduction.Run(
            data.Rows, k, () => new CategoricalStatistics(k, data.Layout), data.Indicators.Weight,
            (row, r) => step(row, data.Row(row), r),
            (partial, row, weighted) => partial.AddPoint(data.Row(row), weighted));
}
