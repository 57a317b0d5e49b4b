using GpuEm.Em;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>Settings of a Bernoulli mixture fit. Immutable; validated when the estimator is created.</summary>
public sealed record BernoulliMixtureOptions
{
    /// <summary>Default values.</summary>
    public static class Defaults
    {
        /// <summary>100.</summary>
        public const int MaxIterations = 100;

        /// <summary>1e-3 on the change of the mean log-likelihood per point.</summary>
        public const double Tolerance = 1e-3;

        /// <summary>1e-3 pseudo-counts of each value per probability.</summary>
        public const double Smoothing = 1e-3;
    }

    /// <summary>Components k (≥ 1, ≤ the number of points). Default 1.</summary>
    public int ComponentCount { get; init; } = 1;

    /// <summary>Most EM iterations (M-steps) per restart (≥ 0). Default 100.</summary>
    public int MaxIterations { get; init; } = Defaults.MaxIterations;

    /// <summary>
    /// Converged when the mean (penalized) log-likelihood per point changes by less than this
    /// between two iterations (≥ 0; 0 runs all <see cref="MaxIterations"/>). Default 1e-3.
    /// </summary>
    public double Tolerance { get; init; } = Defaults.Tolerance;

    /// <summary>
    /// α ≥ 0, pseudo-counts added to each value of every probability: the M-step sets
    /// p_kj = (S_kj + α) / (O_kj + 2α), with S_kj the responsibility-weighted count of ones and
    /// O_kj the responsibility-weighted count of observed entries of column j in component k.
    /// That is the MAP estimate under an independent Beta(1 + α, 1 + α) prior on every p_kj; it
    /// keeps every probability strictly inside (0, 1), so no point has probability 0. With α &gt; 0
    /// the fit maximizes log-likelihood + α Σ_kj [log p_kj + log(1 − p_kj)], and that is what
    /// <see cref="BernoulliMixtureModel.LogLikelihoodHistory"/> records. 0 gives maximum
    /// likelihood, where probabilities can reach 0 or 1 (and a point that contradicts every
    /// component stops the fit). Default 1e-3.
    /// </summary>
    public double Smoothing { get; init; } = Defaults.Smoothing;

    /// <summary>How each restart starts. Default <see cref="DiscreteInitialization.KMeansPlusPlus"/>.</summary>
    public DiscreteInitialization Initialization { get; init; } = DiscreteInitialization.KMeansPlusPlus;

    /// <summary>Independent starts (≥ 1); the best final objective wins. Default 1.</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>Seed of every random choice; the same seed gives the same model on the same backend.
    /// Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Where the E-step runs. Default <see cref="GpuEm.Backend.Auto"/>.</summary>
    public Backend Backend { get; init; } = Backend.Auto;

    /// <summary>Receives a report after every iteration, notices and warnings. Optional.</summary>
    public IProgress<FitProgress>? Progress { get; init; }

    internal void Validate() =>
        DiscreteOptions.Validate(
            ComponentCount, MaxIterations, Tolerance, Smoothing, Initialization, Restarts, Backend);
}

/// <summary>Validation shared by the Bernoulli and categorical mixture options.</summary>
internal static class DiscreteOptions
{
    public static void Validate(
        int componentCount, int maxIterations, double tolerance, double smoothing,
        DiscreteInitialization initialization, int restarts, Backend backend)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(componentCount, "ComponentCount");
        ArgumentOutOfRangeException.ThrowIfNegative(maxIterations, "MaxIterations");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(restarts, "Restarts");
        if (!double.IsFinite(tolerance) || tolerance < 0)
            throw new ArgumentOutOfRangeException("Tolerance", tolerance, "Tolerance must be finite and ≥ 0.");
        if (!double.IsFinite(smoothing) || smoothing < 0)
            throw new ArgumentOutOfRangeException("Smoothing", smoothing, "Smoothing must be finite and ≥ 0.");
        if (!Enum.IsDefined(initialization))
            throw new ArgumentOutOfRangeException("Initialization", initialization, "Unknown initialization.");
        if (!Enum.IsDefined(backend))
            throw new ArgumentOutOfRangeException("Backend", backend, "Unknown backend.");
    }
}
