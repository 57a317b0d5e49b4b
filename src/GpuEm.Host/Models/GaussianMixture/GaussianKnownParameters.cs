namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// Parameters held fixed at given values while EM estimates the others (set any subset). Fixed
/// values are used from the first E-step on and are returned exactly as given: no
/// regularization is added to given covariances.
/// </summary>
/// <remarks>
/// With known means the covariances are estimated around those means; with known weights the
/// responsibilities still follow the data, only the weights stay. The vehicle example
/// (two Gaussians with known variances 1 and 4 and a known ratio, unknown means) is
/// <c>new GaussianKnownParameters { Weights = [πc, πt], Covariances = … }</c> with
/// <see cref="CovarianceType.Spherical"/> (or Diagonal) in d = 1.
/// </remarks>
public sealed record GaussianKnownParameters
{
    /// <summary>k mixing weights, each &gt; 0, summing to 1 (within 1e-9; used as given).</summary>
    public double[]? Weights { get; init; }

    /// <summary>Means, k × d, finite.</summary>
    public double[,]? Means { get; init; }

    /// <summary>
    /// Covariances as full matrices, k × d × d, each symmetric positive definite and of the
    /// options' covariance type: tied needs the k matrices equal, diagonal needs zero
    /// off-diagonal entries, spherical needs a constant diagonal too.
    /// </summary>
    public double[,,]? Covariances { get; init; }

    /// <summary>True when nothing is fixed.</summary>
    internal bool IsEmpty => Weights is null && Means is null && Covariances is null;
}
