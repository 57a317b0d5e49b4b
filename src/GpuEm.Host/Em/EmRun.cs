namespace GpuEm.Em;

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
/// <param name="EStepsRun">E-steps the whole fit made, every restart or short run counted (its
/// work, for comparing search strategies at equal work).</param>
internal sealed record EmRun<TParams, TStats>(
    TParams Parameters,
    TStats Statistics,
    double Objective,
    IReadOnlyList<double> History,
    bool Converged,
    int Iterations,
    int Restart,
    bool Cancelled,
    bool IsLastRun = true,
    long EStepsRun = 0);
