using GpuEm.Em;

namespace GpuEm.Models.CoarsenedCategorical;

/// <summary>
/// Binds the coarsened categorical E-step and M-step to the EM driver. Objective: the total
/// log-likelihood Σ count · ln Σ p_c. Change: that of the log-likelihood per unit count, so the
/// tolerance does not depend on the scale of the counts.
/// </summary>
internal sealed class CoarsenedCategoricalSolver(CoarsenedTable table, CoarsenedData data)
    : ObjectiveChangeSolver<CoarsenedParameters, CoarsenedStatistics>
{
    /// <summary>Per unit count: the tolerance does not depend on the scale of the counts.</summary>
    protected override double ChangeScale => data.TotalCount;

    /// <summary>The total log-likelihood (not per unit count).</summary>
    public override string ObjectiveName => "log-likelihood";

    public override (CoarsenedStatistics Statistics, double Objective) Expect(CoarsenedParameters parameters)
    {
        CoarsenedStatistics stats = CoarsenedEStep.Expect(table, data, parameters);
        return (stats, stats.LogLikelihood);
    }

    public override CoarsenedParameters Maximize(CoarsenedStatistics statistics, CoarsenedParameters current) =>
        new(CoarsenedMStep.Maximize(statistics, table));
}
