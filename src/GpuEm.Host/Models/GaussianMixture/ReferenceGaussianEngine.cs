using GpuEm.Data;
using GpuEm.Engines;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// The reference engine: managed float64, all cores through <see cref="ChunkedReduction"/>;
/// the oracle the accelerator kernels are validated against, and the CPU path users run.
/// </summary>
internal sealed class ReferenceGaussianEngine : ReferenceEngine, IEmEngine<GaussianParameters, GaussianStatistics>
{
    private readonly DataMatrix _data;
    private readonly MissingValueGaussian? _incomplete;

    public ReferenceGaussianEngine(DataMatrix data)
    {
        _data = data;
        _incomplete = data.Incomplete is null ? null : new MissingValueGaussian(data);
    }

    public GaussianStatistics Expect(GaussianParameters parameters)
    {
        GaussianParameters p = parameters;
        bool diagonal = GaussianStatistics.NeedsDiagonalOnly(p.Type);
        var total = new GaussianStatistics(p.K, p.D, diagonal, p.Means);
        Action<GaussianStatistics, int, int> accumulate;
        if (diagonal)
        {
            var layout = new GaussianChunkPasses.DiagonalLayout(p);
            accumulate = (partial, start, end) => GaussianChunkPasses.Diagonal(layout, _data, start, end, partial);
        }
        else
        {
            var layout = new GaussianChunkPasses.FullLayout(p);
            accumulate = (partial, start, end) => GaussianChunkPasses.Full(layout, _data, start, end, partial);
        }
        ChunkedReduction.Run(
            _data.Rows,
            () => new GaussianStatistics(p.K, p.D, diagonal, p.Means),
            partial => partial.Clear(),
            accumulate,
            total.Add);
        total.MirrorUpper();
        _incomplete?.Accumulate(p, total);
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
                Span<double> r = k <= StackScratch.MaxDoubles ? stackalloc double[k] : new double[k];
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
}
