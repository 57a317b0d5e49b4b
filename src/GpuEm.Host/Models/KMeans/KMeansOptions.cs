using GpuEm.Em;

namespace GpuEm.Models.KMeans;

/// <summary>
/// Settings of a k-means fit. Immutable; validated when the estimator is made. The shared
/// settings are <see cref="EmOptions"/>'s, with k-means' defaults: MaxIterations 300 and
/// Tolerance 1e-4 on the squared centre shift over the mean column variance (scikit-learn's
/// scaled tolerance); the progress reports −inertia as the objective.
/// </summary>
public sealed record KMeansOptions : EmOptions
{
    /// <summary>Options with k-means' defaults (300 iterations, tolerance 1e-4), as scikit-learn.</summary>
    public KMeansOptions()
        : base(300, 1e-4)
    {
    }

    /// <summary>Clusters k (≥ 1, ≤ the number of points). Default 8, as scikit-learn.</summary>
    public int ClusterCount { get; init; } = 8;

    /// <summary>How restarts start. Default <see cref="KMeansInitialization.KMeansPlusPlus"/>.</summary>
    public KMeansInitialization Initialization { get; init; } = KMeansInitialization.KMeansPlusPlus;

    /// <summary>Starting centres (k × d) for <see cref="KMeansInitialization.Given"/>.</summary>
    public double[,]? InitialCentres { get; init; }

    /// <summary>
    /// After Lloyd's algorithm converges (on the winning restart), move single points between
    /// clusters while a move lowers the inertia, the centres moving with them (Hartigan–Wong
    /// style, as R's default <c>kmeans</c>): moves Lloyd cannot make. Sweeps over the points on
    /// the host in float64 (each costs about one reference E-step on one core) until none moves,
    /// at most <see cref="MaxHartiganSweeps"/>; the inertia and labels reported are those of one
    /// more E-step at the final centres, so they are exact for the centres returned. Never
    /// raises the inertia. Default false.
    /// </summary>
    public bool HartiganMoves { get; init; }

    /// <summary>
    /// Steps of greedy local search on each restart's seeding (LocalSearch++, Lattanzi and Sohler
    /// 2019; ≥ 0): a point drawn ∝ w·D² replaces the centre whose swap lowers the seeding's
    /// potential most, when it does. Host float64, each step about one pass over the data (a swap
    /// k passes). Not for <see cref="KMeansInitialization.Given"/>. Default 0 (off).
    /// </summary>
    public int SeedingLocalSearch { get; init; }

    /// <summary>The most sweeps of <see cref="HartiganMoves"/> (≥ 1). Default 100.</summary>
    public int MaxHartiganSweeps { get; init; } = 100;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ClusterCount, nameof(ClusterCount));
        ValidateRun();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxHartiganSweeps, nameof(MaxHartiganSweeps));
        ArgumentOutOfRangeException.ThrowIfNegative(SeedingLocalSearch, nameof(SeedingLocalSearch));
        if (!Enum.IsDefined(Initialization))
            throw new ArgumentOutOfRangeException(nameof(Initialization), Initialization, "Unknown initialization.");
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
