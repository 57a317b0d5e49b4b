using GpuEm.Data;

namespace GpuEm.Models.KMeans;

/// <summary>
/// Greedy local search on a seeding (LocalSearch++, Lattanzi and Sohler, ICML 2019): each step
/// draws a point p with probability ∝ w·D²(p) (D the distance to its nearest centre), finds the
/// centre whose replacement by p lowers the potential Σ w·D² most, and swaps them when the
/// potential falls. Host float64, O(n·(k + d)) per step plus O(n·k·d) per swap; the draws come
/// from the restart's random stream, so a seed gives the same centres every time.
/// </summary>
internal static class SeedingLocalSearch
{
    /// <summary>Improves <paramref name="centres"/> (k × d, in place) by <paramref name="steps"/> steps; returns the swaps made.</summary>
    public static int Improve(DataMatrix data, double[] centres, int k, int steps, Random random)
    {
        int n = data.Rows, d = data.Columns;
        if (k < 1 || n == 0)
            return 0;
        var first = new double[n];
        var second = new double[n];
        var nearest = new int[n];
        double potential = Nearest(data, centres, k, first, second, nearest);
        var cumulative = new double[n];
        var candidate = new double[d];
        var dp = new double[n];
        var gain = new double[k];
        int swaps = 0;
        for (int step = 0; step < steps && potential > 0; step++)
        {
            double total = 0;
            for (int i = 0; i < n; i++)
                cumulative[i] = total += data.Weight(i) * first[i];
            int p = Array.BinarySearch(cumulative, random.NextDouble() * total);
            p = p < 0 ? ~p : p;
            p = Math.Min(p, n - 1);
            ReadOnlySpan<float> row = data.Row(p);
            for (int j = 0; j < d; j++)
                candidate[j] = row[j];
            // Potential with p added (base) and, for each centre c, the correction of removing c.
            double baseline = 0;
            Array.Clear(gain);
            for (int i = 0; i < n; i++)
            {
                double w = data.Weight(i);
                dp[i] = Seeding.SquaredDistance(data.Row(i), candidate);
                double kept = Math.Min(dp[i], first[i]);
                baseline += w * kept;
                gain[nearest[i]] += w * (Math.Min(dp[i], second[i]) - kept);
            }
            int best = 0;
            for (int c = 1; c < k; c++)
            {
                if (gain[c] < gain[best])
                    best = c;
            }
            if (baseline + gain[best] < potential * (1 - 1e-12))
            {
                candidate.CopyTo(centres, best * d);
                potential = Nearest(data, centres, k, first, second, nearest);
                swaps++;
            }
        }
        return swaps;
    }

    // Each point's nearest and second-nearest squared distance and its nearest centre; returns Σ w·D².
    private static double Nearest(DataMatrix data, double[] centres, int k, double[] first, double[] second, int[] nearest)
    {
        int d = data.Columns;
        double potential = 0;
        for (int i = 0; i < data.Rows; i++)
        {
            ReadOnlySpan<float> row = data.Row(i);
            double a = double.PositiveInfinity, b = double.PositiveInfinity;
            int at = 0;
            for (int c = 0; c < k; c++)
            {
                double s = Seeding.SquaredDistance(row, centres.AsSpan(c * d, d));
                if (s < a)
                {
                    (b, a, at) = (a, s, c);
                }
                else if (s < b)
                {
                    b = s;
                }
            }
            first[i] = a;
            second[i] = b;
            nearest[i] = at;
            potential += data.Weight(i) * a;
        }
        return potential;
    }
}
