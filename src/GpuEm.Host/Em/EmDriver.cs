using System.Diagnostics;

namespace GpuEm.Em;

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
        var clock = Stopwatch.StartNew();
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
        EmRun<TParams, TStats> winner = best!;
        progress?.Report(new FitProgress(
            winner.Restart, winner.Iterations, solver.Reported(winner.Objective), double.NaN, clock.Elapsed)
        {
            Phase = FitPhase.Finished,
            Fraction = 1,
            Restarts = settings.Restarts,
            MaxIterations = settings.MaxIterations,
            ObjectiveName = solver.ObjectiveName,
        });
        return winner with { IsLastRun = winner.Restart == last };
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
        progress?.Report(Report(0, objective, double.NaN));
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
            progress?.Report(Report(iteration, objective, change));
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
            progress?.Report(Report(iteration, objective, double.NaN) with { Warning = why });
        }
        return new EmRun<TParams, TStats>(current, stats, objective, history, converged, iteration, restart, cancelled);

        // An iteration's report; the fraction is a lower bound (convergence may stop it earlier).
        FitProgress Report(int done, double value, double change) =>
            new(restart, done, solver.Reported(value), change, clock.Elapsed)
            {
                Phase = FitPhase.Iterating,
                Fraction = settings.MaxIterations > 0 ? (double)done / settings.MaxIterations : 1,
                Restarts = settings.Restarts,
                MaxIterations = settings.MaxIterations,
                ObjectiveName = solver.ObjectiveName,
            };
    }
}
