using GpuEm.Em;
using GpuEm.Persistence;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// The model file of a Gaussian mixture (format "gpuem.gaussian-mixture", version 1): the
/// covariance type, k, d, weights, means (k × d, row-major), covariances in the type's compact form
/// (full k·d·d, tied d·d, diagonal k·d, spherical k), the fit's history and flags. Loading factors
/// the covariances exactly as the fit did, so predictions are bit-identical.
/// </summary>
/// <remarks>
/// "logLikelihoodHistory" holds <see cref="FittedModel.ObjectiveHistory"/> (the name predates the
/// distinction and is kept so that files stay version 1). "meanLogLikelihood" holds
/// <see cref="GaussianMixtureModel.MeanLogLikelihood"/>; files written before it existed lack it
/// and load with the last objective as the mean log-likelihood, which is what those versions
/// reported.
/// </remarks>
internal static class GaussianMixtureCodec
{
    public static void Write(GaussianMixtureModel model, Stream stream) =>
        ModelDocument.Write(stream, GaussianMixtureModel.FormatName, w =>
        {
            GaussianParameters p = model.Parameters;
            w.WriteString("covarianceType", p.Type.ToString());
            w.WriteNumber("componentCount", p.K);
            w.WriteNumber("dimension", p.D);
            ModelDocument.WriteArray(w, "weights", p.Weights);
            ModelDocument.WriteArray(w, "means", p.Means);
            ModelDocument.WriteArray(w, "covariances", p.Covariances);
            w.WriteNumber("trainingWeight", model.TrainingWeight);
            w.WriteNumber("meanLogLikelihood", model.MeanLogLikelihood);
            FitSummaryFields.Write(w, model.Summary, "logLikelihoodHistory", model.Summary.ObjectiveHistory);
        });

    public static GaussianMixtureModel Read(Stream stream, string source) =>
        ModelDocument.Read(stream, source, GaussianMixtureModel.FormatName, Read);

    private static GaussianMixtureModel Read(ModelDocument.Reader r)
    {
        CovarianceType type = r.Enum<CovarianceType>("covarianceType");
        (int k, int d) = r.Sizes("componentCount", "dimension");
        double[] weights = r.Doubles("weights", k);
        if (weights.Any(w => w <= 0) || Math.Abs(weights.Sum() - 1) > 1e-9)
            throw r.Fail("has weights that are not positive or do not sum to 1");
        double[] means = r.Doubles("means", k * d);
        double[] covariances = r.Doubles("covariances", GaussianParameters.CovarianceLength(type, k, d));
        GaussianParameters parameters;
        try
        {
            parameters = GaussianParameters.Create(type, k, d, weights, means, covariances);
        }
        catch (SingularCovarianceException ex)
        {
            throw new ModelFormatException($"The model file {r.Source} holds a covariance that is not positive definite.", ex);
        }
        double trainingWeight = r.Double("trainingWeight");
        if (!(trainingWeight > 0))
            throw r.Fail($"has trainingWeight {trainingWeight}; it must be positive");
        FitSummary summary = FitSummaryFields.Read(r, "logLikelihoodHistory");
        double meanLogLikelihood = r.Has("meanLogLikelihood") ? r.Double("meanLogLikelihood") : summary.Objective;
        return new GaussianMixtureModel(parameters, summary, meanLogLikelihood, trainingWeight);
    }
}
