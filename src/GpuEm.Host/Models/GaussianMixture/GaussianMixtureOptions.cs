using GpuEm.Em;

namespace GpuEm.Models.GaussianMixture;

/// <summary>Settings of a Gaussian mixture fit. Immutable; validated when a fit starts.</summary>
public sealed record GaussianMixtureOptions
{
    /// <summary>Default values, as scikit-learn's <c>GaussianMixture</c> where it has them.</summary>
    public static class Defaults
    {
        /// <summary>100.</summary>
        public const int MaxIterations = 100;

        /// <summary>1e-3 on the change of the mean log-likelihood per point.</summary>
        public const double Tolerance = 1e-3;

        /// <summary>1e-6 added to the diagonal of every covariance.</summary>
        public const double CovarianceRegularization = 1e-6;
    }

    /// <summary>Components k (≥ 1, ≤ the number of points). Default 1.</summary>
    public int ComponentCount { get; init; } = 1;

    /// <summary>Covariance shape. Default <see cref="CovarianceType.Full"/>.</summary>
    public CovarianceType CovarianceType { get; init; } = CovarianceType.Full;

    /// <summary>Most EM iterations (M-steps) per restart (≥ 0). Default 100.</summary>
    public int MaxIterations { get; init; } = Defaults.MaxIterations;

    /// <summary>
    /// Converged when the mean log-likelihood per point changes by less than this between two
    /// iterations (≥ 0; 0 runs all <see cref="MaxIterations"/>). Default 1e-3.
    /// </summary>
    public double Tolerance { get; init; } = Defaults.Tolerance;

    /// <summary>
    /// Non-negative value added to the diagonal of every covariance after each M-step, so that
    /// covariances stay positive definite (the same regularization as scikit-learn's
    /// <c>reg_covar</c>). Default 1e-6.
    /// </summary>
    public double CovarianceRegularization { get; init; } = Defaults.CovarianceRegularization;

    /// <summary>How each restart starts. Default <see cref="GaussianInitialization.KMeans"/>.</summary>
    public GaussianInitialization Initialization { get; init; } = GaussianInitialization.KMeans;

    /// <summary>The start for <see cref="GaussianInitialization.Given"/>; ignored otherwise.</summary>
    public GaussianMixtureStart? InitialParameters { get; init; }

    /// <summary>
    /// A fitted model to start from (warm start): its parameters are the start of every restart,
    /// overriding <see cref="Initialization"/>. Its component count, dimension and covariance type
    /// must match.
    /// </summary>
    public GaussianMixtureModel? WarmStart { get; init; }

    /// <summary>
    /// Parameters held fixed at given values while the others are estimated. Optional; see
    /// <see cref="GaussianKnownParameters"/>.
    /// </summary>
    public GaussianKnownParameters? KnownParameters { get; init; }

    /// <summary>
    /// Conjugate priors: with one, EM computes the MAP estimate and the history holds the
    /// penalized log-likelihood per point. Optional (null: maximum likelihood); see
    /// <see cref="GaussianPrior"/>.
    /// </summary>
    public GaussianPrior? Prior { get; init; }

    /// <summary>
    /// What NaN entries mean: an error (the default) or values missing at random, marginalized
    /// (see <see cref="GpuEm.MissingValues.Marginalize"/>).
    /// </summary>
    public MissingValues MissingValues { get; init; } = MissingValues.Error;

    /// <summary>
    /// With <see cref="GpuEm.MissingValues.Marginalize"/>: skip rows whose every entry is missing
    /// (they carry no information) instead of failing. Default false.
    /// </summary>
    public bool SkipEmptyRows { get; init; }

    /// <summary>Independent starts (≥ 1); the best final log-likelihood wins. Default 1.</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>Seed of every random choice; the same seed gives the same model on the same backend.
    /// Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Where the E-step runs. Default <see cref="GpuEm.Backend.Auto"/>.</summary>
    public Backend Backend { get; init; } = Backend.Auto;

    /// <summary>
    /// The most device memory (bytes) the accelerator engine may plan for; null: what the device
    /// has free. Data beyond it streams through the device in chunks every iteration (same result
    /// to rounding). Ignored by the reference engine. Default null.
    /// </summary>
    public long? DeviceMemoryLimit { get; init; }

    /// <summary>
    /// Receives a report after every iteration, notices (a skipped device) and warnings (not
    /// converged). Optional.
    /// </summary>
    public IProgress<FitProgress>? Progress { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ComponentCount, nameof(ComponentCount));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxIterations, nameof(MaxIterations));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Restarts, nameof(Restarts));
        if (!double.IsFinite(Tolerance) || Tolerance < 0)
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be finite and ≥ 0.");
        if (!double.IsFinite(CovarianceRegularization) || CovarianceRegularization < 0)
            throw new ArgumentOutOfRangeException(
                nameof(CovarianceRegularization), CovarianceRegularization, "CovarianceRegularization must be finite and ≥ 0.");
        if (!Enum.IsDefined(CovarianceType))
            throw new ArgumentOutOfRangeException(nameof(CovarianceType), CovarianceType, "Unknown covariance type.");
        if (!Enum.IsDefined(Initialization))
            throw new ArgumentOutOfRangeException(nameof(Initialization), Initialization, "Unknown initialization.");
        if (DeviceMemoryLimit is <= 0)
            throw new ArgumentOutOfRangeException(nameof(DeviceMemoryLimit), DeviceMemoryLimit, "DeviceMemoryLimit must be positive.");
        if (!Enum.IsDefined(MissingValues))
            throw new ArgumentOutOfRangeException(nameof(MissingValues), MissingValues, "Unknown missing-value handling.");
        if (!Enum.IsDefined(Backend))
            throw new ArgumentOutOfRangeException(nameof(Backend), Backend, "Unknown backend.");
        if (Initialization == GaussianInitialization.Given && InitialParameters is null && WarmStart is null)
            throw new ArgumentException(
                "Initialization is Given but InitialParameters is null; set InitialParameters.", nameof(InitialParameters));
        if (WarmStart is not null
            && (WarmStart.ComponentCount != ComponentCount || WarmStart.CovarianceType != CovarianceType))
            throw new ArgumentException(
                $"WarmStart has {WarmStart.ComponentCount} {WarmStart.CovarianceType} components; the options ask for " +
                $"{ComponentCount} {CovarianceType}.", nameof(WarmStart));
    }
}
