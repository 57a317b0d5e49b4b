using GpuEm.Data;

namespace GpuEm.Models;

/// <summary>
/// A model of data given as rows of <see cref="Dimension"/> values (points, binary or categorical
/// rows), which can score such rows: read from any <see cref="IDataSource"/>, chunk by chunk.
/// </summary>
public interface IRowModel : IFittedModel
{
    /// <summary>Values per row the model takes (d).</summary>
    int Dimension { get; }

    /// <summary>
    /// Scores rows: the model's measures of fit over the whole source, in one chunked pass
    /// (mixtures: mean log-likelihood, log-likelihood, BIC, AIC; k-means: inertia).
    /// </summary>
    /// <param name="source">n rows of <see cref="Dimension"/> values, as the model's fit takes them.</param>
    /// <returns>The named measures.</returns>
    ModelScore Evaluate(IDataSource source);
}

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

/// <summary>A clustering model whose clusters have centres in the data's space (Gaussian means,
/// k-means centres, Bernoulli probabilities), and for Gaussian mixtures covariances.</summary>
public interface ICentredClusteringModel : IClusteringModel
{
    /// <summary>The centre of each cluster, k × d.</summary>
    double[,] ClusterCentres { get; }

    /// <summary>The covariance of each cluster, k × d × d, or null when the model has none.</summary>
    double[,,]? ClusterCovariances { get; }
}
