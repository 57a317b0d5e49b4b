namespace GpuEm.Models.GaussianMixture;

/// <summary>The shape of each component's covariance.</summary>
public enum CovarianceType
{
    /// <summary>Each component has its own full d × d covariance.</summary>
    Full,

    /// <summary>All components share one full d × d covariance.</summary>
    Tied,

    /// <summary>Each component has its own diagonal covariance (d variances).</summary>
    Diagonal,

    /// <summary>Each component has one variance shared by all dimensions.</summary>
    Spherical,
}
