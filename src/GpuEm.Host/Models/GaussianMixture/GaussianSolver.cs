using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.GaussianMixture;

/// <summary>Binds a Gaussian engine and the M-step to the EM driver; converged as scikit-learn,
/// |Δ mean objective| &lt; tolerance.</summary>
internal sealed class GaussianSolver(IEmEngine<GaussianParameters, GaussianStatistics> engine, ResolvedGaussianConstraints constraints)
    : ObjectiveChangeSolver<GaussianParameters, GaussianStatistics>
{
    /// <summary>
    /// Objective: the mean log-likelihood per (weighted) point; with a prior, the penalized
    /// (log-likelihood + log prior) per point.
    /// </summary>
    public override (GaussianStatistics Statistics, double Objective) Expect(GaussianParameters parameters)
    {
        GaussianStatistics stats = engine.Expect(parameters);
        return (stats, (stats.LogLikelihood + constraints.LogPrior(parameters)) / stats.TotalWeight);
    }

    public override GaussianParameters Maximize(GaussianStatistics statistics, GaussianParameters current) =>
        GaussianMStep.Maximize(statistics, constraints);
}
