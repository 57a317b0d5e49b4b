namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// Conjugate priors for MAP-EM (maximum a posteriori). The objective becomes the penalized
/// log-likelihood log p(X | θ) + log p(θ), reported per (weighted) point in the history, and
/// it never decreases from one iteration to the next (set
/// <see cref="GaussianMixtureOptions.CovarianceRegularization"/> to 0 for the exact MAP: the
/// regularization is added after the MAP step, as in the ML fit).
/// </summary>
/// <remarks>
/// <para>Weights: symmetric Dirichlet(α). Full: Σ_k ~ inverse-Wishart(S₀, ν₀) and, when κ₀ &gt; 0,
/// μ_k | Σ_k ~ N(m₀, Σ_k / κ₀) (Normal–inverse-Wishart). Tied: one inverse-Wishart, each mean
/// N(m₀, Σ / κ₀). Diagonal: each variance σ²_kj ~ inverse-Gamma(ν₀/2, S₀[j,j]/2) and
/// μ_kj ~ N(m₀_j, σ²_kj / κ₀). Spherical: σ²_k ~ inverse-Gamma(ν₀/2, tr S₀ / (2d)),
/// μ_kj ~ N(m₀_j, σ²_k / κ₀).</para>
/// <para>M-step (N_k = Σ r, x̄_k the weighted mean, S_k the scatter around the new mean μ_k,
/// m = 1 when κ₀ &gt; 0 else 0): π_k = (N_k + α − 1) / (N + k(α − 1));
/// μ_k = (N_k x̄_k + κ₀ m₀) / (N_k + κ₀); full Σ_k = (S₀ + S_k + κ₀(μ_k − m₀)(μ_k − m₀)ᵀ) /
/// (N_k + m + ν₀ + d + 1); tied Σ = (S₀ + Σ_k […]) / (N + m·k + ν₀ + d + 1); diagonal
/// σ²_kj = (S₀[j,j] + S_kj + κ₀(μ_kj − m₀_j)²) / (N_k + m + ν₀ + 2); spherical
/// σ²_k = (tr S₀ / d + Σ_j […]) / (N_k d + m·d + ν₀ + 2).</para>
/// <para>The defaults are mclust's <c>priorControl()</c>: κ₀ = 0.01, m₀ = the data mean,
/// ν₀ = d + 2, S₀ = the data covariance / k^(2/d) (Fraley &amp; Raftery 2007), and α = 1 (no
/// prior on the weights).</para>
/// </remarks>
public sealed record GaussianPrior
{
    /// <summary>Dirichlet concentration α ≥ 1 for every weight; 1 is flat. Default 1.</summary>
    public double WeightConcentration { get; init; } = 1;

    /// <summary>κ₀ ≥ 0, the prior's pseudo-count for the means; 0 leaves the means unpenalized.
    /// Default 0.01.</summary>
    public double MeanPrecision { get; init; } = 0.01;

    /// <summary>m₀, d values; null takes the (weighted) data mean.</summary>
    public double[]? MeanLocation { get; init; }

    /// <summary>ν₀ &gt; d − 1 (diagonal and spherical: &gt; 0); null takes d + 2.</summary>
    public double? DegreesOfFreedom { get; init; }

    /// <summary>S₀, d × d symmetric positive definite; null takes the data covariance / k^(2/d).</summary>
    public double[,]? Scale { get; init; }
}
