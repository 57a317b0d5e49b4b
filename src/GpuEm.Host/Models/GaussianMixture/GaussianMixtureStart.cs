namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// User-given starting parameters. Covariances that are not given are taken from the data
/// (the weighted covariance of all points, shaped to the covariance type).
/// </summary>
/// <param name="Weights">k mixing weights, positive; normalized to sum to 1.</param>
/// <param name="Means">Means, k × d.</param>
/// <param name="Precisions">Optional precision matrices (inverse covariances), k × d × d
/// (for <see cref="CovarianceType.Tied"/> the first is used; for diagonal and spherical types
/// only the diagonal is read, and spherical averages it).</param>
public sealed record GaussianMixtureStart(double[] Weights, double[,] Means, double[,,]? Precisions = null);
