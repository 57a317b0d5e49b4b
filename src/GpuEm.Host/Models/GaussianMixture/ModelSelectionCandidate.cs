namespace GpuEm.Models.GaussianMixture;

/// <summary>One fitted candidate of a model selection.</summary>
/// <param name="ComponentCount">k.</param>
/// <param name="CovarianceType">The covariance type.</param>
/// <param name="Bic">BIC on the data (NaN when the fit failed).</param>
/// <param name="Aic">AIC on the data (NaN when the fit failed).</param>
/// <param name="LogLikelihood">Total log-likelihood (NaN when the fit failed).</param>
/// <param name="Converged">Whether the fit converged.</param>
/// <param name="Model">The fitted model, or null when the fit failed.</param>
/// <param name="Error">Why the fit failed (k &gt; n, a singular covariance…), or null.</param>
public sealed record ModelSelectionCandidate(
    int ComponentCount, CovarianceType CovarianceType, double Bic, double Aic, double LogLikelihood, bool Converged,
    GaussianMixtureModel? Model, string? Error);
