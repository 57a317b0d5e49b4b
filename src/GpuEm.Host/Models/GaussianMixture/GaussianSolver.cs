using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.GaussianMixture;

/// <summary>Binds a Gaussian engine and the M-step to the EM driver.</summary>
internal sealed class GaussianSolver(IEmEngine<GaussianParameters, GaussianStatistics> engine, GaussianConstraints constraints)
    : IEmSolver<GaussianParameters, GaussianStatistics>
{
    /// <summary>
    /// Objective: the mean log-likelihood per (weighted) point; with a prior, the penalized
    /// (log-likelihood + log prior) per point.
    /// </summary>
    public (GaussianStatistics Statistics, double Objective) Expect(GaussianParameters parameters)
    {
        GaussianStatistics stats = engine.Expect(parameters);
        return (stats, (stats.LogLikelihood + constraints.LogPrior(parameters)) / stats.TotalWeight);
    }

    public GaussianParameters Maximize(GaussianStatistics statistics, GaussianParameters current) =>
        GaussianMStep.Maximize(statistics, constraints);

    public double Change(
        GaussianParameters previous, double previousObjective, GaussianParameters next, GaussianStatistics nextStatistics,
        double nextObjective) =>
        nextObjective - previousObjective;

    /// <summary>As scikit-learn: |Δ mean log-likelihood| &lt; tolerance, so 0 runs every iteration.</summary>
    public bool IsConverged(double change, double tolerance) => Math.Abs(change) < tolerance;
}
