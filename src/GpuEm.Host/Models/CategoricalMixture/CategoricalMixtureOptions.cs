using GpuEm.Em;
using GpuEm.Models.BernoulliMixture;

namespace GpuEm.Models.CategoricalMixture;

/// <summary>Settings of a categorical mixture fit. Immutable; validated when the estimator is created.</summary>
public sealed record CategoricalMixtureOptions
{
    /// <summary>Default values.</summary>
    public static class Defaults
    {
        /// <summary>100.</summary>
        public const int MaxIterations = 100;

        /// <summary>1e-3 on the change of the mean log-likelihood per point.</summary>
        public const double Tolerance = 1e-3;

        /// <summary>1e-3 pseudo-counts per level.</summary>
        public const double Smoothing = 1e-3;
    }

    /// <summary>Components k (≥ 1, ≤ the number of points). Default 1.</summary>
    public int ComponentCount { get; init; } = 1;

    /// <summary>Most EM iterations (M-steps) per restart (≥ 0). Default 100.</summary>
    public int MaxIterations { get; init; } = Defaults.MaxIterations;

    /// <summary>
    /// Converged when the mean (penalized) log-likelihood per point changes by less than this
    /// (≥ 0; 0 runs all <see cref="MaxIterations"/>). Default 1e-3.
    /// </summary>
    public double Tolerance { get; init; } = Defaults.Tolerance;

    /// <summary>
    /// α ≥ 0, pseudo-counts added to every level: θ_kjl = (C_kjl + α) / (Σ_l C_kjl + L_j α), with
    /// C_kjl the responsibility-weighted count of level l of feature j in component k. That is the
    /// MAP estimate under a Dirichlet(1 + α, …, 1 + α) prior on every θ_kj·, and keeps every
    /// probability positive; the fit maximizes log-likelihood + α Σ_kjl log θ_kjl, which is what
    /// <see cref="CategoricalMixtureModel.LogLikelihoodHistory"/> records. 0 gives maximum
    /// likelihood. Default 1e-3.
    /// </summary>
    public double Smoothing { get; init; } = Defaults.Smoothing;

    /// <summary>How each restart starts. Default <see cref="DiscreteInitialization.KMeansPlusPlus"/>
    /// (on the one-hot rows).</summary>
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
