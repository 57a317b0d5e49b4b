using System.Diagnostics;
using System.Globalization;
using GpuEm.Em;
using Spectre.Console;

namespace GpuEm.Cli;

/// <summary>How a run shows the progress of its fits on stderr.</summary>
internal enum ProgressMode
{
    /// <summary>Only notices and warnings (--quiet, or stderr is not a terminal).</summary>
    Off,

    /// <summary>Plain lines, one per event (stderr is not a terminal, and --progress or
    /// GPUEM_PROGRESS=1 asked for progress: logs).</summary>
    Lines,

    /// <summary>An animated display (Spectre.Console): one bar for the phase under way, a line for
    /// each phase finished (stderr is a terminal).</summary>
    Live,
}

/// <summary>
/// Shows the reports of a run's fits on stderr: every phase (reading, validating, preparing,
/// seeding, each restart's k-means start, EM iterations) with its elapsed time and an estimate of
/// what is left. Iterations are bounded by the maximum, so their estimate is an upper bound (≤):
/// convergence may come earlier. Warnings are always shown. Reports arrive on the fitting
/// thread; handling one costs a string or two (the live display redraws on its own thread).
/// </summary>
internal sealed class ProgressView : IProgress<FitProgress>
{
    // Least time between two lines of one phase in the log (the first and last always show).
    private static readonly TimeSpan LogInterval = TimeSpan.FromSeconds(1);

    private readonly TextWriter _stderr;
    private readonly ProgressMode _mode;
    private readonly IAnsiConsole? _console;
    private readonly HashSet<string> _warned = new(StringComparer.Ordinal);
    private readonly object _gate = new();
    private ProgressContext? _live;
    private ProgressTask? _task;
    private (string? Label, int Restart, FitPhase Phase)? _group;
    private FitProgress? _last;
    private FitProgress? _pending;
    private long _printed;

    /// <summary>Creates the view of one run.</summary>
    /// <param name="stderr">Where lines go.</param>
    /// <param name="mode">What to show.</param>
    /// <param name="console">The console of the live display (null: one over
    /// <paramref name="stderr"/>); tests pass one over a string writer.</param>
    public ProgressView(TextWriter stderr, ProgressMode mode, IAnsiConsole? console = null)
    {
        _stderr = stderr;
        _mode = mode;
        _console = mode == ProgressMode.Live
            ? console ?? AnsiConsole.Create(new AnsiConsoleSettings
            {
                Out = new AnsiConsoleOutput(stderr),
                Ansi = AnsiSupport.Detect,
                // The display only writes; it needs no input, so stdin being redirected is no reason
                // to fall back to plain output.
                Interactive = InteractionSupport.Yes,
            })
            : null;
    }

    /// <summary>
    /// Runs <paramref name="work"/> (reading the data and fitting) under the live display when the
    /// mode is <see cref="ProgressMode.Live"/>; otherwise just runs it. The log's last line of a
    /// phase is written when the work ends.
    /// </summary>
    public T Show<T>(Func<T> work)
    {
        // Spectre.Console runs one live display at a time: an inner Show joins the outer one.
        bool live;
        lock (_gate)
            live = _live is not null;
        if (live)
            return work();
        if (_console is null)
        {
            try
            {
                return work();
            }
            finally
            {
                Flush();
            }
        }
        return _console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(
                new SpinnerColumn(),
                new TaskDescriptionColumn { Alignment = Justify.Left },
                new ProgressBarColumn { Width = 16 },
                new ElapsedTimeColumn())
            .Start(context =>
            {
                lock (_gate)
                    _live = context;
                try
                {
                    return work();
                }
                finally
                {
                    lock (_gate)
                    {
                        EndTask();
                        _live = null;
                    }
                }
            });
    }

    /// <summary>Runs <paramref name="read"/> as the reading phase of <paramref name="path"/>.</summary>
    public T Reading<T>(string path, Func<T> read)
    {
        var clock = Stopwatch.StartNew();
        var begin = new FitProgress(0, 0, double.NaN, double.NaN, TimeSpan.Zero)
        {
            Phase = FitPhase.Reading,
            Fraction = 0,
            Label = Path.GetFileName(path),
        };
        Report(begin);
        T result = read();
        Report(begin with { Fraction = 1, Elapsed = clock.Elapsed });
        return result;
    }

    /// <inheritdoc/>
    public void Report(FitProgress value)
    {
        lock (_gate)
        {
            if (value.Warning is not null)
            {
                // Once per run: select's candidates, or a fit's restarts, repeat the same
                // warning about the same data.
                string line = $"gpuem: warning: {CliErrors.Describe(value.Warning)}";
                if (_warned.Add(line))
                    WriteLine(line);
                return;
            }
            if (_mode == ProgressMode.Off)
                return;
            if (_live is not null)
                ShowLive(value);
            else
                Log(value);
        }
    }

