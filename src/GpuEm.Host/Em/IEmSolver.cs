namespace GpuEm.Em;

/// <summary>
/// What a model supplies to the EM driver for one fit on one engine: the E-step with the
/// accumulation of its sufficient statistics, the M-step, and its convergence measure.
/// </summary>
/// <typeparam name="TParams">Immutable model parameters.</typeparam>
/// <typeparam name="TStats">Mergeable sufficient statistics.</typeparam>
internal interface IEmSolver<TParams, TStats>
{
    /// <summary>
    /// E-step at <paramref name="parameters"/> over all the data, with the statistics the M-step
    /// needs and the objective at those parameters (higher is better).
    /// </summary>
    (TStats Statistics, double Objective) Expect(TParams parameters);

    /// <summary>M-step: the parameters that maximize the expected complete-data objective.</summary>
    TParams Maximize(TStats statistics, TParams current);

    /// <summary>
    /// The quantity the driver compares with the tolerance after a step from
    /// <paramref name="previous"/> to <paramref name="next"/>; <paramref name="nextStatistics"/>
    /// and <paramref name="nextObjective"/> are those of the E-step at <paramref name="next"/>.
    /// </summary>
    double Change(
        TParams previous, double previousObjective, TParams next, TStats nextStatistics, double nextObjective);

    /// <summary>The model's stopping rule for a change and the user's tolerance.</summary>
    bool IsConverged(double change, double tolerance);

    /// <summary>What progress reports call the objective (<see cref="FitProgress.ObjectiveName"/>).</summary>
    string ObjectiveName => "objective";

    /// <summary>The objective as progress reports show it, in the model's own sense (k-means:
    /// the inertia, where the driver maximizes −inertia).</summary>
    double Reported(double objective) => objective;
}
