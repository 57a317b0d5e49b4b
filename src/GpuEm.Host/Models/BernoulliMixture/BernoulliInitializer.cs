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
        return DiscreteStarts.Create(
            options,
            seed,
            responsibilities => BernoulliMStep.Maximize(
                ReferenceBernoulliEngine.FromResponsibilities(data, k, responsibilities), options.Smoothing, null),
            () => SeedingRows(data),
            centres => new BernoulliParameters(k, d, DiscreteStarts.EqualWeights(k), centres.Select(c => 0.5 * c + 0.25).ToArray()));
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
