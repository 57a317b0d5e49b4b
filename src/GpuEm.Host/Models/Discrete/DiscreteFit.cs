using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.Discrete;

/// <summary>
/// The fit the Bernoulli and categorical mixtures share over <see cref="EmFit"/>: the check
/// k ≤ n, the smoothed solver (the model's log prior and M-step at the options' smoothing), then the winning run's parameters with the log-likelihood of its last E-step (no
/// smoothing term; no extra pass) and the training weight.
/// </summary>
internal static class DiscreteFit
{
    public static TModel Run<TParams, TStats, TModel>(
        DiscreteMixtureOptions options,
        int rows,
        double totalWeight,
        Func<AcceleratorHandle?, IEmEngine<TParams, TStats>> createEngine,
        Func<TParams, double, double> logPrior,
        Func<TStats, double, TParams, TParams> maximize,
        Func<int, TParams> initialize,
        Func<TParams, FitSummary, double, double, TModel> build,
        CancellationToken cancellation)
        where TStats : IMixtureStatistics
    {
        EmFit.RequireCount(options.ComponentCount, rows, "ComponentCount");
        double smoothing = options.Smoothing;
        return EmFit.Run<IEmEngine<TParams, TStats>, SmoothedMixtureSolver<TParams, TStats>, TParams, TStats, TModel>(
            options,
            createEngine,
            engine => new(engine, p => logPrior(p, smoothing), (s, current) => maximize(s, smoothing, current)),
            (_, start) => initialize(start.Seed),
            fit => build(
                fit.Run.Parameters, fit.Summary, fit.Run.Statistics.LogLikelihood / fit.Run.Statistics.TotalWeight, totalWeight),
            cancellation);
    }
}
