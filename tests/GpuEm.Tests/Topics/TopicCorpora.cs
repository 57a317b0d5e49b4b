using GpuEm.Data;
using MathNet.Numerics.Distributions;

namespace GpuEm.Tests.Topics;

/// <summary>Seeded synthetic corpora for the topic-model tests.</summary>
internal static class TopicCorpora
{
    /// <summary>
    /// A corpus drawn from LDA: topic k puts 90 % of its mass evenly on its own block of W / K
    /// terms and 10 % evenly on the rest; θ_d ~ Dirichlet(α); each document has
    /// <paramref name="length"/> tokens. Returns the corpus and the planted K × W topics.
    /// </summary>
    public static (Corpus Corpus, double[,] Topics) Planted(int documents, int terms, int topics, int length, double alpha, int seed)
    {
        var random = new Random(seed);
        var beta = new double[topics, terms];
        int block = terms / topics;
        for (int k = 0; k < topics; k++)
            for (int w = 0; w < terms; w++)
                beta[k, w] = w / block == k ? 0.9 / block : 0.1 / (terms - block);
        var counts = new int[documents, terms];
        var theta = new double[topics];
        for (int d = 0; d < documents; d++)
        {
            double sum = 0;
            for (int k = 0; k < topics; k++)
                sum += theta[k] = Gamma.Sample(random, alpha, 1);
            for (int i = 0; i < length; i++)
            {
                int k = Draw(random, theta, sum);
                double u = random.NextDouble(), cumulative = 0;
                int w = 0;
                for (; w < terms - 1; w++)
                {
                    cumulative += beta[k, w];
                    if (u < cumulative)
                        break;
                }
                counts[d, w]++;
            }
        }
        return (Corpus.FromDense(counts), beta);
    }

    /// <summary>A random corpus: each document's length uniform in [0, maxLength], terms uniform.</summary>
    public static Corpus Random(int documents, int terms, int maxLength, int seed)
    {
        var random = new Random(seed);
        var counts = new int[documents, terms];
        for (int d = 0; d < documents; d++)
        {
            int length = random.Next(maxLength + 1);
            for (int i = 0; i < length; i++)
                counts[d, random.Next(terms)]++;
        }
        return Corpus.FromDense(counts);
    }

    private static int Draw(Random random, double[] weights, double sum)
    {
        double u = random.NextDouble() * sum;
        for (int k = 0; k < weights.Length - 1; k++)
        {
            u -= weights[k];
            if (u < 0)
                return k;
        }
        return weights.Length - 1;
    }

    /// <summary>
    /// The largest total-variation distance between a fitted and a planted topic under the best
    /// one-to-one matching (all K! assignments, the optimum the Hungarian algorithm finds; K ≤ 7).
    /// </summary>
    public static double MatchedDistance(double[,] fitted, double[,] planted)
    {
        int k = planted.GetLength(0), w = planted.GetLength(1);
        var distance = new double[k, k];
        for (int a = 0; a < k; a++)
            for (int b = 0; b < k; b++)
            {
                double tv = 0;
                for (int j = 0; j < w; j++)
                    tv += Math.Abs(fitted[a, j] - planted[b, j]);
                distance[a, b] = tv / 2;
            }
        double best = double.PositiveInfinity, bestWorst = double.PositiveInfinity;
        foreach (int[] permutation in Permutations(k))
        {
            double total = 0, worst = 0;
            for (int a = 0; a < k; a++)
            {
                total += distance[a, permutation[a]];
                worst = Math.Max(worst, distance[a, permutation[a]]);
            }
            if (total < best)
            {
                best = total;
                bestWorst = worst;
            }
        }
        return bestWorst;
    }

    private static IEnumerable<int[]> Permutations(int n)
    {
        if (n == 1)
        {
            yield return [0];
            yield break;
        }
        foreach (int[] smaller in Permutations(n - 1))
            for (int position = 0; position < n; position++)
            {
                var p = new int[n];
                for (int i = 0, j = 0; i < n; i++)
                    p[i] = i == position ? n - 1 : smaller[j++];
                yield return p;
            }
    }
}
