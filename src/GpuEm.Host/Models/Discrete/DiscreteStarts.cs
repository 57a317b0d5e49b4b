using GpuEm.Data;

namespace GpuEm.Models.Discrete;

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
}
