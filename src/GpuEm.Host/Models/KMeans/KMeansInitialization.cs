namespace GpuEm.Models.KMeans;

/// <summary>How each k-means restart chooses its starting centres.</summary>
public enum KMeansInitialization
{
    /// <summary>Greedy k-means++ (2 + ⌊ln k⌋ candidates per step, as scikit-learn).</summary>
    KMeansPlusPlus,

    /// <summary>k distinct data points drawn at random (by weight).</summary>
    RandomPoints,

    /// <summary><see cref="KMeansOptions.InitialCentres"/> (every restart starts there).</summary>
    Given,
}
