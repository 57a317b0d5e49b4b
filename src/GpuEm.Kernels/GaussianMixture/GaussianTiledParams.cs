namespace GpuEm.Kernels.GaussianMixture;

/// <summary>Shapes and tiling of one launch of <see cref="GaussianKernels.EStepFullKernel"/>.</summary>
/// <param name="PointCount">Rows n.</param>
/// <param name="Dimension">Columns d.</param>
/// <param name="ComponentCount">Components k.</param>
/// <param name="TileWidth">Threads of a group along the columns of (x − μ)·L; a group has
/// TileWidth × TileHeight threads and covers 4·TileWidth columns per step.</param>
/// <param name="TileHeight">Threads along the points (TileWidth ≥ 4, so that the group has a
/// thread for each of its 4·TileHeight points); a group covers 4·TileHeight points.</param>
/// <param name="UseWeights">1: multiply responsibilities and log-likelihoods by the sample weight.</param>
/// <param name="UseLabels">1: read the per-point labels (−1 = unknown).</param>
public readonly record struct GaussianTiledParams(
    int PointCount, int Dimension, int ComponentCount, int TileWidth, int TileHeight, int UseWeights, int UseLabels);
