using GpuEm.Data;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// Starts shared by the Bernoulli and categorical mixtures, computed on the host from the seed
/// (identical for both engines and whatever the thread count).
/// </summary>
internal static class DiscreteStarts
{
    /// <summary>
    /// k rows of <paramref name="rows"/> (indicator rows, missing entries as 1/L_j) chosen by
    /// k-means++ or at random, row-major k × columns.
    /// </summary>
    public static double[] Centres(DataMatrix rows, int k, DiscreteInitialization initialization, int seed)
    {
        var random = new Random(seed);
        return initialization == DiscreteInitialization.KMeansPlusPlus
            ? Seeding.KMeansPlusPlus(rows, k, random)
            : Seeding.RandomPoints(rows, k, random);
    }

    /// <summary>k equal weights.</summary>
    public static double[] EqualWeights(int k) => Enumerable.Repeat(1.0 / k, k).ToArray();

    /// <summary>
    /// Uniform random responsibilities of one row, normalized; a generator seeded by (seed, row)
    /// gives the same values whatever the threads.
    /// </summary>
    public static void RandomResponsibilities(int seed, int row, Span<double> r)
    {
        ulong state = ((ulong)(uint)seed << 32) ^ (uint)row;
        double sum = 0;
        for (int c = 0; c < r.Length; c++)
        {
            r[c] = (SplitMix64(ref state) >> 11) * (1.0 / (1UL << 53));
            sum += r[c];
        }
        for (int c = 0; c < r.Length; c++)
            r[c] /= sum;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
