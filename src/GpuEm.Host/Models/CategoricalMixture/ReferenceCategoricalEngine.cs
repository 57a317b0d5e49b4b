using GpuEm.Engines;
using GpuEm.Models.GaussianMixture;

namespace GpuEm.Models.CategoricalMixture;

/// <summary>The reference engine: float64 over fixed row chunks (<see cref="ChunkedReduction"/>).</summary>
internal sealed class ReferenceCategoricalEngine(CategoricalData data) : IEmEngine<CategoricalParameters, CategoricalStatistics>
{
    public Backend Backend => Backend.Reference;

    public string DeviceName => $"CPU reference (float64, {Environment.ProcessorCount} threads)";

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

    private static CategoricalStatistics Reduce(CategoricalData data, int k, PointStep step)
    {
        var total = new CategoricalStatistics(k, data.Layout);
        ChunkedReduction.Run(
            data.Rows,
            () => new CategoricalStatistics(k, data.Layout),
            partial => partial.Clear(),
            (partial, start, end) =>
            {
                Span<double> r = stackalloc double[k];
                double logLikelihood = 0;
                double totalWeight = 0;
                for (int row = start; row < end; row++)
                {
                    ReadOnlySpan<int> x = data.Row(row);
                    double lse = step(row, x, r);
                    double w = data.Indicators.Weight(row);
                    for (int c = 0; c < k; c++)
                        r[c] *= w;
                    partial.AddPoint(x, r);
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
