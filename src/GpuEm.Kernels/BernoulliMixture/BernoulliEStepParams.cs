namespace GpuEm.Kernels.BernoulliMixture;

/// <summary>Shapes of one Bernoulli E-step launch.</summary>
/// <param name="Dimension">Indicator columns d.</param>
/// <param name="ComponentCount">Components k.</param>
/// <param name="UseWeights">1: multiply responsibilities and log-likelihoods by the sample weight.</param>
/// <param name="UseMask">1: read the observed mask (0 = missing entry, skipped); 0: every entry
/// is observed.</param>
public readonly record struct BernoulliEStepParams(int Dimension, int ComponentCount, int UseWeights, int UseMask);
