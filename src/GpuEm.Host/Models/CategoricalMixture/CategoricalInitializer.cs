using GpuEm.Models.Discrete;

namespace GpuEm.Models.CategoricalMixture;

/// <summary>Starting parameters for one restart of a categorical mixture; float64 on the host.</summary>
internal static class CategoricalInitializer
{
    public static CategoricalParameters Create(CategoricalMixtureOptions options, CategoricalData data, int seed)
    {
        int k = options.ComponentCount;
        LevelLayout layout = data.Layout;
        return DiscreteStarts.Create(
            options,
            seed,
            responsibilities => CategoricalMStep.Maximize(
                ReferenceCategoricalEngine.FromResponsibilities(data, k, responsibilities), options.Smoothing, null),
            () => SeedingRows(data),
            centres =>
            {
                var probabilities = new double[k * layout.Total];
                for (int c = 0; c < k; c++)
                    for (int j = 0; j < layout.Features; j++)
                        for (int l = layout.Offsets[j]; l < layout.Offsets[j + 1]; l++)
                            probabilities[c * layout.Total + l] = 0.5 * centres[c * layout.Total + l] + 0.5 / layout.LevelCounts[j];
                return new CategoricalParameters(k, layout, DiscreteStarts.EqualWeights(k), probabilities);
            });
    }

    // One-hot rows with a missing feature spread evenly (1/L_j) over its levels.
    private static Data.DataMatrix SeedingRows(CategoricalData data)
    {
        if (!data.HasMissing)
            return data.Indicators;
        LevelLayout layout = data.Layout;
        float[] values = data.Indicators.Values.ToArray();
        for (int row = 0; row < data.Rows; row++)
            for (int j = 0; j < data.Columns; j++)
                if (data.Values[row * data.Columns + j] < 0)
                    for (int l = layout.Offsets[j]; l < layout.Offsets[j + 1]; l++)
                        values[(long)row * layout.Total + l] = 1f / layout.LevelCounts[j];
        return Data.DataMatrix.From(values, data.Rows, layout.Total, data.Indicators.Weights);
    }
}
