using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.Discrete;

/// <summary>
/// The fit the Bernoulli and categorical mixtures share over <see cref="EmFit"/>: the check
/// k ≤ n, then the winning run's parameters with the log-likelihood of its last E-step (no
/// smoothing term; no extra pass) and the training weight.
/// </summary>
internal static class DiscreteFit
{
    public static TModel Run<TSolver, TParams, TStats, TModel>(
        DiscreteMixtureOptions options,
        int rows,
        double totalWeight,
        Func<AcceleratorHandle?, IEmEngine<TParams, TStats>> createEngine,
        Func<IEmEngine<TParams, TStats>, TSolver> createSolver,
        Func<int, TParams> initialize,
        Func<TParams, FitSummary, double, double, TModel> build,
        CancellationToken cancellation)
        where TSolver : IEmSolver<TParams, TStats>
        where TStats : IMixtureStatistics
    {
        EmFit.RequireCount(options.ComponentCount, rows, "ComponentCount");
        return EmFit.Run<IEmEngine<TParams, TStats>, TSolver, TParams, TStats, TModel>(
            options,
            createEngine,
            createSolver,
            (_, seed) => initialize(seed),
            fit => build(
                fit.Run.Parameters, fit.Summary, fit.Run.Statistics.LogLikelihood / fit.Run.Statistics.TotalWeight, totalWeight),
            cancellation);
    }
}
