using GpuEm.Persistence;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// The model file of a Gaussian mixture (format "gpuem.gaussian-mixture", version 1): the
/// covariance type, k, d, weights, means (k × d, row-major), covariances in the type's compact form
/// (full k·d·d, tied d·d, diagonal k·d, spherical k), the fit's history and flags. Loading factors
/// the covariances exactly as the fit did, so predictions are bit-identical.
/// </summary>
internal static class GaussianMixtureCodec
{
    public static void Write(GaussianMixtureModel model, Stream stream) =>
        ModelDocument.Write(stream, ModelFile.GaussianMixtureFormat, w =>
        {
            GaussianParameters p = model.Parameters;
            w.WriteString("covarianceType", p.Type.ToString());
            w.WriteNumber("componentCount", p.K);
            w.WriteNumber("dimension", p.D);
            ModelDocument.WriteArray(w, "weights", p.Weights);
            ModelDocument.WriteArray(w, "means", p.Means);
            ModelDocument.WriteArray(w, "covariances", p.Covariances);
            ModelDocument.WriteArray(w, "logLikelihoodHistory", model.LogLikelihoodHistory);
            w.WriteBoolean("converged", model.Converged);
            w.WriteBoolean("cancelled", model.Cancelled);
            w.WriteNumber("iterations", model.Iterations);
            w.WriteString("backend", model.Backend.ToString());
            w.WriteString("device", model.DeviceName);
            w.WriteNumber("trainingWeight", model.TrainingWeight);
        });

    public static GaussianMixtureModel Read(Stream stream, string source) =>
        ModelDocument.Read(stream, source, ModelFile.GaussianMixtureFormat, Read);

    private static GaussianMixtureModel Read(ModelDocument.Reader r)
    {
        CovarianceType type = r.Enum<CovarianceType>("covarianceType");
        int k = r.Int("componentCount");
        int d = r.Int("dimension");
        if (k < 1 || d < 1)
            throw r.Fail($"has componentCount {k} and dimension {d}; both must be ≥ 1");
        double[] weights = r.Doubles("weights", k);
        if (weights.Any(w => w <= 0) || Math.Abs(weights.Sum() - 1) > 1e-9)
            throw r.Fail("has weights that are not positive or do not sum to 1");
        double[] means = r.Doubles("means", k * d);
        double[] covariances = r.Doubles("covariances", GaussianParameters.CovarianceLength(type, k, d));
        double[] history = r.Doubles("logLikelihoodHistory", -1);
        if (history.Length == 0)
            throw r.Fail("has an empty logLikelihoodHistory");
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
        return new GaussianMixtureModel(
            parameters, history, r.Bool("converged"), r.Int("iterations"), r.Enum<Backend>("backend"),
            r.String("device"), trainingWeight, r.Bool("cancelled"));
    }
}
