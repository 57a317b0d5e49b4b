namespace GpuEm.Models.Topics;

/// <summary>
/// Settings of latent Dirichlet allocation by variational EM (Blei, Ng and Jordan 2003), batch
/// (scikit-learn's <c>learning_method='batch'</c>, the default) or online variational Bayes
/// (<see cref="LearningMethod"/>): θ_d ~ Dirichlet(α), β_k ~ Dirichlet(η), with a
/// variational Dirichlet γ_d per document and λ_k per topic. The objective is the evidence lower
/// bound (ELBO) per training token. λ starts as scikit-learn's, drawn from Gamma(100, 1/100)
/// (from the seed); every E-step starts each document's γ afresh at α + n_d / K (as scikit-learn
/// starts it afresh, there at random), unless <see cref="WarmStart"/>.
/// </summary>
public sealed record LdaOptions : TopicModelOptions
{
    /// <summary>Default values of the LDA settings.</summary>
    public static class LdaDefaults
    {
        /// <summary>100 γ updates per document and E-step at most (scikit-learn's max_doc_update_iter).</summary>
        public const int MaxDocumentIterations = 100;

        /// <summary>1e-3 on the mean absolute change of a document's γ (scikit-learn's mean_change_tol).</summary>
        public const double DocumentTolerance = 1e-3;

        /// <summary>128 documents per mini-batch (scikit-learn's batch_size).</summary>
        public const int BatchSize = 128;

        /// <summary>τ₀ = 10 (scikit-learn's learning_offset).</summary>
        public const double LearningOffset = 10;

        /// <summary>κ = 0.7 (scikit-learn's learning_decay).</summary>
        public const double LearningDecay = 0.7;
    }

    /// <summary>
    /// The symmetric document-topic prior α &gt; 0, or null for 1/K (scikit-learn's default).
    /// Ignored when <see cref="TopicAlphas"/> is given. Default null.
    /// </summary>
    public double? Alpha { get; init; }

    /// <summary>An asymmetric prior: K values α_k &gt; 0, or null. Default null.</summary>
    public IReadOnlyList<double>? TopicAlphas { get; init; }

    /// <summary>The symmetric topic-word prior η &gt; 0, or null for 1/K (scikit-learn's default). Default null.</summary>
    public double? Eta { get; init; }

    /// <summary>
    /// Learns α (one value per topic) in every M-step by Minka's fixed point for a Dirichlet's
    /// maximum likelihood, from Σ_d E[log θ_dk]; starts from <see cref="Alpha"/> or
    /// <see cref="TopicAlphas"/>. Default false.
    /// </summary>
    public bool LearnAlpha { get; init; }

    /// <summary>
    /// Starts each document's γ at its value from the previous E-step instead of afresh. The ELBO
    /// then provably never decreases, and an E-step needs fewer γ updates; but measured on a
    /// synthetic corpus of 20,000 documents (K = 50, docs/TOPICS.md) the fit locks into its early
    /// assignments and reaches a worse bound and held-out perplexity in the same iterations, so it
    /// is off by default. Default false.
    /// </summary>
    public bool WarmStart { get; init; }

    /// <summary>Most γ updates per document in one E-step (≥ 1). Default 100.</summary>
    public int MaxDocumentIterations { get; init; } = LdaDefaults.MaxDocumentIterations;

    /// <summary>A document's γ updates stop once the mean |Δγ_k| is below this (finite, ≥ 0). Default 1e-3.</summary>
    public double DocumentTolerance { get; init; } = LdaDefaults.DocumentTolerance;

    /// <summary>Batch variational EM (default) or online variational Bayes; see <see cref="LdaLearning"/>.</summary>
    public LdaLearning LearningMethod { get; init; } = LdaLearning.Batch;

    /// <summary>Online: documents per mini-batch (≥ 1; the last batch of a pass may be smaller). Default 128.</summary>
    public int BatchSize { get; init; } = LdaDefaults.BatchSize;

    /// <summary>
    /// Online: τ₀ ≥ 0, which damps the first updates (ρ_t = (τ₀ + t)^−κ). Default 10.
    /// </summary>
    public double LearningOffset { get; init; } = LdaDefaults.LearningOffset;

    /// <summary>
    /// Online: κ in (0.5, 1], how fast the step size ρ_t = (τ₀ + t)^−κ falls; the range is
    /// Hoffman et al.'s condition for convergence (Σ ρ_t = ∞, Σ ρ_t² &lt; ∞). With
    /// <see cref="LearnAlpha"/>, α moves by the same step towards each batch's fixed point. Default 0.7.
    /// </summary>
    public double LearningDecay { get; init; } = LdaDefaults.LearningDecay;

    /// <summary>α of each topic as this fit uses it.</summary>
    internal double[] ResolvedAlpha() =>
        TopicAlphas is not null ? TopicAlphas.ToArray() : Enumerable.Repeat(Alpha ?? 1.0 / TopicCount, TopicCount).ToArray();

    /// <summary>η as this fit uses it.</summary>
    internal double ResolvedEta => Eta ?? 1.0 / TopicCount;

    internal void Validate()
    {
        ValidateTopics();
        if (Alpha is { } alpha && !(double.IsFinite(alpha) && alpha > 0))
            throw new ArgumentOutOfRangeException(nameof(Alpha), alpha, "Alpha must be finite and > 0.");
        if (TopicAlphas is not null)
        {
            if (TopicAlphas.Count != TopicCount)
                throw new ArgumentException($"TopicAlphas has {TopicAlphas.Count} values; it needs one per topic (K = {TopicCount}).", nameof(TopicAlphas));
            for (int k = 0; k < TopicAlphas.Count; k++)
                if (!(double.IsFinite(TopicAlphas[k]) && TopicAlphas[k] > 0))
                    throw new ArgumentOutOfRangeException(nameof(TopicAlphas), TopicAlphas[k], $"TopicAlphas[{k}] must be finite and > 0.");
        }
        if (Eta is { } eta && !(double.IsFinite(eta) && eta > 0))
            throw new ArgumentOutOfRangeException(nameof(Eta), eta, "Eta must be finite and > 0.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDocumentIterations, nameof(MaxDocumentIterations));
        if (!double.IsFinite(DocumentTolerance) || DocumentTolerance < 0)
            throw new ArgumentOutOfRangeException(nameof(DocumentTolerance), DocumentTolerance, "DocumentTolerance must be finite and ≥ 0.");
        if (!Enum.IsDefined(LearningMethod))
            throw new ArgumentOutOfRangeException(nameof(LearningMethod), LearningMethod, "LearningMethod must be Batch or Online.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize, nameof(BatchSize));
        if (!double.IsFinite(LearningOffset) || LearningOffset < 0)
            throw new ArgumentOutOfRangeException(nameof(LearningOffset), LearningOffset, "LearningOffset τ₀ must be finite and ≥ 0.");
        if (!(LearningDecay > 0.5 && LearningDecay <= 1))
            throw new ArgumentOutOfRangeException(
                nameof(LearningDecay), LearningDecay, "LearningDecay κ must lie in (0.5, 1] (Σ ρ_t = ∞ and Σ ρ_t² < ∞, Hoffman et al. 2010).");
        if (LearningMethod == LdaLearning.Online && Backend is not (Backend.Auto or Backend.Reference))
            throw new ArgumentException(
                $"LearningMethod Online runs on the reference engine; Backend {Backend} is not supported with it. " +
                "Use Backend Auto or Reference, or LearningMethod Batch (which streams corpora larger than the device).",
                nameof(Backend));
    }
}
