using GpuEm.Em;

namespace GpuEm.Cli;

/// <summary>
/// What one run of the program hands its command: the writers, the cancellation (Ctrl-C) and
/// how to show the progress of its fits. One per run, so runs in one process never share state.
/// </summary>
/// <param name="Out">Results (machine-readable).</param>
/// <param name="Error">Errors, notices, warnings and progress.</param>
/// <param name="Cancellation">Stops a fit after its current iteration.</param>
/// <param name="ProgressMode">Off (warnings only), plain lines (logs) or the live display.</param>
/// <param name="Console">The live display's console (null: one over <paramref name="Error"/>).</param>
internal sealed record CliContext(
    TextWriter Out, TextWriter Error, CancellationToken Cancellation, ProgressMode ProgressMode,
    Spectre.Console.IAnsiConsole? Console = null)
{
    /// <summary>Standard input: CSV rows for <c>--input -</c>, read once.</summary>
    public TextReader Input { get; init; } = TextReader.Null;

    private ProgressView? _view;

    /// <summary>The run's one progress view (its fits' notices and warnings always show).</summary>
    public ProgressView View => _view ??= new ProgressView(Error, ProgressMode, Console);

    /// <summary>The progress sink of a fit: <see cref="View"/>.</summary>
    /// <param name="maxIterations">Unused: the reports carry their maximum (kept for callers).</param>
    public IProgress<FitProgress> Progress(int maxIterations = 0)
    {
        _ = maxIterations;
        return View;
    }

    /// <summary>Runs a command's reading and fitting under the progress display
    /// (<see cref="ProgressView.Show"/>).</summary>
    public T Show<T>(Func<T> work) => View.Show(work);

    /// <summary>Reads an input file as the reading phase, under the progress display.</summary>
    public T Read<T>(string path, Func<T> read) => View.Show(() => View.Reading(path, read));
}
