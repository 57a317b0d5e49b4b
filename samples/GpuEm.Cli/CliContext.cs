using System.Globalization;
using GpuEm.Em;

namespace GpuEm.Cli;

/// <summary>
/// What one run of the program hands its command: the writers, the cancellation (Ctrl-C) and
/// whether to show per-iteration progress. One per run, so runs in one process never share state.
/// </summary>
/// <param name="Out">Results (machine-readable).</param>
/// <param name="Error">Errors, notices, warnings and progress.</param>
/// <param name="Cancellation">Stops a fit after its current iteration.</param>
/// <param name="ShowProgress">Print a line per iteration on <paramref name="Error"/>.</param>
internal sealed record CliContext(TextWriter Out, TextWriter Error, CancellationToken Cancellation, bool ShowProgress)
{
    /// <summary>Writes a fit's notices and warnings to stderr, and per-iteration progress when
    /// <see cref="ShowProgress"/> is on.</summary>
    /// <param name="maxIterations">For the estimate of the time left (0: none).</param>
    public IProgress<FitProgress> Progress(int maxIterations = 0) => new ProgressWriter(Error, ShowProgress, maxIterations);

    private sealed class ProgressWriter(TextWriter stderr, bool progress, int maxIterations) : IProgress<FitProgress>
    {
        private TimeSpan _last;

        public void Report(FitProgress value)
        {
            if (value.Warning is not null)
            {
                stderr.WriteLine($"gpuem: warning: {CliErrors.Describe(value.Warning)}");
                return;
            }
            if (!progress)
                return;
            if (value.Iteration == 0)
                _last = TimeSpan.Zero;
            double seconds = (value.Elapsed - _last).TotalSeconds;
            _last = value.Elapsed;
            // ETA of the restart if it runs to MaxIterations: the mean time per iteration so far.
            string eta = maxIterations > value.Iteration && value.Iteration > 0
                ? string.Create(CultureInfo.InvariantCulture,
                    $", at most {(maxIterations - value.Iteration) * value.Elapsed.TotalSeconds / (value.Iteration + 1):F1} s left")
                : "";
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"gpuem: restart {value.Restart} iteration {value.Iteration}: objective {value.Objective:F6}, change {value.Change:E2}, {seconds:F3} s{eta}"));
        }
    }
}
