using GpuEm.Em;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// Settings of a Gaussian mixture fit. Immutable; validated when the estimator is made. The
/// shared settings (MaxIterations 100, Tolerance 1e-3 on the change of the mean objective per
/// point, Restarts, Seed, Backend, DeviceMemoryLimit, Progress) are <see cref="EmOptions"/>'s.
/// </summary>
public sealed record GaussianMixtureOptions : EmOptions
{
    /// <summary>Options with the defaults below.</summary>
    public GaussianMixtureOptions()
        : base(Defaults.MaxIterations, Defaults.Tolerance)
    {
    }

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

    /// <summary>
    /// Non-negative value added to the diagonal of every covariance after each M-step, so that
    /// covariances stay positive definite (the same regularization as scikit-learn's
    /// <c>reg_covar</c>). Default 1e-6. It is in the data's squared units: when it exceeds 1 % of
    /// some column's weighted variance (data at the 1e-30 scale, say), it rather than the data
    /// decides that column's variances, and the fit reports a warning through
    /// <see cref="EmLoopOptions.Progress"/> naming the column (scale the data, or lower this).
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

    /// <summary>
    /// <see cref="GaussianInitialization.Hierarchical"/>: the most points the agglomeration runs
    /// on (≥ k; it takes O(n²) time and 8n² bytes: 2,000 points, 32 MB). Default 2000.
    /// </summary>
    public int HierarchicalSubsample { get; init; } = 2000;

    /// <summary>
    /// <see cref="GaussianInitialization.Hierarchical"/>: merge in whitened coordinates (the
    /// principal axes of the points' covariance, each scaled to unit variance; axes without
    /// variance dropped), as mclust's default <c>hcUse = "SVD"</c>, so that columns of very
    /// different scales or constant columns do not decide the merges; false merges in the data's
    /// own coordinates. Default true.
    /// </summary>
    public bool HierarchicalWhitening { get; init; } = true;

    /// <summary>
    /// The first two starts come from <see cref="GaussianInitialization.Hierarchical"/>: start 0
    /// whitened, start 1 in the data's own coordinates (the two win on different data); the other
    /// starts as <see cref="Initialization"/> says (not with Given). Restarts or short-run starts
    /// count them. Default false.
    /// </summary>
    public bool HierarchicalFirstStarts { get; init; }

    /// <summary>
    /// Split-and-merge EM (Ueda et al. 2000) after the fit: at most this many candidate moves,
    /// each merging two components (the most similar posteriors), splitting a third (the worst
    /// local fit) and running EM from there; a move is kept when the objective rises, and rounds of
    /// up to five candidates go on while one is kept. Needs k ≥ 3 (fewer: no move); not with
    /// <see cref="KnownParameters"/> or semi-supervised labels. Never lowers the objective; each
    /// candidate costs one full fit (<see cref="FitSummary.EStepsRun"/> counts them). 0 (default): off.
    /// </summary>
    public int SplitMergeTrials { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ComponentCount, nameof(ComponentCount));
        ArgumentOutOfRangeException.ThrowIfNegative(SplitMergeTrials, nameof(SplitMergeTrials));
        if ((Initialization == GaussianInitialization.Hierarchical || HierarchicalFirstStarts)
            && (HierarchicalSubsample < ComponentCount || HierarchicalSubsample > 46_000))
            throw new ArgumentOutOfRangeException(nameof(HierarchicalSubsample), HierarchicalSubsample,
                $"HierarchicalSubsample must be at least ComponentCount ({ComponentCount}) and at most 46,000 (its n² distances must fit one array).");
        if (SplitMergeTrials > 0 && KnownParameters is not null)
            throw new ArgumentException(
                "SplitMergeTrials needs every parameter free: it merges and splits components, which KnownParameters fixes.",
                nameof(SplitMergeTrials));
        ValidateRun();
        if (!double.IsFinite(CovarianceRegularization) || CovarianceRegularization < 0)
            throw new ArgumentOutOfRangeException(
                nameof(CovarianceRegularization), CovarianceRegularization, "CovarianceRegularization must be finite and ≥ 0.");
        if (!Enum.IsDefined(CovarianceType))
            throw new ArgumentOutOfRangeException(nameof(CovarianceType), CovarianceType, "Unknown covariance type.");
        if (!Enum.IsDefined(Initialization))
            throw new ArgumentOutOfRangeException(nameof(Initialization), Initialization, "Unknown initialization.");
        if (!Enum.IsDefined(MissingValues))
            throw new ArgumentOutOfRangeException(nameof(MissingValues), MissingValues, "Unknown missing-value handling.");
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
