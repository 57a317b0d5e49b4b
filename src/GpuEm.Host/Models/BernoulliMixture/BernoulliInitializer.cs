using GpuEm.Data;
using GpuEm.Models.Discrete;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>Starting parameters for one restart of a Bernoulli mixture; float64 on the host.</summary>
internal static class BernoulliInitializer
{
    public static BernoulliParameters Create(BernoulliMixtureOptions options, BinaryData data, int seed)
    {
        int k = options.ComponentCount;
        int d = data.Columns;
        if (options.Initialization == DiscreteInitialization.RandomResponsibilities)
        {
            BernoulliStatistics stats = ReferenceBernoulliEngine.FromResponsibilities(
                data, k, (row, r) => Seeding.RandomResponsibilities(seed, row, r));
            return BernoulliMStep.Maximize(stats, options.Smoothing, null);
        }
        double[] centres = DiscreteStarts.Centres(SeedingRows(data), k, options.Initialization, seed);
        var probabilities = new double[k * d];
        for (int i = 0; i < probabilities.Length; i++)
            probabilities[i] = 0.5 * centres[i] + 0.25;
        return new BernoulliParameters(k, d, DiscreteStarts.EqualWeights(k), probabilities);
    }

    // The rows as seeding sees them: missing entries at ½, halfway between the two values.
    private static DataMatrix SeedingRows(BinaryData data)
    {
        if (data.Mask is null)
            return data.Indicators;
        float[] values = data.Indicators.Values.ToArray();
        for (int i = 0; i < values.Length; i++)
            if (data.Mask[i] == 0f)
                values[i] = 0.5f;
        return DataMatrix.From(values, data.Rows, data.Columns, data.Indicators.Weights);
    }
}
