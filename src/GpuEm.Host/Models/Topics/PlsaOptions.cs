namespace GpuEm.Models.Topics;

/// <summary>
/// Settings of probabilistic latent semantic analysis (Hofmann 1999): p(w | d) = Σ_k p(k | d)
/// p(w | k), fitted by EM to the token counts. The objective is the log-likelihood per training
/// token, Σ_dw n_dw log p(w | d) / Σ_dw n_dw. Starts: p(w | k) drawn from a flat Dirichlet per
/// topic (from the seed), p(k | d) = 1/K.
/// </summary>
public sealed record PlsaOptions : TopicModelOptions
{
    /// <summary>
    /// β in (0, 1]: tempered EM (Hofmann 1999, §3.6) takes responsibilities proportional to
    /// [p(k | d) p(w | k)]^β. 1 is plain EM, whose log-likelihood never decreases; β &lt; 1
    /// flattens the posteriors against over-fitting, and the log-likelihood it reports may then
    /// fall between iterations. Default 1.
    /// </summary>
    public double Tempering { get; init; } = 1;

    internal void Validate()
    {
        ValidateTopics();
        if (!(Tempering > 0 && Tempering <= 1))
            throw new ArgumentOutOfRangeException(nameof(Tempering), Tempering, "Tempering β must be in (0, 1].");
    }
}
