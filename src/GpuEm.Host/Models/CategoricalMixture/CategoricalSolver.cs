using GpuEm.Em;
using GpuEm.Engines;
using GpuEm.Models.Discrete;

namespace GpuEm.Models.CategoricalMixture;

/// <summary>Binds a categorical engine and the M-step to the EM driver.</summary>
internal sealed class CategoricalSolver(IEmEngine<CategoricalParameters, CategoricalStatistics> engine, double smoothing)
    : ObjectiveChangeSolver<CategoricalParameters, CategoricalStatistics>
{
    /// <summary>Objective: (log-likelihood + log prior of the smoothing) per (weighted) point.</summary>
    public override (CategoricalStatistics Statistics, double Objective) Expect(CategoricalParameters parameters)
    {
        CategoricalStatistics stats = engine.Expect(parameters);
        double objective = (stats.LogLikelihood + CategoricalMStep.LogPrior(parameters, smoothing)) / stats.TotalWeight;
        return (stats, DiscreteChecks.Finite(objective));
    }

    public override CategoricalParameters Maximize(CategoricalStatistics statistics, CategoricalParameters current) =>
        CategoricalMStep.Maximize(statistics, smoothing, current);
}
