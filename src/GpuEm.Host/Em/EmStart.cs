namespace GpuEm.Em;

/// <summary>What a model's start function gets for one restart.</summary>
/// <param name="Restart">The restart (zero-based).</param>
/// <param name="Restarts">How many restarts the fit runs.</param>
/// <param name="Seed">The restart's seed (<see cref="RestartSeed.Of"/>).</param>
/// <param name="Progress">The fit's progress sink, or null.</param>
internal sealed record EmStart(int Restart, int Restarts, int Seed, IProgress<FitProgress>? Progress)
{
    /// <summary>Begins this restart's <see cref="FitPhase.Seeding"/> phase (null without a sink).</summary>
    public PhaseProgress? BeginSeeding() => PhaseProgress.Begin(Progress, FitPhase.Seeding, Restart, Restarts);
}
