namespace GpuEm.Models.GaussianMixture;

/// <summary>How each restart of a Gaussian mixture fit chooses its starting parameters.</summary>
public enum GaussianInitialization
{
    /// <summary>
    /// K-means (k-means++ seeding, one run, on the same backend) clusters the data; its hard
    /// labels give the first M-step. The default, as scikit-learn.
    /// </summary>
    KMeans,

    /// <summary>
    /// Greedy k-means++ seeding (2 + ⌊ln k⌋ candidates per step, as scikit-learn) picks k data
    /// points as means; every point goes to its nearest mean and one M-step gives the start.
    /// </summary>
    KMeansPlusPlus,

    /// <summary>k distinct data points drawn at random (by weight) as means, then as above.</summary>
    RandomPoints,

    /// <summary>Uniform random responsibilities, normalized per point, then one M-step.</summary>
    RandomResponsibilities,

    /// <summary>
    /// The parameters in <see cref="GaussianMixtureOptions.InitialParameters"/> (every restart
    /// starts there).
    /// </summary>
    Given,

    /// <summary>
    /// Model-based agglomerative hierarchical clustering, as mclust starts EM: Ward's criterion
    /// (mclust's <c>hc</c> under the spherical equal-volume model) merges clusters from one per
    /// point until k remain, in whitened coordinates (principal axes scaled to unit variance, as
    /// mclust's default <c>hcUse = "SVD"</c>), on at most <see cref="GaussianMixtureOptions.HierarchicalSubsample"/>
    /// points (a seeded random subset when there are more; the other points join their nearest
    /// cluster mean); one M-step on that partition gives the start. Deterministic when every
    /// point is used: restarts then all start alike.
    /// </summary>
    Hierarchical,
}
