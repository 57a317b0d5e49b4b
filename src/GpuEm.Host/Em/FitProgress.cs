namespace GpuEm.Em;

/// <summary>One report of a running fit, sent after every iteration and once more at the end.</summary>
/// <param name="Restart">The restart (zero-based) this report belongs to.</param>
/// <param name="Iteration">Iterations completed in this restart (0 = the initial parameters).</param>
/// <param name="Objective">The model's objective after this iteration: the mean log-likelihood
/// per (weighted) point for mixtures; minus the inertia for k-means; the total log-likelihood
/// for coarsened categorical data (higher is better).</param>
/// <param name="Change">The change the convergence test compares with the tolerance.</param>
/// <param name="Elapsed">Time since this restart began.</param>
/// <param name="Warning">A warning (such as "did not converge"), or null.</param>
public sealed record FitProgress(
    int Restart, int Iteration, double Objective, double Change, TimeSpan Elapsed, string? Warning = null);
