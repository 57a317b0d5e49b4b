using GpuEm.Data;

namespace GpuEm.Models;

/// <summary>A clustering model with posterior probabilities of its clusters.</summary>
public interface IProbabilisticClusteringModel : IClusteringModel
{
    /// <summary>Posterior probabilities p(k | x) of a range of rows of a source.</summary>
    /// <param name="source">Rows of <see cref="IRowModel.Dimension"/> values.</param>
    /// <param name="firstRow">The first row of the range.</param>
    /// <param name="rowCount">Rows in the range (the caller picks a size that fits in memory).</param>
    /// <returns>rowCount × k probabilities; each row sums to 1.</returns>
    double[,] PredictProba(IDataSource source, long firstRow, int rowCount);
}
