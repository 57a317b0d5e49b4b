using GpuEm.Engines;

namespace GpuEm.Models.Discrete;

/// <summary>
/// The reference engines' E-step of the discrete mixtures: rows in the fixed chunks of
/// <see cref="ChunkedReduction"/> (partials added in chunk order, bit-identical whatever the
/// thread count); per row the model's step gives the responsibilities and log p(x), which are
/// weighted and added to the statistics.
/// </summary>
internal static class MixtureReduction
{
    /// <summary>Fills r (k values) with a row's responsibilities and returns its log p(x).</summary>
    public delegate double RowStep(int row, Span<double> r);

    /// <summary>Adds a row with weighted responsibilities w·r.</summary>
    public delegate void AddRow<TStats>(TStats statistics, int row, ReadOnlySpan<double> weighted);

    public static TStats Run<TStats>(
        int rows, int k, Func<TStats> create, Func<int, double> weight, RowStep step, AddRow<TStats> add)
        where TStats : IMixtureStatistics<TStats>
    {
        TStats total = create();
        ChunkedReduction.Run(
            rows,
            create,
            partial => partial.Clear(),
            (partial, start, end) =>
            {
                Span<double> r = k <= StackScratch.MaxDoubles ? stackalloc double[k] : new double[k];
                double logLikelihood = 0;
                double totalWeight = 0;
                for (int row = start; row < end; row++)
                {
                    double lse = step(row, r);
                    double w = weight(row);
                    for (int c = 0; c < k; c++)
                        r[c] *= w;
                    add(partial, row, r);
                    logLikelihood += w * lse;
                    totalWeight += w;
                }
                partial.LogLikelihood += logLikelihood;
                partial.TotalWeight += totalWeight;
            },
            total.Add);
        return total;
    }
}
