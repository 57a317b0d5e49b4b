using GpuEm.Data;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// Model-based agglomerative hierarchical clustering under the spherical, equal-volume Gaussian
/// classification likelihood (mclust's <c>hc(modelName = "EII")</c>, which is Ward's criterion):
/// from one cluster per point, repeatedly merge the pair whose merge raises the within-cluster
/// sum of squares least, Δ(a, b) = w_a w_b / (w_a + w_b) · |μ_a − μ_b|² (weighted points). Built by
/// the nearest-neighbour chain with the Lance–Williams update (O(n²) time and memory; Ward's
/// criterion is reducible, so the merges are those of the greedy algorithm), in float64 on the
/// rows given. <see cref="Cut"/> gives the partition into k clusters.
/// </summary>
internal static class WardHierarchy
{
    /// <summary>The partition of <paramref name="rows"/> of <paramref name="data"/> into <paramref name="k"/> clusters (labels 0 … k − 1, by first row).</summary>
    public static int[] Cut(DataMatrix data, int[] rows, int k)
    {
        int n = rows.Length;
        if (k >= n)
            return Enumerable.Range(0, n).ToArray();
        List<(double Cost, int A, int B)> merges = Merges(data, rows);
        // Apply the n − k cheapest merges (Ward's heights never fall along the tree, so in order
        // of cost each merge joins two clusters that exist by then).
        var parent = Enumerable.Range(0, n).ToArray();
        int Find(int i)
        {
            while (parent[i] != i)
                i = parent[i] = parent[parent[i]];
            return i;
        }
        foreach ((double _, int a, int b) in merges.OrderBy(m => m.Cost).Take(n - k))
            parent[Find(b)] = Find(a);
        var labels = new int[n];
        var names = new Dictionary<int, int>();
        for (int i = 0; i < n; i++)
        {
            int root = Find(i);
            if (!names.TryGetValue(root, out int label))
                names[root] = label = names.Count;
            labels[i] = label;
        }
        return labels;
    }

    // The n − 1 merges (their cost Δ and a member row index of each side), by the NN chain.
    private static List<(double Cost, int A, int B)> Merges(DataMatrix data, int[] rows)
    {
        int n = rows.Length, d = data.Columns;
        var distance = new double[(long)n * n];
        var weight = new double[n];
        for (int i = 0; i < n; i++)
            weight[i] = Math.Max(data.Weight(rows[i]), 1e-300);
        Parallel.For(0, n, i =>
        {
            ReadOnlySpan<float> xi = data.Row(rows[i]);
            for (int j = 0; j < n; j++)
            {
                ReadOnlySpan<float> xj = data.Row(rows[j]);
                double s = 0;
                for (int c = 0; c < d; c++)
                {
                    double e = (double)xi[c] - xj[c];
                    s += e * e;
                }
                distance[(long)i * n + j] = weight[i] * weight[j] / (weight[i] + weight[j]) * s;
            }
        });
        var active = new bool[n];
        Array.Fill(active, true);
        var chain = new List<int>(n);
        var merges = new List<(double, int, int)>(n - 1);
        int remaining = n;
        while (remaining > 1)
        {
            if (chain.Count == 0)
                chain.Add(Array.IndexOf(active, true));
            int top = chain[^1];
            int previous = chain.Count > 1 ? chain[^2] : -1;
            // The nearest active cluster to top; the previous one wins ties (so the chain ends).
            int nearest = previous;
            double best = previous >= 0 ? distance[(long)top * n + previous] : double.PositiveInfinity;
            for (int j = 0; j < n; j++)
            {
                if (!active[j] || j == top)
                    continue;
                double value = distance[(long)top * n + j];
                if (value < best)
                {
                    best = value;
                    nearest = j;
                }
            }
            if (nearest != previous)
            {
                chain.Add(nearest);
                continue;
            }
            // top and previous are reciprocal nearest neighbours: merge previous into top's slot.
            chain.RemoveRange(chain.Count - 2, 2);
            int a = Math.Min(top, previous), b = Math.Max(top, previous);
            merges.Add((best, a, b));
            double wa = weight[a], wb = weight[b];
            for (int j = 0; j < n; j++)
            {
                if (!active[j] || j == a || j == b)
                    continue;
                double wj = weight[j];
                double updated = ((wa + wj) * distance[(long)a * n + j] + (wb + wj) * distance[(long)b * n + j]
                    - wj * distance[(long)a * n + b]) / (wa + wb + wj);
                distance[(long)a * n + j] = distance[(long)j * n + a] = updated;
            }
            weight[a] = wa + wb;
            active[b] = false;
            remaining--;
        }
        return merges;
    }
}
