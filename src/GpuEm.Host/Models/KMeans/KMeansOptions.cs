using GpuEm.Em;

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

/// <summary>Settings of a k-means fit. Immutable; validated when the estimator is made.</summary>
public sealed record KMeansOptions
{
    /// <summary>Clusters k (≥ 1, ≤ the number of points). Default 8, as scikit-learn.</summary>
    public int ClusterCount { get; init; } = 8;

    /// <summary>Most Lloyd iterations per restart (≥ 0). Default 300.</summary>
    public int MaxIterations { get; init; } = 300;

    /// <summary>
    /// Converged when Σ‖c_new − c_old‖² ≤ Tolerance × (mean per-column variance of the data), as
    /// scikit-learn; labels that stop changing always stop the fit. ≥ 0. Default 1e-4.
    /// </summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>How restarts start. Default <see cref="KMeansInitialization.KMeansPlusPlus"/>.</summary>
    public KMeansInitialization Initialization { get; init; } = KMeansInitialization.KMeansPlusPlus;

    /// <summary>Starting centres (k × d) for <see cref="KMeansInitialization.Given"/>.</summary>
    public double[,]? InitialCentres { get; init; }

    /// <summary>Independent starts (≥ 1); the lowest inertia wins. Default 1.</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>Seed of every random choice. Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Where the assignment step runs. Default <see cref="GpuEm.Backend.Auto"/>.</summary>
    public Backend Backend { get; init; } = Backend.Auto;

    /// <summary>
    /// The most device memory (bytes) the accelerator engine may plan for; null: what the device
    /// has free. Data beyond it streams through the device in chunks every iteration (same result
    /// to rounding). Ignored by the reference engine. Default null.
    /// </summary>
    public long? DeviceMemoryLimit { get; init; }

    /// <summary>Reports per iteration (objective = −inertia), notices and warnings (empty clusters
    /// re-seeded, not converged).</summary>
    public IProgress<FitProgress>? Progress { get; init; }

    internal void Validate()
    {
        if (DeviceMemoryLimit is <= 0)
            throw new ArgumentOutOfRangeException(nameof(DeviceMemoryLimit), DeviceMemoryLimit, "DeviceMemoryLimit must be positive.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ClusterCount, nameof(ClusterCount));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxIterations, nameof(MaxIterations));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Restarts, nameof(Restarts));
        if (!double.IsFinite(Tolerance) || Tolerance < 0)
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be finite and ≥ 0.");
        if (!Enum.IsDefined(Initialization))
            throw new ArgumentOutOfRangeException(nameof(Initialization), Initialization, "Unknown initialization.");
        if (!Enum.IsDefined(Backend))
            throw new ArgumentOutOfRangeException(nameof(Backend), Backend, "Unknown backend.");
        if (Initialization == KMeansInitialization.Given)
        {
            if (InitialCentres is null)
                throw new ArgumentException("Initialization is Given but InitialCentres is null.", nameof(InitialCentres));
            if (InitialCentres.GetLength(0) != ClusterCount)
                throw new ArgumentException(
                    $"InitialCentres has {InitialCentres.GetLength(0)} rows; ClusterCount is {ClusterCount}.", nameof(InitialCentres));
            foreach (double v in InitialCentres)
                if (!double.IsFinite(v))
                    throw new ArgumentException("InitialCentres must be finite.", nameof(InitialCentres));
        }
    }
}
