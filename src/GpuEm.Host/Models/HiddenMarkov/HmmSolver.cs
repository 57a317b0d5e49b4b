using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.HiddenMarkov;

/// <summary>Binds an HMM engine and the Baum-Welch M-step to the EM driver; converged when the
/// objective (log-likelihood + log prior, per observed step) changes by less than the tolerance.</summary>
internal sealed class HmmSolver(IEmEngine<HmmParameters, HmmStatistics> engine, HmmSettings settings)
    : ObjectiveChangeSolver<HmmParameters, HmmStatistics>
{
    public override (HmmStatistics Statistics, double Objective) Expect(HmmParameters parameters)
    {
        HmmStatistics stats = engine.Expect(parameters);
        return (stats, (stats.LogLikelihood + HmmMStep.LogPrior(parameters, settings)) / stats.ObservedSteps);
    }

    public override HmmParameters Maximize(HmmStatistics statistics, HmmParameters current) =>
        HmmMStep.Maximize(statistics, current, settings);

    public override string ObjectiveName => "log-likelihood per step";
}
