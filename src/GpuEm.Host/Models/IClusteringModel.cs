using GpuEm.Data;

namespace GpuEm.Models;

/// <summary>A model that assigns each row to one of <see cref="ClusterCount"/> clusters.</summary>
public interface IClusteringModel : IRowModel
{
    /// <summary>Clusters (components) k.</summary>
    int ClusterCount { get; }

    /// <summary>The cluster of each row, in [0, k).</summary>
    /// <param name="source">n rows of <see cref="IRowModel.Dimension"/> values.</param>
    /// <returns>n labels.</returns>
    int[] Predict(IDataSource source);
}
