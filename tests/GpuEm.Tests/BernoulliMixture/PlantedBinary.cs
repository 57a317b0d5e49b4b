using GpuEm.Tests.Support;

namespace GpuEm.Tests.Bernoulli;

/// <summary>Seeded binary data from a planted Bernoulli mixture, and helpers to compare fits with it.</summary>
internal static class PlantedBinary
{
    /// <summary>
    /// Component c has P(x_j = 1) ≈ 0.85 on the column pairs j with (⌊j/2⌋ + c) % k == 0 and
    /// ≈ 0.15 elsewhere (each perturbed uniformly by ±0.05), so any two components differ on
    /// 2/k of the columns by 0.7. Weights default to ∝ k, k − 1, …, 1.
    /// </summary>
    public static (float[,] Data, int[] Labels, double[] Weights, double[,] Probabilities) Sample(
        int n, int d, int k, int seed, double[]? weights = null)
    {
        var random = new Random(seed);
        weights ??= Enumerable.Range(0, k).Select(c => (double)(k - c)).ToArray();
        double total = weights.Sum();
        weights = weights.Select(w => w / total).ToArray();
        var probabilities = new double[k, d];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
                probabilities[c, j] = ((j / 2 + c) % k == 0 ? 0.85 : 0.15) + 0.1 * (random.NextDouble() - 0.5);
        var data = new float[n, d];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            int c = Synthetic.Component(random, weights);
            labels[i] = c;
            for (int j = 0; j < d; j++)
                data[i, j] = random.NextDouble() < probabilities[c, j] ? 1f : 0f;
        }
        return (data, labels, weights, probabilities);
    }

    /// <summary>A copy with each entry set to NaN with probability <paramref name="fraction"/>,
    /// keeping at least one observed entry per row.</summary>
    public static float[,] RemoveAtRandom(float[,] data, double fraction, int seed)
    {
        var random = new Random(seed);
        var copy = (float[,])data.Clone();
        int d = data.GetLength(1);
        for (int i = 0; i < data.GetLength(0); i++)
        {
            int keep = random.Next(d);
            for (int j = 0; j < d; j++)
                if (j != keep && random.NextDouble() < fraction)
                    copy[i, j] = float.NaN;
        }
        return copy;
    }

    /// <summary>The permutation of fitted components (fitted[perm[c]] ~ true c) with the least
    /// total absolute difference of probabilities.</summary>
    public static int[] Match(double[,] truth, double[,] fitted)
    {
        int k = truth.GetLength(0);
        int d = truth.GetLength(1);
        int[]? best = null;
        double bestCost = double.PositiveInfinity;
        foreach (int[] perm in Permutations(Enumerable.Range(0, k).ToArray()))
        {
            double cost = 0;
            for (int c = 0; c < k; c++)
                for (int j = 0; j < d; j++)
                    cost += Math.Abs(truth[c, j] - fitted[perm[c], j]);
            if (cost < bestCost)
            {
                bestCost = cost;
                best = perm;
            }
        }
        return best!;
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }
        for (int i = 0; i < items.Length; i++)
        {
            int[] rest = items.Where((_, index) => index != i).ToArray();
            foreach (int[] tail in Permutations(rest))
                yield return new[] { items[i] }.Concat(tail).ToArray();
        }
    }
}
