namespace GpuEm.Em;

/// <summary>
/// One report of a running fit: each phase (<see cref="FitPhase"/>) as it begins and ends and,
/// within it, at most every 100 ms or so (seeding, reading) or after every iteration; notices
/// and warnings; and once more when the fit is finished.
/// </summary>
/// <remarks>
/// Reports are sent synchronously on the thread that runs the fit, between steps of the fit:
/// the fit waits while <see cref="IProgress{T}.Report"/> runs, so keep it cheap (copy what you
/// need, hand slow work to another thread). Use a synchronous <see cref="IProgress{T}"/>;
/// <see cref="Progress{T}"/> posts to a synchronization context and may deliver reports after
/// <c>Fit</c> returns. Reporting never changes the fitted model.
/// </remarks>
/// <param name="Restart">The restart (zero-based) this report belongs to.</param>
/// <param name="Iteration">Iterations completed in this restart (0 = the initial parameters);
/// in <see cref="FitPhase.KMeansStart"/>, those of the starting k-means fit.</param>
/// <param name="Objective">The model's objective after this iteration, as
/// <see cref="ObjectiveName"/> names it: the mean log-likelihood per (weighted) point for mixtures
/// (higher is better), the inertia Σ w·‖x − c‖² for k-means (lower is better), the total
/// log-likelihood for coarsened categorical data; NaN where a phase has none.</param>
/// <param name="Change">The change the convergence test compares with the tolerance (NaN where
/// there is none).</param>
/// <param name="Elapsed">Time since this restart began (<see cref="FitPhase.Iterating"/>,
/// <see cref="FitPhase.KMeansStart"/>), since the phase began (the others), or the whole fit's
/// time (<see cref="FitPhase.Finished"/>).</param>
/// <param name="Warning">A notice or warning (device chosen, "did not converge"), or null.</param>
public sealed record FitProgress(
    int Restart, int Iteration, double Objective, double Change, TimeSpan Elapsed, string? Warning = null)
{
    /// <summary>What the fit is doing (default <see cref="FitPhase.Iterating"/>).</summary>
    public FitPhase Phase { get; init; } = FitPhase.Iterating;

    /// <summary>
    /// The share of the phase done, in [0, 1], or NaN when unknown. For iterations it is
    /// <see cref="Iteration"/> / <see cref="MaxIterations"/>, a lower bound: convergence may end
    /// the phase earlier.
    /// </summary>
    public double Fraction { get; init; } = double.NaN;

    /// <summary>How many restarts the fit runs (0 when not known).</summary>
    public int Restarts { get; init; }

    /// <summary>The most iterations this phase runs (<see cref="FitPhase.Iterating"/>,
    /// <see cref="FitPhase.KMeansStart"/>; 0 when not known or not iterating).</summary>
    public int MaxIterations { get; init; }

    /// <summary>What <see cref="Objective"/> is ("mean log-likelihood", "inertia", …), or null.</summary>
    public string? ObjectiveName { get; init; }

    /// <summary>Which fit of several this report belongs to, when one call runs many (model
    /// selection: "k = 3, Full"); null otherwise.</summary>
    public string? Label { get; init; }
}
