namespace GpuEm.Em;

/// <summary>The loop settings the driver owns.</summary>
/// <param name="MaxIterations">Most M-steps per restart.</param>
/// <param name="Tolerance">The tolerance the solver's stopping rule compares the change with.</param>
/// <param name="Restarts">Independent starts; the best final objective wins.</param>
/// <param name="ShortRuns">Null: the restarts run to convergence one after another. Otherwise
/// short-run selection (emEM): <see cref="ShortRunPlan.Starts"/> starts of
/// <see cref="ShortRunPlan.Iterations"/> iterations each, the best
/// <see cref="ShortRunPlan.Continued"/> of them continued to convergence (and
/// <paramref name="Restarts"/> is not used).</param>
internal sealed record EmLoopSettings(int MaxIterations, double Tolerance, int Restarts, ShortRunPlan? ShortRuns = null);

/// <summary>Short-run selection: starts, iterations of each short run, runs continued.</summary>
internal sealed record ShortRunPlan(int Starts, int Iterations, int Continued);