    /// <summary>Writes the log's pending last line of a phase, if any.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (_pending is not null)
                WriteLine("gpuem: " + Describe(_pending, finished: true));
            _pending = null;
        }
    }

    // One line per event, throttled within a phase: its first report, then one a second, and
    // its last (written when the next phase begins); every EM iteration has its line.
    private void Log(FitProgress value)
    {
        bool newGroup = StartGroup(value);
        if (newGroup && _pending is not null)
            WriteLine("gpuem: " + Describe(_pending, finished: true));
        _pending = null;
        long now = Stopwatch.GetTimestamp();
        bool last = value.Phase == FitPhase.Finished || value.Fraction >= 1 && value.Phase != FitPhase.Iterating
            && value.Phase != FitPhase.KMeansStart;
        if (newGroup || last || value.Phase == FitPhase.Iterating || Stopwatch.GetElapsedTime(_printed, now) >= LogInterval)
        {
            WriteLine("gpuem: " + Describe(value));
            _printed = now;
        }
        else
        {
            _pending = value;
        }
    }

    // The live display: a bar for the phase under way; a finished phase leaves a line.
    private void ShowLive(FitProgress value)
    {
        if (value.Phase == FitPhase.Finished)
        {
            EndTask();
            WriteLine(Describe(value));
            return;
        }
        if (StartGroup(value) || _task is null)
        {
            EndTask();
            _task = _live!.AddTask(Markup.Escape(Describe(value, compact: true)), autoStart: true, maxValue: 1);
        }
        _task.Description = Markup.Escape(Describe(value, compact: true));
        _task.IsIndeterminate = double.IsNaN(value.Fraction);
        if (!double.IsNaN(value.Fraction))
            _task.Value = value.Fraction;
        _last = value;
    }

    // Ends the bar under way, leaving a line that says how the phase ended.
    private void EndTask()
    {
        if (_task is null)
            return;
        _task.Value = _task.MaxValue;
        _task.StopTask();
        if (_last is not null)
            WriteLine("✓ " + Describe(_last with { Fraction = 1 }, finished: true));
        _task = null;
        _last = null;
    }

    // Whether this report begins another phase (of another restart or candidate).
    private bool StartGroup(FitProgress value)
    {
        var group = (value.Label, value.Restart, value.Phase);
        if (_group == group)
            return false;
        _group = group;
        return true;
    }

    private void WriteLine(string text)
    {
        if (_console is not null)
            _console.WriteLine(text);
        else
            _stderr.WriteLine(text);
    }

    // "k = 3, Full (1 of 8): restart 1 of 3, EM iteration 5 of ≤ 100: mean log-likelihood
    // -1.234567, change 1.00e-04, 0.120 s, ≤ 2.3 s left"; finished: "…, EM: 17 iterations, …".
    // compact (the live bar's description): no change and no elapsed time (its own column).
    private static string Describe(FitProgress p, bool finished = false, bool compact = false)
    {
        var text = new System.Text.StringBuilder();
        if (p.Label is not null && p.Phase != FitPhase.Reading)
            text.Append(p.Label).Append(": ");
        if (p.Restarts > 1 && p.Phase is FitPhase.Seeding or FitPhase.KMeansStart or FitPhase.Iterating)
            text.Append(Invariant($"restart {p.Restart + 1} of {p.Restarts}, "));
        int max = p.MaxIterations;
        double seconds = p.Elapsed.TotalSeconds;
        switch (p.Phase)
        {
            case FitPhase.Iterating or FitPhase.KMeansStart:
                string what = p.Phase == FitPhase.Iterating ? "EM" : "k-means start";
                if (finished)
                    text.Append(Invariant($"{what}: {p.Iteration} iterations"));
                else
                    text.Append(Invariant($"{what} iteration {p.Iteration}")).Append(max > 0 ? Invariant($" of ≤ {max}") : "");
                text.Append(Invariant($"{(finished ? ", " : ": ")}{p.ObjectiveName ?? "objective"} {p.Objective:G10}"));
                if (!double.IsNaN(p.Change) && !compact)
                    text.Append(Invariant($", change {p.Change:0.00e+00}"));
                if (!compact)
                    text.Append(Invariant($", {seconds:F2} s"));
                // The restart runs at most max iterations; each so far (and the start's E-step)
                // took elapsed / (iteration + 1) on average.
                if (!finished && max > p.Iteration && p.Iteration > 0)
                    text.Append(Invariant($", ≤ {(max - p.Iteration) * seconds / (p.Iteration + 1):F1} s left"));
                break;
            case FitPhase.Finished:
                text.Append(Invariant($"finished in {seconds:F2} s: "));
                if (p.Restarts > 1)
                    text.Append(Invariant($"restart {p.Restart + 1} of {p.Restarts} won, "));
                text.Append(Invariant($"{p.Iteration} iterations, {p.ObjectiveName ?? "objective"} {p.Objective:G10}"));
                break;
            default:
                text.Append(p.Phase switch
                {
                    FitPhase.Reading => "reading " + p.Label,
                    FitPhase.Validating => "validating the data",
                    FitPhase.Preparing => "preparing the engine",
                    _ => "seeding",
                });
                if (p.Fraction >= 1)
                    text.Append(Invariant($": done in {seconds:F2} s"));
                else if (p.Fraction > 0)
                    text.Append(Invariant($": {100 * p.Fraction:F0}%")).Append(compact ? "" : Invariant($", {seconds:F1} s"))
                        .Append(Invariant($", ≈ {seconds * (1 - p.Fraction) / p.Fraction:F1} s left"));
                else
                    text.Append('…');
                break;
        }
        return text.ToString();
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
