using GpuEm.Em;
using GpuEm.Models.GaussianMixture;

namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// Settings of a hidden Markov model fit by Baum-Welch. Immutable; validated when the fit
/// starts. The shared settings (<see cref="EmLoopOptions.MaxIterations"/> 100,
/// <see cref="EmLoopOptions.Tolerance"/> 1e-4 on the change of the objective per observation,
/// Restarts, Seed, Backend, DeviceMemoryLimit, Progress) are <see cref="EmOptions"/>'s. The
/// objective is the log-likelihood of all sequences (plus the log prior of the fitted blocks when
/// a concentration is above 1) divided by the number of observed steps.
/// </summary>
public sealed record HiddenMarkovOptions : EmOptions
{
    /// <summary>Options for <paramref name="states"/> hidden states, the other settings at their defaults.</summary>
    /// <param name="states">Hidden states K (≥ 1).</param>
    public HiddenMarkovOptions(int states)
        : base(Defaults.MaxIterations, Defaults.Tolerance)
    {
        States = states;
    }

    /// <summary>Default values.</summary>
    public static class Defaults
    {
        /// <summary>100.</summary>
        public const int MaxIterations = 100;

        /// <summary>1e-4 on the change of the log-likelihood per observation (hmmlearn's 1e-2 on the
        /// total is 1e-4 per step for 100 steps).</summary>
        public const double Tolerance = 1e-4;

        /// <summary>1e-6 added to the diagonal of every emission covariance.</summary>
        public const double CovarianceRegularization = 1e-6;
    }

    /// <summary>Hidden states K (≥ 1, at most the number of observations).</summary>
    public int States { get; init; }

    /// <summary>What each state emits. Default <see cref="HmmEmission.Gaussian"/>.</summary>
    public HmmEmission Emission { get; init; } = HmmEmission.Gaussian;

    /// <summary>Covariance shape of Gaussian emissions (tied: one covariance shared by every state
    /// and mixture component). Default <see cref="CovarianceType.Diagonal"/> (as hmmlearn).</summary>
    public CovarianceType Covariance { get; init; } = CovarianceType.Diagonal;

    /// <summary>Gaussians per state for <see cref="HmmEmission.GaussianMixture"/> (≥ 1). Default 2;
    /// ignored by the other emissions.</summary>
    public int MixtureComponents { get; init; } = 2;

    /// <summary>Symbols M of categorical emissions (the data holds 0 … M − 1), or null for the
    /// largest symbol in the data + 1. Default null.</summary>
    public int? Symbols { get; init; }

    /// <summary>The allowed transitions. Default <see cref="HmmTopology.Full"/>.</summary>
    public HmmTopology Topology { get; init; } = HmmTopology.Full;

    /// <summary>For <see cref="HmmTopology.LeftRight"/>: the largest forward jump j − i (≥ 1), or
    /// null for any. Default null.</summary>
    public int? MaxJump { get; init; }

    /// <summary>
    /// An allowed-transition mask, K × K (true: i → j may happen), overriding
    /// <see cref="Topology"/>'s transitions; every state needs a way out. Entries that are false
    /// stay exactly 0 in the fitted matrix. Default null.
    /// </summary>
    public bool[,]? AllowedTransitions { get; init; }

    /// <summary>Non-negative value added to the diagonal of every emission covariance after each
    /// M-step. Default 1e-6.</summary>
    public double CovarianceRegularization { get; init; } = Defaults.CovarianceRegularization;

    /// <summary>
    /// A fitted model to start from (warm start): its parameters start every restart. Its states,
    /// emission, covariance type, dimension (and symbols or mixture components) must match.
    /// Default null: each restart starts from its seed (k-means on the rows for Gaussian and
    /// Poisson emissions, seeded symbol probabilities and a sticky transition matrix, 0.8 on
    /// staying, for categorical ones).
    /// </summary>
    public HiddenMarkovModel? InitialModel { get; init; }

    /// <summary>
    /// Blocks kept at their starting values (those of <see cref="InitialModel"/> when given, else
    /// the seeded start): as hmmlearn's <c>params</c> without these letters. Default none.
    /// </summary>
    public HmmParts Fixed { get; init; } = HmmParts.None;

