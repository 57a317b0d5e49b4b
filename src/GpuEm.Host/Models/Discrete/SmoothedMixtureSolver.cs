using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.Discrete;

/// <summary>
/// Binds a discrete mixture's engine and M-step to the EM driver. Objective: (log-likelihood +
/// log prior of the smoothing) per (weighted) point; converged as the Gaussian mixture,
/// |Δ objective| &lt; tolerance.
/// </summary>
internal sealed class SmoothedMixtureSolver<TParams, TStats>(
    IEmEngine<TParams, TStats> engine, Func<TParams, double> logPrior, Func<TStats, TParams, TParams> maximize)
    : ObjectiveChangeSolver<TParams, TStats>
    where TStats : IMixtureStatistics
{
    public override (TStats Statistics, double Objective) Expect(TParams parameters)
    {
        TStats stats = engine.Expect(parameters);
        double objective = (stats.LogLikelihood + logPrior(parameters)) / stats.TotalWeight;
        return (stats, DiscreteChecks.Finite(objective));
    }

    public override TParams Maximize(TStats statistics, TParams current) => maximize(statistics, current);
}
