using GpuEm.Engines;
using GpuEm.Models.GaussianMixture;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// The reference engine: managed float64 over fixed row chunks through
/// <see cref="ChunkedReduction"/> (bit-identical whatever the thread count); the oracle the
/// accelerator is validated against.
/// </summary>
internal sealed class ReferenceBernoulliEngine(BinaryData data) : IEmEngine<BernoulliParameters, BernoulliStatistics>
{
    public Backend Backend => Backend.Reference;

    public string DeviceName => $"CPU reference (float64, {Environment.ProcessorCount} threads)";

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
    private static BernoulliStatistics Reduce(BinaryData data, int k, PointStep step)
    {
        int d = data.Columns;
        bool missing = data.Mask is not null;
        var total = new BernoulliStatistics(k, d, missing);
        ChunkedReduction.Run(
            data.Rows,
            () => new BernoulliStatistics(k, d, missing),
            partial => partial.Clear(),
            (partial, start, end) =>
            {
                Span<double> r = stackalloc double[k];
                double logLikelihood = 0;
                double totalWeight = 0;
                for (int row = start; row < end; row++)
                {
                    ReadOnlySpan<float> x = data.Indicators.Row(row);
                    ReadOnlySpan<float> mask = data.MaskRow(row);
                    double lse = step(row, x, mask, r);
                    double w = data.Indicators.Weight(row);
                    for (int c = 0; c < k; c++)
                        r[c] *= w;
                    partial.AddPoint(x, mask, r);
                    logLikelihood += w * lse;
                    totalWeight += w;
                }
                partial.LogLikelihood += logLikelihood;
                partial.TotalWeight += totalWeight;
            },
            total.Add);
        return total;
    }

    public void Dispose()
    {
    }
}
