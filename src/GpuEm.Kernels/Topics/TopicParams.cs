namespace GpuEm.Kernels.Topics;

/// <summary>Shapes and settings of one <see cref="TopicKernels.LdaEStepKernel"/> launch.</summary>
/// <param name="TopicCount">Topics K.</param>
/// <param name="DocumentCount">Documents of the launch (rows of documentStarts minus one).</param>
/// <param name="MaxIterations">Most γ updates per document (≥ 1).</param>
/// <param name="Tolerance">A document stops once the mean |Δγ_k| of an update is below it.</param>
/// <param name="AlphaNorm">ln Γ(Σ α) − Σ ln Γ(α_k), the prior's normalizer in the bound.</param>
/// <param name="FreshStart">1: each document's γ starts at α_k + n_d / K (gamma is only written);
/// 0: at the γ that gamma holds (a warm start).</param>
public readonly record struct LdaEStepParams(
    int TopicCount, int DocumentCount, int MaxIterations, double Tolerance, double AlphaNorm, int FreshStart);

/// <summary>Shapes and settings of one <see cref="TopicKernels.PlsaEStepKernel"/> launch.</summary>
/// <param name="TopicCount">Topics K.</param>
/// <param name="DocumentCount">Documents of the launch.</param>
/// <param name="Tempering">β of tempered EM (1: plain EM).</param>
/// <param name="Tempered">1: the responsibilities are ∝ (p(k | d) p(w | k))^β, the kernel writes
/// p(k | d)^β into documentFactors; 0: β = 1, documentFactors is not written.</param>
public readonly record struct PlsaEStepParams(int TopicCount, int DocumentCount, float Tempering, int Tempered);

/// <summary>Shapes of one <see cref="TopicKernels.TermTopicKernel"/> launch.</summary>
/// <param name="TopicCount">Topics K.</param>
/// <param name="UseTermFactors">1: each (term, topic) sum is multiplied by termFactors[w·K + k].</param>
/// <param name="Accumulate">1: add to the totals (a later chunk); 0: replace them.</param>
public readonly record struct TermTopicParams(int TopicCount, int UseTermFactors, int Accumulate);
