using GpuEm.Em;
using GpuEm.Persistence;

namespace GpuEm.Models.CategoricalMixture;

/// <summary>
/// The model file of a categorical mixture (format "gpuem.categorical-mixture", version 1):
/// componentCount k, dimension d, levelCounts (L_j, d values), weights (k), probabilities
/// (k × Σ L_j, row-major: component k's levels of feature 0, then feature 1, …; each feature's
/// levels sum to 1), trainingWeight, meanLogLikelihood (without the smoothing term), and the fit summary (objectiveHistory, converged,
/// cancelled, iterations, backend, device, seconds). Numbers round-trip exactly.
/// </summary>
internal static class CategoricalMixtureCodec
{
    public static void Write(CategoricalMixtureModel model, Stream stream) =>
        ModelDocument.Write(stream, CategoricalMixtureModel.FormatName, w =>
        {
            CategoricalParameters p = model.Parameters;
            w.WriteNumber("componentCount", p.K);
            w.WriteNumber("dimension", p.Layout.Features);
            ModelDocument.WriteArray(w, "levelCounts", p.Layout.LevelCounts);
            ModelDocument.WriteArray(w, "weights", p.Weights);
            ModelDocument.WriteArray(w, "probabilities", p.Probabilities);
            w.WriteNumber("trainingWeight", model.TrainingWeight);
            w.WriteNumber("meanLogLikelihood", model.MeanLogLikelihood);
            FitSummaryFields.Write(w, model.Summary, "objectiveHistory", model.Summary.ObjectiveHistory);
        });

    public static CategoricalMixtureModel Read(Stream stream, string source) =>
        ModelDocument.Read(stream, source, CategoricalMixtureModel.FormatName, Read);

    private static CategoricalMixtureModel Read(ModelDocument.Reader r)
    {
        (int k, int d) = r.Sizes("componentCount", "dimension");
        int[] levelCounts = r.Ints("levelCounts", d);
        long total = 0;
        foreach (int levels in levelCounts)
        {
            if (levels < 1)
                throw r.Fail($"has a level count {levels}; each feature needs ≥ 1 level");
            total += levels;
        }
        int length = r.Length("probabilities", k, total);
        var layout = new LevelLayout(levelCounts);
        double[] weights = r.Weights("weights", k);
        double[] probabilities = r.Doubles("probabilities", length);
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
            {
                double sum = 0;
                for (int l = layout.Offsets[j]; l < layout.Offsets[j + 1]; l++)
                {
                    double p = probabilities[c * layout.Total + l];
                    if (p < 0 || p > 1)
                        throw r.Fail($"has a probability {p} outside [0, 1] (component {c}, feature {j})");
                    sum += p;
                }
                if (Math.Abs(sum - 1) > 1e-9)
                    throw r.Fail($"has probabilities of component {c}, feature {j} that sum to {sum}, not 1");
            }
        double trainingWeight = r.Double("trainingWeight");
        if (!(trainingWeight > 0))
            throw r.Fail($"has trainingWeight {trainingWeight}; it must be positive");
        FitSummary summary = FitSummaryFields.Read(r, "objectiveHistory");
        return new CategoricalMixtureModel(new CategoricalParameters(k, layout, weights, probabilities), summary, r.Double("meanLogLikelihood"), trainingWeight);
    }
}
