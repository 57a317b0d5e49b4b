namespace GpuEm.Kernels.KMeans;

/// <summary>Shapes of one k-means assignment launch.</summary>
/// <param name="PointCount">Rows n.</param>
/// <param name="Dimension">Columns d.</param>
/// <param name="ClusterCount">Clusters k.</param>
/// <param name="TileCentres">Centres staged in shared memory at a time.</param>
/// <param name="UseWeights">1: distances are multiplied by the sample weight.</param>
public readonly record struct KMeansAssignParams(
    int PointCount, int Dimension, int ClusterCount, int TileCentres, int UseWeights);
