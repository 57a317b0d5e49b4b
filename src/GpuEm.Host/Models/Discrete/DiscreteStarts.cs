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

    /// <summary>
    /// The start of one restart: random responsibilities and one M-step, or k seeding rows
    /// (k-means++ or random) made into parameters by <paramref name="fromCentres"/>.
    /// </summary>
    /// <param name="options">The options (k, the initialization).</param>
    /// <param name="seed">The restart's seed.</param>
    /// <param name="fromResponsibilities">Parameters from the responsibilities of each row (the statistics, then the M-step).</param>
    /// <param name="seedingRows">The indicator rows as seeding sees them (missing entries filled in).</param>
    /// <param name="fromCentres">Parameters from k chosen rows, row-major.</param>
    public static TParams Create<TParams>(
        DiscreteMixtureOptions options, int seed, Func<Action<int, Span<double>>, TParams> fromResponsibilities,
        Func<DataMatrix> seedingRows, Func<double[], TParams> fromCentres) =>
        options.Initialization == DiscreteInitialization.RandomResponsibilities
            ? fromResponsibilities((row, r) => Seeding.RandomResponsibilities(seed, row, r))
            : fromCentres(Centres(seedingRows(), options.ComponentCount, options.Initialization, seed));

    /// <summary>k equal weights.</summary>
    public static double[] EqualWeights(int k) => Enumerable.Repeat(1.0 / k, k).ToArray();
}
