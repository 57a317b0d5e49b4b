using GpuEm.Em;

namespace GpuEm.Models.Discrete;

/// <summary>
/// The settings of a mixture of independent discrete features (Bernoulli, categorical): k, the
/// smoothing and the start, beside the shared <see cref="EmOptions"/> (MaxIterations 100,
/// Tolerance 1e-3 on the change of the mean objective per point). Immutable; validated when the
/// estimator is made.
/// </summary>
public abstract record DiscreteMixtureOptions : EmOptions
{
    /// <summary>Default values.</summary>
    public static class Defaults
    {
        /// <summary>100.</summary>
        public const int MaxIterations = 100;

        /// <summary>1e-3 on the change of the mean objective per point.</summary>
        public const double Tolerance = 1e-3;

        /// <summary>1e-3 pseudo-counts per value.</summary>
        public const double Smoothing = 1e-3;
    }

    /// <summary>Options with the defaults above.</summary>
    protected DiscreteMixtureOptions()
        : base(Defaults.MaxIterations, Defaults.Tolerance)
    {
    }

    /// <summary>Components k (≥ 1, ≤ the number of points). Default 1.</summary>
    public int ComponentCount { get; init; } = 1;

    /// <summary>
    /// α ≥ 0, pseudo-counts added to every value of every probability (each model's options say
    /// the M-step it gives); the MAP estimate under a symmetric Dirichlet (Beta) prior with
    /// parameter 1 + α. It keeps every probability strictly positive, so no point has probability
    /// 0; with α &gt; 0 the fit maximizes log-likelihood + α Σ log p, and that penalized objective
    /// is what the fit summary's objective history records. 0 gives maximum likelihood. Default 1e-3.
    /// </summary>
    public double Smoothing { get; init; } = Defaults.Smoothing;

    /// <summary>How each restart starts. Default <see cref="DiscreteInitialization.KMeansPlusPlus"/>.</summary>
    public DiscreteInitialization Initialization { get; init; } = DiscreteInitialization.KMeansPlusPlus;

    /// <summary>Checks every setting; errors name the property.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ComponentCount, nameof(ComponentCount));
        ValidateRun();
        if (!double.IsFinite(Smoothing) || Smoothing < 0)
            throw new ArgumentOutOfRangeException(nameof(Smoothing), Smoothing, "Smoothing must be finite and ≥ 0.");
        if (!Enum.IsDefined(Initialization))
            throw new ArgumentOutOfRangeException(nameof(Initialization), Initialization, "Unknown initialization.");
    }
}
