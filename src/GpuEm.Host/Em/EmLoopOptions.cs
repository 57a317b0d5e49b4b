namespace GpuEm.Em;

/// <summary>
/// The settings of every EM fit's loop: how long it runs and whom it tells. Each model's options
/// extend this record (or <see cref="EmOptions"/>) and set their own defaults.
/// </summary>
public abstract record EmLoopOptions
{
    /// <summary>Sets the model's defaults of the loop settings.</summary>
    /// <param name="maxIterations">The default of <see cref="MaxIterations"/>.</param>
    /// <param name="tolerance">The default of <see cref="Tolerance"/>.</param>
    protected EmLoopOptions(int maxIterations, double tolerance)
    {
        MaxIterations = maxIterations;
        Tolerance = tolerance;
    }

    /// <summary>Most EM iterations (M-steps) per restart (≥ 0). The default is the model's.</summary>
    public int MaxIterations { get; init; }

    /// <summary>
    /// The model's stopping rule compares its change measure with this (finite, ≥ 0; 0 runs every
    /// <see cref="MaxIterations"/> for models whose rule is a strict "less than"). The default and
    /// the measure are the model's (mixtures: the change of the mean objective per point).
    /// </summary>
    public double Tolerance { get; init; }

    /// <summary>Receives a report as each phase of the fit begins and ends (reading, validating,
    /// preparing, each restart's seeding and k-means start, <see cref="FitPhase"/>), within long
    /// phases at most every 100 ms, after every iteration, and once when finished; also notices
    /// (device chosen, streaming) and warnings (not converged). Reports run synchronously on the
    /// fitting thread, so keep the handler cheap; they never change the model. Optional.</summary>
    public IProgress<FitProgress>? Progress { get; init; }

    /// <summary>Checks the loop settings; errors name the property.</summary>
    internal void ValidateLoop()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxIterations, nameof(MaxIterations));
        if (!double.IsFinite(Tolerance) || Tolerance < 0)
            throw new ArgumentOutOfRangeException(nameof(Tolerance), Tolerance, "Tolerance must be finite and ≥ 0.");
    }
}
