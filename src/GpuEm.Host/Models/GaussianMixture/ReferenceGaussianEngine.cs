using GpuEm.Data;
using GpuEm.Engines;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// The reference engine: managed float64, all cores through <see cref="ChunkedReduction"/>;
/// the oracle the accelerator kernels are validated against, and the CPU path users run.
/// </summary>
internal sealed class ReferenceGaussianEngine : IGaussianEngine
{
    private readonly DataMatrix _data;

    public ReferenceGaussianEngine(DataMatrix data) => _data = data;

    public Backend Backend => Backend.Reference;

    public string DeviceName => $"CPU reference (float64, {Environment.ProcessorCount} threads)";

    public GaussianStatistics Expect(GaussianParameters parameters)
    {
        GaussianParameters p = parameters;
        bool diagonal = GaussianStatistics.NeedsDiagonalOnly(p.Type);
        var total = new GaussianStatistics(p.K, p.D, diagonal, p.Means);
        ChunkedReduction.Run(
            _data.Rows,
            () => new GaussianStatistics(p.K, p.D, diagonal, p.Means),
            partial => partial.Clear(),
            (partial, start, end) => Accumulate(p, partial, start, end),
            total.Add);
        total.MirrorUpper();
        return total;
    }

    /// <summary>Statistics of fixed responsibilities (for the initial M-step), shifted by <paramref name="shifts"/>.</summary>
    public static GaussianStatistics FromResponsibilities(
        DataMatrix data, int k, bool diagonal, double[] shifts, Action<int, Span<double>> responsibilities)
    {
        var total = new GaussianStatistics(k, data.Columns, diagonal, shifts);
        ChunkedReduction.Run(
            data.Rows,
            () => new GaussianStatistics(k, data.Columns, diagonal, shifts),
            partial => partial.Clear(),
            (partial, start, end) =>
            {
                Span<double> r = stackalloc double[k];
                var centred = new double[data.Columns];
                double totalWeight = 0;
                for (int row = start; row < end; row++)
                {
                    responsibilities(row, r);
                    double w = data.Weight(row);
                    for (int c = 0; c < k; c++)
                        r[c] *= w;
                    partial.AddPoint(data.Row(row), r, centred);
                    totalWeight += w;
                }
                partial.TotalWeight += totalWeight;
            },
            total.Add);
        total.MirrorUpper();
        return total;
    }

    // Scalars are summed in locals: the partials of different threads sit next to each other in
    // memory, and per-point updates of their fields made the threads fight over cache lines.
    private void Accumulate(GaussianParameters p, GaussianStatistics partial, int start, int end)
    {
        var r = new double[p.K];
        var centred = new double[p.D];
        double logLikelihood = 0;
        double totalWeight = 0;
        for (int row = start; row < end; row++)
        {
            ReadOnlySpan<float> x = _data.Row(row);
            GaussianDensity.LogJoint(p, x, r, centred);
            double lse = GaussianDensity.Normalize(r);
            double w = _data.Weight(row);
            if (w != 1.0)
            {
                for (int c = 0; c < r.Length; c++)
                    r[c] *= w;
            }
            partial.AddPoint(x, r, centred);
            logLikelihood += w * lse;
            totalWeight += w;
        }
        partial.LogLikelihood += logLikelihood;
        partial.TotalWeight += totalWeight;
    }

    public void Dispose()
    {
    }
}
