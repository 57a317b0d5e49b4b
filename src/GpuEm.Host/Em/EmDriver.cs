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
        long work = 0;
        if (settings.ShortRuns is { } plan)
        {
            (best, last, work) = RunShort(solver, initialize, settings, plan, progress, cancellation);
        }
        else
        {
            for (int restart = 0; restart < settings.Restarts; restart++)
            {
                if (best is not null && cancellation.IsCancellationRequested)
                    break;
                EmRun<TParams, TStats> run = RunOnce(solver, initialize(restart), restart, settings, progress, cancellation);
                last = restart;
                work += run.Iterations + 1;
                if (best is null || run.Objective > best.Objective)
                    best = run;
                if (run.Cancelled)
                    break;
            }
        }
        EmRun<TParams, TStats> winner = best! with { EStepsRun = work };
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

    /// <summary>
    /// Short-run selection (emEM, Biernacki, Celeux and Govaert 2003): every start runs
    /// <see cref="ShortRunPlan.Iterations"/> iterations (or stops earlier at the tolerance); the
    /// best <see cref="ShortRunPlan.Continued"/> by objective (ties: the earlier start) then run
    /// on from where they stopped, in that order, to the tolerance or
    /// <see cref="EmLoopSettings.MaxIterations"/> in all. A continued run is exactly the run its
    /// start would have made alone (an engine's per-point state is restored by one E-step at the
    /// run's parameters, counted in the work). Returns the best continued run, the index of the last run
    /// made and the E-steps made in all.
    /// </summary>
    private static (EmRun<TParams, TStats> Best, int Last, long Work) RunShort<TParams, TStats>(
        IEmSolver<TParams, TStats> solver,
        Func<int, TParams> initialize,
        EmLoopSettings settings,
        ShortRunPlan plan,
        IProgress<FitProgress>? progress,
        CancellationToken cancellation)
    {
        var shortSettings = settings with { MaxIterations = Math.Min(plan.Iterations, settings.MaxIterations) };
        var runs = new List<EmRun<TParams, TStats>>();
        long work = 0;
        for (int start = 0; start < plan.Starts; start++)
        {
            if (runs.Count > 0 && cancellation.IsCancellationRequested)
                break;
            EmRun<TParams, TStats> run = RunOnce(solver, initialize(start), start, shortSettings, progress, cancellation, warn: false);
            work += run.Iterations + 1;
            runs.Add(run);
            if (run.Cancelled)
                return (run, start, work);
        }
        EmRun<TParams, TStats>[] chosen = [.. runs.OrderByDescending(r => r.Objective).ThenBy(r => r.Restart).Take(plan.Continued)];
        EmRun<TParams, TStats>? best = null;
        int last = runs[^1].Restart;
        foreach (EmRun<TParams, TStats> run in chosen)
        {
            EmRun<TParams, TStats> final = run;
            if (!run.Converged && run.Iterations < settings.MaxIterations)
            {
                if (best is not null && cancellation.IsCancellationRequested)
                    break;
                if (last != run.Restart)
                {
                    // The engine's per-point state (k-means labels and distances) is the last
                    // run's: one E-step at this run's parameters restores what it was when this
                    // run stopped, so that it goes on exactly as it would have alone.
                    solver.Expect(run.Parameters);
                    work++;
                }
                final = RunOnce(solver, run.Parameters, run.Restart, settings, progress, cancellation, warn: true, from: run);
                work += final.Iterations - run.Iterations;
                last = run.Restart;
            }
            else if (!run.Converged)
            {
                ReportNotConverged(solver, run, settings, progress);
            }
            // Ties go to the earlier start, as among independent restarts.
            if (best is null || final.Objective > best.Objective || (final.Objective == best.Objective && final.Restart < best.Restart))
                best = final;
            if (final.Cancelled)
                break;
        }
        return (best!, last, work);
    }

    private static EmRun<TParams, TStats> RunOnce<TParams, TStats>(
        IEmSolver<TParams, TStats> solver,
        TParams initial,
        int restart,
        EmLoopSettings settings,
        IProgress<FitProgress>? progress,
        CancellationToken cancellation,
        bool warn = true,
        EmRun<TParams, TStats>? from = null)
    {
        var clock = Stopwatch.StartNew();
        TStats stats;
        double objective;
        List<double> history;
        int iteration = 0;
        if (from is null)
        {
            (stats, objective) = solver.Expect(initial);
            history = [objective];
            progress?.Report(Report(0, objective, double.NaN));
        }
        else
        {
            // Run on from where a short run stopped: its parameters, statistics and history.
            (stats, objective, history, iteration) = (from.Statistics, from.Objective, [.. from.History], from.Iterations);
        }
        TParams current = initial;
        bool converged = false;
        bool cancelled = false;
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
        if (!converged && warn)
        {
            string why = cancelled
                ? $"Cancelled after {iteration} iterations; the model is the last completed one and is not converged."
                : NotConverged(settings.MaxIterations, $"restart {restart}");
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

    // A short run that used up MaxIterations before it could be continued.
    private static void ReportNotConverged<TParams, TStats>(
        IEmSolver<TParams, TStats> solver, EmRun<TParams, TStats> run, EmLoopSettings settings, IProgress<FitProgress>? progress) =>
        progress?.Report(new FitProgress(run.Restart, run.Iterations, solver.Reported(run.Objective), double.NaN, TimeSpan.Zero)
        {
            Phase = FitPhase.Iterating,
            Fraction = 1,
            Restarts = settings.Restarts,
            MaxIterations = settings.MaxIterations,
            ObjectiveName = solver.ObjectiveName,
            Warning = NotConverged(settings.MaxIterations, $"start {run.Restart}"),
        });

    private static string NotConverged(int maxIterations, string which) =>
        $"Did not converge in {maxIterations} iterations ({which}); raise MaxIterations or Tolerance, or check the data's scale.";
}
