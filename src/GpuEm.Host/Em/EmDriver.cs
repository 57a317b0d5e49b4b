using System.Diagnostics;

namespace GpuEm.Em;

/// <summary>The loop settings the driver owns.</summary>
/// <param name="MaxIterations">Most M-steps per restart.</param>
/// <param name="Tolerance">The tolerance the solver's stopping rule compares the change with.</param>
/// <param name="Restarts">Independent starts; the best final objective wins.</param>
internal sealed record EmLoopSettings(int MaxIterations, double Tolerance, int Restarts);

/// <summary>The outcome of the EM loop: the best restart's.</summary>
/// <param name="Parameters">The last parameters evaluated.</param>
/// <param name="Statistics">The statistics of the last E-step, at <paramref name="Parameters"/>.</param>
/// <param name="Objective">The objective at <paramref name="Parameters"/> (the last history entry).</param>
/// <param name="History">The objective at the start and after every iteration.</param>
/// <param name="Converged">Whether the stopping rule was met.</param>
/// <param name="Iterations">M-steps run.</param>
/// <param name="Restart">Which restart this is (zero-based).</param>
/// <param name="Cancelled">Whether cancellation stopped it.</param>
/// <param name="IsLastRun">True when no restart ran after this one, so the engine's last E-step
/// was this run's at <paramref name="Parameters"/> (engines that keep per-point state, such as
/// k-means labels, hold this run's).</param>
internal sealed record EmRun<TParams, TStats>(
    TParams Parameters,
    TStats Statistics,
    double Objective,
    IReadOnlyList<double> History,
    bool Converged,
    int Iterations,
    int Restart,
    bool Cancelled,
    bool IsLastRun = true);

/// <summary>
/// The one EM loop shared by every model and engine: restarts, iterations, tolerance,
/// best-of-restarts, the convergence flag, the objective history and cancellation. It knows
/// nothing of the model: the solver gives E-step, M-step and the change measure.
/// </summary>
/// <remarks>
/// Each restart evaluates its initial parameters (history[0]), then repeats M-step → E-step.
/// The returned parameters are the last ones evaluated, so their objective is known exactly and
/// <c>Fit(x).Score(x)</c> equals the last history entry: the final E-step is part of the loop, and
/// its statistics come back with the run, so no model needs an E-step after the driver (except to
/// restore per-point engine state when the best restart was not the last one run).
/// </remarks>
internal static class EmDriver
{
    public static EmRun<TParams, TStats> Run<TParams, TStats>(
        IEmSolver<TParams, TStats> solver,
        Func<int, TParams> initialize,
        EmLoopSettings settings,
        IProgress<FitProgress>? progress,
        CancellationToken cancellation)
    {
        EmRun<TParams, TStats>? best = null;
        int last = -1;
        for (int restart = 0; restart < settings.Restarts; restart++)
        {
            if (best is not null && cancellation.IsCancellationRequested)
                break;
            EmRun<TParams, TStats> run = RunOnce(solver, initialize(restart), restart, settings, progress, cancellation);
            last = restart;
            if (best is null || run.Objective > best.Objective)
                best = run;
            if (run.Cancelled)
                break;
        }
        return best! with { IsLastRun = best!.Restart == last };
    }

    private static EmRun<TParams, TStats> RunOnce<TParams, TStats>(
        IEmSolver<TParams, TStats> solver,
        TParams initial,
        int restart,
        EmLoopSettings settings,
        IProgress<FitProgress>? progress,
        CancellationToken cancellation)
    {
        var clock = Stopwatch.StartNew();
        (TStats stats, double objective) = solver.Expect(initial);
        var history = new List<double> { objective };
        progress?.Report(new FitProgress(restart, 0, objective, double.NaN, clock.Elapsed));
        TParams current = initial;
        bool converged = false;
        bool cancelled = false;
        int iteration = 0;
        while (iteration < settings.MaxIterations)
        {
            if (cancellation.IsCancellationRequested)
            {
                cancelled = true;
                break;
            }
            TParams next = solver.Maximize(stats, current);
            (TStats nextStats, double nextObjective) = solver.Expect(next);
            iteration++;
            double change = solver.Change(current, objective, next, nextStats, nextObjective);
            current = next;
            stats = nextStats;
            objective = nextObjective;
            history.Add(objective);
            progress?.Report(new FitProgress(restart, iteration, objective, change, clock.Elapsed));
            if (solver.IsConverged(change, settings.Tolerance))
            {
                converged = true;
                break;
            }
        }
        if (!converged)
        {
            string why = cancelled
                ? $"Cancelled after {iteration} iterations; the model is the last completed one and is not converged."
                : $"Did not converge in {settings.MaxIterations} iterations (restart {restart}); " +
                  "raise MaxIterations or Tolerance, or check the data's scale.";
            progress?.Report(new FitProgress(restart, iteration, objective, double.NaN, clock.Elapsed, why));
        }
        return new EmRun<TParams, TStats>(current, stats, objective, history, converged, iteration, restart, cancelled);
    }
}
