using GpuEm.Em;

namespace GpuEm.Models.Categorical;

/// <summary>
/// Binds the coarsened categorical E-step and M-step to the EM driver. Objective: the total
/// log-likelihood Σ count · ln Σ p_c. Change: that of the log-likelihood per unit count, so the
/// tolerance does not depend on the scale of the counts.
/// </summary>
internal sealed class CoarsenedCategoricalSolver(CoarsenedTable table, CoarsenedData data)
    : IEmSolver<CoarsenedParameters, CoarsenedStatistics>
{
    public (CoarsenedStatistics Statistics, double Objective) Expect(CoarsenedParameters parameters)
    {
        CoarsenedStatistics stats = CoarsenedEStep.Expect(table, data, parameters);
        return (stats, stats.LogLikelihood);
    }

    public CoarsenedParameters Maximize(CoarsenedStatistics statistics, CoarsenedParameters current) =>
        new(CoarsenedMStep.Maximize(statistics, table));

    public double Change(
        CoarsenedParameters previous, double previousObjective, CoarsenedParameters next,
        CoarsenedStatistics nextStatistics, double nextObjective) =>
        (nextObjective - previousObjective) / data.TotalCount;

    /// <summary>|Δ log-likelihood per unit count| &lt; tolerance, so 0 runs every iteration.</summary>
    public bool IsConverged(double change, double tolerance) => Math.Abs(change) < tolerance;
}
