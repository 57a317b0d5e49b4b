using GpuEm.Em;
using GpuEm.Engines;
using GpuEm.Models.Discrete;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>Binds a Bernoulli engine and the M-step to the EM driver.</summary>
internal sealed class BernoulliSolver(IEmEngine<BernoulliParameters, BernoulliStatistics> engine, double smoothing)
    : IEmSolver<BernoulliParameters, BernoulliStatistics>
{
    /// <summary>Objective: (log-likelihood + log prior of the smoothing) per (weighted) point.</summary>
    public (BernoulliStatistics Statistics, double Objective) Expect(BernoulliParameters parameters)
    {
        BernoulliStatistics stats = engine.Expect(parameters);
        double objective = (stats.LogLikelihood + BernoulliMStep.LogPrior(parameters, smoothing)) / stats.TotalWeight;
        return (stats, DiscreteChecks.Finite(objective));
    }

    public BernoulliParameters Maximize(BernoulliStatistics statistics, BernoulliParameters current) =>
        BernoulliMStep.Maximize(statistics, smoothing, current);

    public double Change(
        BernoulliParameters previous, double previousObjective, BernoulliParameters next,
        BernoulliStatistics nextStatistics, double nextObjective) =>
        nextObjective - previousObjective;

    /// <summary>As the Gaussian mixture: |Δ mean log-likelihood| &lt; tolerance.</summary>
    public bool IsConverged(double change, double tolerance) => Math.Abs(change) < tolerance;
}
