using GpuEm.Em;
using GpuEm.Engines;
using GpuEm.Models.Discrete;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>Binds a Bernoulli engine and the M-step to the EM driver.</summary>
internal sealed class BernoulliSolver(IEmEngine<BernoulliParameters, BernoulliStatistics> engine, double smoothing)
    : ObjectiveChangeSolver<BernoulliParameters, BernoulliStatistics>
{
    /// <summary>Objective: (log-likelihood + log prior of the smoothing) per (weighted) point.</summary>
    public override (BernoulliStatistics Statistics, double Objective) Expect(BernoulliParameters parameters)
    {
        BernoulliStatistics stats = engine.Expect(parameters);
        double objective = (stats.LogLikelihood + BernoulliMStep.LogPrior(parameters, smoothing)) / stats.TotalWeight;
        return (stats, DiscreteChecks.Finite(objective));
    }

    public override BernoulliParameters Maximize(BernoulliStatistics statistics, BernoulliParameters current) =>
        BernoulliMStep.Maximize(statistics, smoothing, current);
}
