namespace GpuEm.Models;

/// <summary>A clustering model whose clusters have centres in the data's space (Gaussian means,
/// k-means centres, Bernoulli probabilities), and for Gaussian mixtures covariances.</summary>
public interface ICentredClusteringModel : IClusteringModel
{
    /// <summary>The centre of each cluster, k × d.</summary>
    double[,] ClusterCentres { get; }

    /// <summary>The covariance of each cluster, k × d × d, or null when the model has none.</summary>
    double[,,]? ClusterCovariances { get; }
}
