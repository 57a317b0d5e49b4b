namespace GpuEm.Em;

/// <summary>
/// Forwards the reports of an inner fit (the k-means that starts a restart of a mixture) to the
/// outer fit's sink as that restart's: its seeding as <see cref="FitPhase.Seeding"/>, its
/// iterations as <see cref="FitPhase.KMeansStart"/>, its notices and warnings with a prefix.
/// Its other phases (preparing its engine, finished) are the outer fit's business and are dropped.
/// </summary>
internal sealed class StartForwarder(IProgress<FitProgress> outer, EmStart start, string prefix) : IProgress<FitProgress>
{
    /// <summary>The forwarder, or null when the outer fit has no sink.</summary>
    public static IProgress<FitProgress>? Wrap(EmStart start, string prefix) =>
        start.Progress is null ? null : new StartForwarder(start.Progress, start, prefix);

    public void Report(FitProgress value)
    {
        FitProgress mine = value with { Restart = start.Restart, Restarts = start.Restarts };
        if (value.Warning is not null)
            outer.Report(mine with { Phase = FitPhase.KMeansStart, Warning = prefix + value.Warning });
        else if (value.Phase == FitPhase.Seeding)
            outer.Report(mine);
        else if (value.Phase == FitPhase.Iterating)
            outer.Report(mine with { Phase = FitPhase.KMeansStart });
    }
}