    /// <summary>Dirichlet concentration (≥ 1) of the prior on π: the M-step adds
    /// concentration − 1 pseudo-counts to every allowed start. Default 1 (no prior).</summary>
    public double StartConcentration { get; init; } = 1;

    /// <summary>Dirichlet concentration (≥ 1) of the prior on each row of A, over the allowed
    /// transitions. Default 1 (no prior).</summary>
    public double TransitionConcentration { get; init; } = 1;

    /// <summary>Dirichlet concentration (≥ 1) of the prior on each state's symbol probabilities
    /// (categorical emissions). Default 1 (no prior).</summary>
    public double EmissionConcentration { get; init; } = 1;

    /// <summary>Gamma prior on Poisson rates, shape a (≥ 1) and rate b (≥ 0): the MAP rate is
    /// (Σ γ x + a − 1) / (Σ γ + b). Default (1, 0): no prior.</summary>
    public (double Shape, double Rate) RatePrior { get; init; } = (1, 0);

    /// <summary>The conjugate Normal-inverse-Wishart prior on Gaussian emissions (per state and
    /// mixture component; its weight concentration is not used: mixture weights are maximum
    /// likelihood), or null. Default null.</summary>
    public GaussianPrior? EmissionPrior { get; init; }

    /// <summary>
    /// What a NaN in the data means. <see cref="MissingValues.Error"/> (default): an error naming
    /// the row. <see cref="MissingValues.Marginalize"/>: a row with some NaN entries contributes
    /// the marginal density of its observed entries (Gaussian emissions only, their expected
    /// statistics in the M-step); a row of only NaN is a step with no observation (its emission
    /// term is 1 for every state), for every emission.
    /// </summary>
    public MissingValues Missing { get; init; } = MissingValues.Error;

    /// <summary>Checks the settings; errors name the property.</summary>
    internal void Validate()
    {
        ValidateRun();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(States, nameof(States));
        if (!Enum.IsDefined(Emission))
            throw new ArgumentOutOfRangeException(nameof(Emission), Emission, "Unknown emission.");
        if (!Enum.IsDefined(Covariance))
            throw new ArgumentOutOfRangeException(nameof(Covariance), Covariance, "Unknown covariance type.");
        if (!Enum.IsDefined(Topology))
            throw new ArgumentOutOfRangeException(nameof(Topology), Topology, "Unknown topology.");
        if (!Enum.IsDefined(Missing))
            throw new ArgumentOutOfRangeException(nameof(Missing), Missing, "Unknown missing-value rule.");
        if (Emission == HmmEmission.GaussianMixture)
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MixtureComponents, nameof(MixtureComponents));
        if (Symbols is <= 0)
            throw new ArgumentOutOfRangeException(nameof(Symbols), Symbols, "Symbols must be ≥ 1.");
        if (MaxJump is <= 0)
            throw new ArgumentOutOfRangeException(nameof(MaxJump), MaxJump, "MaxJump must be ≥ 1.");
        if ((Fixed & ~HmmParts.All) != 0)
            throw new ArgumentOutOfRangeException(nameof(Fixed), Fixed, "Unknown parameter block.");
        if (!double.IsFinite(CovarianceRegularization) || CovarianceRegularization < 0)
            throw new ArgumentOutOfRangeException(nameof(CovarianceRegularization), CovarianceRegularization,
                "CovarianceRegularization must be finite and ≥ 0.");
        Concentration(StartConcentration, nameof(StartConcentration));
        Concentration(TransitionConcentration, nameof(TransitionConcentration));
        Concentration(EmissionConcentration, nameof(EmissionConcentration));
        if (!double.IsFinite(RatePrior.Shape) || RatePrior.Shape < 1 || !double.IsFinite(RatePrior.Rate) || RatePrior.Rate < 0)
            throw new ArgumentOutOfRangeException(nameof(RatePrior), RatePrior, "RatePrior needs a shape ≥ 1 and a rate ≥ 0.");
        if (AllowedTransitions is { } mask && (mask.GetLength(0) != States || mask.GetLength(1) != States))
            throw new ArgumentException(
                $"AllowedTransitions is {mask.GetLength(0)} × {mask.GetLength(1)}; it must be States × States = {States} × {States}.",
                nameof(AllowedTransitions));
    }

    private static void Concentration(double value, string name)
    {
        if (!double.IsFinite(value) || value < 1)
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be ≥ 1 (1 = no prior).");
    }
}
