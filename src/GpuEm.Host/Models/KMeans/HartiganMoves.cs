using GpuEm.Data;

namespace GpuEm.Models.KMeans;

/// <summary>
/// Hartigan–Wong-style single-point moves after Lloyd's algorithm (Hartigan and Wong 1979, R's
/// default <c>kmeans</c>): a point x of weight w leaves its cluster a (total weight W_a, centre
/// c_a) for cluster b when that lowers the inertia, w·W_b/(W_b + w)·|x − c_b|² &lt;
/// w·W_a/(W_a − w)·|x − c_a|²: the centres move with the point. Lloyd cannot make such a move
/// when x is nearer to c_a, yet it can lower the inertia. Sweeps go over the points in order,
/// each point moved to the cluster with the largest decrease, centres updated at once, until a
/// sweep moves none (or <c>maxSweeps</c>). A move never empties a cluster. Host float64; the
/// centres are recomputed exactly from the labels after every sweep, so rounding cannot drift.
/// A partition no move improves is also one Lloyd leaves alone (every point is in its nearest
/// centre's cluster), so the caller's E-step at the returned centres reports it exactly.
/// </summary>
internal static class HartiganMoves
{
    /// <summary>Refines <paramref name="labels"/> (in place) and returns the centres (k × d, the weighted means), moves and sweeps.</summary>
    public static (double[] Centres, long Moves, int Sweeps) Refine(DataMatrix data, int[] labels, int k, int maxSweeps)
    {
        int n = data.Rows, d = data.Columns;
        double[] centres = Seeding.LabelMeans(data, null, labels, k, out double[] weights);
        long moves = 0;
        int sweeps = 0;
        var x = new double[d];
        while (sweeps < maxSweeps)
        {
            sweeps++;
            long moved = 0;
            for (int i = 0; i < n; i++)
            {
                double w = data.Weight(i);
                int a = labels[i];
                if (w <= 0 || weights[a] - w <= 0)
                    continue;
                ReadOnlySpan<float> row = data.Row(i);
                for (int j = 0; j < d; j++)
                    x[j] = row[j];
                double remove = w * weights[a] / (weights[a] - w) * Seeding.SquaredDistance(row, centres.AsSpan(a * d, d));
                int best = -1;
                double bestAdd = remove * (1 - 1e-12);
                for (int b = 0; b < k; b++)
                {
                    if (b == a)
                        continue;
                    double add = w * weights[b] / (weights[b] + w) * Seeding.SquaredDistance(row, centres.AsSpan(b * d, d));
                    if (add < bestAdd)
                    {
                        bestAdd = add;
                        best = b;
                    }
                }
                if (best < 0)
                    continue;
                Span<double> ca = centres.AsSpan(a * d, d), cb = centres.AsSpan(best * d, d);
                double wa = weights[a], wb = weights[best];
                for (int j = 0; j < d; j++)
                {
                    ca[j] = (wa * ca[j] - w * x[j]) / (wa - w);
                    cb[j] = (wb * cb[j] + w * x[j]) / (wb + w);
                }
                weights[a] = wa - w;
                weights[best] = wb + w;
                labels[i] = best;
                moved++;
            }
            moves += moved;
            centres = Seeding.LabelMeans(data, null, labels, k, out weights);
            if (moved == 0)
                break;
        }
        return (centres, moves, sweeps);
    }
}
