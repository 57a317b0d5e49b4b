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
        double[] means = r.Doubles("means", r.Length("means", k, d));
        double[] covariances = r.Doubles("covariances", type switch
        {
            CovarianceType.Full => r.Length("covariances", k, d, d),
            CovarianceType.Tied => r.Length("covariances", d, d),
            CovarianceType.Diagonal => r.Length("covariances", k, d),
            _ => k,
        });
        CheckCovariances(r, type, k, d, covariances);
        GaussianParameters parameters;
        try
        {
            parameters = GaussianParameters.Create(type, k, d, weights, means, covariances);
        }
        catch (SingularCovarianceException ex)
        {
            throw new ModelFormatException(
                $"The model file {r.Source} has 'covariances' of component {ex.Component} that are not positive definite.", ex);
        }
        CheckPrecisions(r, parameters);
        double trainingWeight = r.Double("trainingWeight");
        if (!(trainingWeight > 0))
            throw r.Fail($"has trainingWeight {trainingWeight}; it must be positive");
        FitSummary summary = FitSummaryFields.Read(r, "logLikelihoodHistory");
        double meanLogLikelihood = r.Has("meanLogLikelihood") ? r.Double("meanLogLikelihood") : summary.Objective;
        return new GaussianMixtureModel(parameters, summary, meanLogLikelihood, trainingWeight);
    }

    // What the factorization does not see: a full or tied covariance must be symmetric (only the
    // lower triangle is factored), within a relative 1e-9 of its diagonal; variances must be
    // positive normal numbers (a subnormal variance has an infinite precision).
    internal static void CheckCovariances(ModelDocument.Reader r, CovarianceType type, int k, int d, double[] covariances)
    {
        if (type is CovarianceType.Full or CovarianceType.Tied)
        {
            int matrices = type == CovarianceType.Full ? k : 1;
            for (int c = 0; c < matrices; c++)
            {
                int offset = c * d * d;
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < i; j++)
                    {
                        double a = covariances[offset + i * d + j];
                        double b = covariances[offset + j * d + i];
                        double scale = Math.Sqrt(Math.Abs(covariances[offset + i * d + i])) * Math.Sqrt(Math.Abs(covariances[offset + j * d + j]));
                        if (!(Math.Abs(a - b) <= 1e-9 * scale + 1e-300))
                            throw r.Fail(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                                $"has 'covariances' of component {c} that are not symmetric: entry ({i}, {j}) is {a:R} but ({j}, {i}) is {b:R}"));
                    }
            }
            return;
        }
        for (int index = 0; index < covariances.Length; index++)
        {
            double v = covariances[index];
            if (!double.IsNormal(v) || v < 0)
                throw r.Fail(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"has a variance {v:R} in 'covariances' (component {(type == CovarianceType.Diagonal ? index / d : index)}) that is not a positive normal number (≥ 2.2e-308)"));
        }
    }

    // The E-step squares the precision factors and adds log-normalizers: both must be finite.
    internal static void CheckPrecisions(ModelDocument.Reader r, GaussianParameters parameters)
    {
        foreach (double u in parameters.PrecisionCholesky)
            if (!double.IsFinite(u * u))
                throw r.Fail(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"has 'covariances' whose precision factor {u:R} overflows when squared: the covariances are too close to singular for float64"));
        for (int c = 0; c < parameters.K; c++)
            if (!double.IsFinite(parameters.LogNorm[c]))
                throw r.Fail($"has 'covariances' and 'weights' of component {c} whose log-normalizer is not finite in float64");
    }
}
