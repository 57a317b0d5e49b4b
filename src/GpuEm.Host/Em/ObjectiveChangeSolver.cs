namespace GpuEm.Em;

/// <summary>
/// The stopping rule of the likelihood models (mixtures, coarsened tables), as scikit-learn's:
/// the change is that of the objective (divided by <see cref="ChangeScale"/>), converged when its
/// magnitude is below the tolerance, so a tolerance of 0 runs every iteration. A model supplies
/// only its E-step and M-step.
/// </summary>
internal abstract class ObjectiveChangeSolver<TParams, TStats> : IEmSolver<TParams, TStats>
{
    /// <summary>What the objective's change is divided by (1: the objective is already per point).</summary>
    protected virtual double ChangeScale => 1;

    public abstract (TStats Statistics, double Objective) Expect(TParams parameters);

    public abstract TParams Maximize(TStats statistics, TParams current);

    public double Change(TParams previous, double previousObjective, TParams next, TStats nextStatistics, double nextObjective) =>
        (nextObjective - previousObjective) / ChangeScale;

    public bool IsConverged(double change, double tolerance) => Math.Abs(change) < tolerance;

    /// <summary>What progress reports call the objective (the mixtures' mean log-likelihood).</summary>
    public virtual string ObjectiveName => "mean log-likelihood";
}
