using GpuEm.Models.GaussianMixture;

namespace GpuEm.Models;

/// <summary>
/// The host-side inference every mixture model shares: per row, the model's log p(x, k) for each
/// component, normalized by log-sum-exp into the posterior and log p(x); rows in chunks of 2,048
/// on all cores (each row's result depends on that row only, so the thread count never matters).
/// </summary>
internal static class Posteriors
{
    private const int ChunkRows = 2048;

    /// <summary>Fills <paramref name="logJoint"/> (k values) with log p(x_row, k); <paramref name="scratch"/>
    /// is a per-thread buffer of the length the caller asked for.</summary>
    public delegate void LogJoint(int row, Span<double> logJoint, Span<double> scratch);

    /// <summary>Receives a row's posterior p(k | x) and its log p(x).</summary>
    public delegate void RowAction(int row, ReadOnlySpan<double> posterior, double logDensity);

    /// <summary>
    /// Runs <paramref name="action"/> on every row. The rows are finite (validated at the edge),
    /// so a non-finite log p(x) means parameters too extreme for float64 (means near ±1e308, a
    /// component whose density underflows everywhere): the posterior would be NaN, so no row's
    /// result is handed on and the call fails naming the first such row.
    /// </summary>
    /// <exception cref="NonFiniteDensityException">A row's log p(x) is not finite.</exception>
    public static void ForEach(int rows, int components, int scratchLength, LogJoint logJoint, RowAction action)
    {
        int firstBad = int.MaxValue;
        double badValue = 0;
        var gate = new object();
        Parallel.For(0, (rows + ChunkRows - 1) / ChunkRows, index =>
        {
            var posterior = new double[components];
            var scratch = new double[scratchLength];
            int end = Math.Min(rows, (index + 1) * ChunkRows);
            for (int row = index * ChunkRows; row < end; row++)
            {
                logJoint(row, posterior, scratch);
                double lse = GaussianDensity.Normalize(posterior);
                if (!double.IsFinite(lse))
                {
                    lock (gate)
                    {
                        if (row < firstBad)
                            (firstBad, badValue) = (row, lse);
                    }
                    return;
                }
                action(row, posterior, lse);
            }
        });
        if (firstBad != int.MaxValue)
            throw new NonFiniteDensityException(firstBad, badValue);
    }

    /// <summary>The most probable component of each row (the lowest index on ties).</summary>
    public static int[] Labels(int rows, int components, int scratchLength, LogJoint logJoint)
    {
        var labels = new int[rows];
        ForEach(rows, components, scratchLength, logJoint, (row, posterior, _) =>
        {
            int best = 0;
            for (int c = 1; c < posterior.Length; c++)
                if (posterior[c] > posterior[best])
                    best = c;
            labels[row] = best;
        });
        return labels;
    }

    /// <summary>rows × k posterior probabilities.</summary>
    public static double[,] Probabilities(int rows, int components, int scratchLength, LogJoint logJoint)
    {
        var result = new double[rows, components];
        ForEach(rows, components, scratchLength, logJoint, (row, posterior, _) =>
        {
            for (int c = 0; c < posterior.Length; c++)
                result[row, c] = posterior[c];
        });
        return result;
    }

    /// <summary>log p(x) of each row.</summary>
    public static double[] LogDensities(int rows, int components, int scratchLength, LogJoint logJoint)
    {
        var result = new double[rows];
        ForEach(rows, components, scratchLength, logJoint, (row, _, logDensity) => result[row] = logDensity);
        return result;
    }
}
