namespace GpuEm.Em;

/// <summary>The loop settings the driver owns.</summary>
/// <param name="MaxIterations">Most M-steps per restart.</param>
/// <param name="Tolerance">The tolerance the solver's stopping rule compares the change with.</param>
/// <param name="Restarts">Independent starts; the best final objective wins.</param>
internal sealed record EmLoopSettings(int MaxIterations, double Tolerance, int Restarts);
