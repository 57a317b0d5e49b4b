namespace GpuEm.Models.Discrete;

/// <summary>
/// How each restart of a Bernoulli or categorical mixture fit chooses its start. Every start is
/// computed on the host from the seed, so both engines start from the same parameters.
/// </summary>
public enum DiscreteInitialization
{
    /// <summary>
    /// Greedy k-means++ seeding on the indicator (one-hot) rows, missing entries counted as
    /// 1/L_j, picks k rows; component k starts at p = ½·row + ½·(1/L_j) (for binary data 0.25 or
    /// 0.75, 0.5 where missing), with equal weights. The default.
    /// </summary>
    KMeansPlusPlus,

    /// <summary>As <see cref="KMeansPlusPlus"/> with k distinct rows drawn at random (by weight).</summary>
    RandomPoints,

    /// <summary>Uniform random responsibilities (a fixed function of the seed and the row),
    /// normalized per point, then one M-step.</summary>
    RandomResponsibilities,
}
