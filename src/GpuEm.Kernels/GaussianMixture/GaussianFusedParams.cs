namespace GpuEm.Kernels.GaussianMixture;

/// <summary>Shapes and tiling of one launch of <see cref="GaussianFusedKernels.DiagonalKernel"/>.</summary>
/// <param name="PointCount">Rows n.</param>
/// <param name="Dimension">Columns d.</param>
/// <param name="ComponentCount">Components k.</param>
/// <param name="PointsPerBlock">Points one group handles (the last group may have fewer).</param>
/// <param name="TilePoints">Points staged in shared memory at a time.</param>
/// <param name="UseWeights">1: multiply responsibilities and log-likelihoods by the sample weight.</param>
/// <param name="UseLabels">1: read the per-point labels (−1 = unknown); a labelled point's
/// responsibilities are one-hot and its log-likelihood term is log p(x, label).</param>
public readonly record struct GaussianFusedParams(
    int PointCount, int Dimension, int ComponentCount, int PointsPerBlock, int TilePoints, int UseWeights, int UseLabels);
