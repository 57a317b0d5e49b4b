namespace GpuEm.Kernels.Common;

/// <summary>
/// Parameters of <see cref="MomentsKernels.WeightedMomentsKernel"/>: the shapes and the tiling.
/// </summary>
/// <param name="PointCount">Rows n of the data.</param>
/// <param name="Dimension">Columns d of the data.</param>
/// <param name="ComponentCount">Components (clusters) k.</param>
/// <param name="EntryCount">Moment entries E per component (rows of the entry table).</param>
/// <param name="PointsPerBlock">Points reduced by one group (the last block may hold fewer).</param>
/// <param name="TilePoints">Points staged in shared memory at a time.</param>
/// <param name="EntryTiles">Groups per component along the entries (each covers
/// <see cref="MomentsKernels.EntriesPerThread"/> × group size entries).</param>
/// <param name="UseLabels">1: the weight of (point, component) is
/// <c>weights[point]</c> when <c>labels[point] == component</c>, else 0 (hard assignment);
/// 0: it is <c>responsibilities[point, component]</c> (already multiplied by the sample weight).</param>
public readonly record struct MomentsParams(
    int PointCount,
    int Dimension,
    int ComponentCount,
    int EntryCount,
    int PointsPerBlock,
    int TilePoints,
    int EntryTiles,
    int UseLabels);
