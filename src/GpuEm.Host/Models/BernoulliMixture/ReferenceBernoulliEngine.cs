using GpuEm.Engines;
using GpuEm.Models.Discrete;
using GpuEm.Models.GaussianMixture;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// The reference engine: managed float64 over fixed row chunks through
/// <see cref="ChunkedReduction"/> (bit-identical whatever the thread count); the oracle the
/// accelerator is validated against.
/// </summary>
internal sealed class ReferenceBernoulliEngine(BinaryData data) : ReferenceEngine, IEmEngine<BernoulliParameters, BernoulliStatistics>
{
    public BernoulliStatistics Expect(BernoulliParameters parameters)
    {
        BernoulliParameters p = parameters;
        return Reduce(data, p.K, (row, x, mask, r) =>
        {
            BernoulliDensity.LogJoint(p, x, mask, r);
            return GaussianDensity.Normalize(r);
        });
    }

    /// <summary>Statistics of given responsibilities (for a start); log-likelihood left at 0.</summary>
    public static BernoulliStatistics FromResponsibilities(BinaryData data, int k, Action<int, Span<double>> responsibilities) =>
        Reduce(data, k, (row, _, _, r) =>
        {
            responsibilities(row, r);
            return 0;
        });

    private delegate double PointStep(int row, ReadOnlySpan<float> x, ReadOnlySpan<float> mask, Span<double> r);

    // step fills r with the point's responsibilities and returns its log-likelihood.
    private static BernoulliStatistics Reduce(BinaryData data, int k, PointStep step) =>
        MixtureReduction.Run(
            data.Rows, k, () => new BernoulliStatistics(k, data.Columns, data.Mask is not null), data.Indicators.Weight,
            (row, r) => step(row, data.Indicators.Row(row), data.MaskRow(row), r),
            (partial, row, weighted) => partial.AddPoint(data.Indicators.Row(row), data.MaskRow(row), weighted));
}
