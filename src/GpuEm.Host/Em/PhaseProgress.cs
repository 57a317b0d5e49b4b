using System.Diagnostics;

namespace GpuEm.Em;

/// <summary>
/// Reports one phase of a fit: its beginning (fraction 0), its end (fraction 1) and, between,
/// at most one report per <see cref="Interval"/>, so that a loop may call <see cref="Report"/>
/// once per round or chunk (never per point) and the sink still sees a few reports a second.
/// Null when the fit has no progress sink, so callers write <c>phase?.Report(…)</c>.
/// </summary>
internal sealed class PhaseProgress
{
    /// <summary>The least time between two reports within a phase.</summary>
    internal static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly IProgress<FitProgress> _sink;
    private readonly FitProgress _template;
    private readonly long _start = Stopwatch.GetTimestamp();
    private long _last;

    private PhaseProgress(IProgress<FitProgress> sink, FitProgress template)
    {
        _sink = sink;
        _template = template;
    }

    /// <summary>Begins a phase (reports fraction 0); null without a sink.</summary>
    public static PhaseProgress? Begin(IProgress<FitProgress>? sink, FitPhase phase, int restart = 0, int restarts = 0)
    {
        if (sink is null)
            return null;
        var progress = new PhaseProgress(sink, new FitProgress(restart, 0, double.NaN, double.NaN, TimeSpan.Zero)
        {
            Phase = phase,
            Restarts = restarts,
        });
        progress.Send(0, progress._start);
        return progress;
    }

    /// <summary>Runs <paramref name="work"/> as one phase, reported as it begins and ends.</summary>
    public static T Run<T>(IProgress<FitProgress>? sink, FitPhase phase, Func<T> work)
    {
        PhaseProgress? progress = Begin(sink, phase);
        T result = work();
        progress?.Done();
        return result;
    }

    /// <summary>Reports <paramref name="fraction"/> done, unless the last report is recent or
    /// the fraction is the end, which <see cref="Done"/> reports (once).</summary>
    public void Report(double fraction)
    {
        if (fraction >= 1)
            return;
        long now = Stopwatch.GetTimestamp();
        if (Stopwatch.GetElapsedTime(_last, now) >= Interval)
            Send(fraction, now);
    }

    /// <summary>Reports the phase's end (fraction 1).</summary>
    public void Done() => Send(1, Stopwatch.GetTimestamp());

    private void Send(double fraction, long now)
    {
        _last = now;
        _sink.Report(_template with
        {
            Fraction = Math.Clamp(fraction, 0, 1),
            Elapsed = Stopwatch.GetElapsedTime(_start, now),
        });
    }
}
