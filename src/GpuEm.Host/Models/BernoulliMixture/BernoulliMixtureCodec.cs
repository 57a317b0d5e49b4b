using GpuEm.Em;
using GpuEm.Persistence;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// The model file of a Bernoulli mixture (format "gpuem.bernoulli-mixture", version 1):
/// componentCount k, dimension d, weights (k), probabilities (k × d, row-major, P(x_j = 1 | k)),
/// trainingWeight, meanLogLikelihood (without the smoothing term), and the fit summary (objectiveHistory, converged, cancelled, iterations,
/// backend, device, seconds). Numbers round-trip exactly, so predictions are bit-identical.
/// </summary>
internal static class BernoulliMixtureCodec
{
    public static void Write(BernoulliMixtureModel model, Stream stream) =>
        ModelDocument.Write(stream, BernoulliMixtureModel.FormatName, w =>
        {
            BernoulliParameters p = model.Parameters;
            w.WriteNumber("componentCount", p.K);
            w.WriteNumber("dimension", p.D);
            ModelDocument.WriteArray(w, "weights", p.Weights);
            ModelDocument.WriteArray(w, "probabilities", p.Probabilities);
            w.WriteNumber("trainingWeight", model.TrainingWeight);
            w.WriteNumber("meanLogLikelihood", model.MeanLogLikelihood);
            FitSummaryFields.Write(w, model.Summary, "objectiveHistory", model.Summary.ObjectiveHistory);
        });

    public static BernoulliMixtureModel Read(Stream stream, string source) =>
        ModelDocument.Read(stream, source, BernoulliMixtureModel.FormatName, Read);

    private static BernoulliMixtureModel Read(ModelDocument.Reader r)
    {
        (int k, int d) = r.Sizes("componentCount", "dimension");
        double[] weights = r.Weights("weights", k);
        double[] probabilities = r.Doubles("probabilities", r.Length("probabilities", k, d));
        if (probabilities.Any(p => p < 0 || p > 1))
            throw r.Fail("has a probability outside [0, 1]");
        double trainingWeight = r.Double("trainingWeight");
        if (!(trainingWeight > 0))
            throw r.Fail($"has trainingWeight {trainingWeight}; it must be positive");
        FitSummary summary = FitSummaryFields.Read(r, "objectiveHistory");
        return new BernoulliMixtureModel(new BernoulliParameters(k, d, weights, probabilities), summary, r.Double("meanLogLikelihood"), trainingWeight);
    }
}
