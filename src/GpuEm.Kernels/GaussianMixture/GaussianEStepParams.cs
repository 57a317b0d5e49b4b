namespace GpuEm.Kernels.GaussianMixture;

/// <summary>Shapes of one Gaussian E-step launch.</summary>
/// <param name="Dimension">Columns d.</param>
/// <param name="ComponentCount">Components k.</param>
/// <param name="UseWeights">1: multiply responsibilities and log-likelihoods by the sample weight.</param>
/// <param name="UseLabels">1: read the per-point labels (−1 = unknown); a labelled point's
/// responsibilities are one-hot and its log-likelihood term is log p(x, label).</param>
public readonly record struct GaussianEStepParams(int Dimension, int ComponentCount, int UseWeights, int UseLabels);
