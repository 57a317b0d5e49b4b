using System.Text.Json;
using GpuEm.Em;
using GpuEm.Persistence;

namespace GpuEm.Models;

/// <summary>
/// The part every fitted model shares: its <see cref="FitSummary"/> and the flags read from it,
/// and saving to a path by replacing the file (written beside it, flushed, renamed over it), so a
/// crash or a full disk never leaves a truncated model where a good one was.
/// </summary>
public abstract class FittedModel : IFittedModel
{
    /// <summary>Keeps the summary of the fit.</summary>
    /// <param name="summary">How the fit ran.</param>
    private protected FittedModel(FitSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        Summary = summary with { ObjectiveHistory = summary.ObjectiveHistory.ToArray() };
    }

    /// <inheritdoc/>
    public abstract string Format { get; }

    /// <inheritdoc/>
    public abstract string Kind { get; }

    /// <inheritdoc/>
    public FitSummary Summary { get; }

    /// <summary>
    /// The objective EM maximized, at the start and after each iteration of the winning restart
    /// (higher is better; never decreases, up to rounding): the same list as
    /// <see cref="FitSummary.ObjectiveHistory"/>. Each model says what it is (mixtures: per
    /// weighted point, penalized by a prior or smoothing when there is one).
    /// </summary>
    public IReadOnlyList<double> ObjectiveHistory => Summary.ObjectiveHistory;

    /// <summary>The objective at the fitted parameters: the last entry of <see cref="ObjectiveHistory"/>.</summary>
    public double Objective => Summary.Objective;

    /// <summary>Whether the model's stopping rule was met within the tolerance.</summary>
    public bool Converged => Summary.Converged;

    /// <summary>Whether the fit was cancelled (then not converged).</summary>
    public bool Cancelled => Summary.Cancelled;

    /// <summary>EM iterations (M-steps) of the winning restart.</summary>
    public int Iterations => Summary.Iterations;

    /// <summary>The backend that ran the fit.</summary>
    public Backend Backend => Summary.Backend;

    /// <summary>The device that ran the fit.</summary>
    public string DeviceName => Summary.DeviceName;

    /// <summary>Writes the model file, replacing <paramref name="path"/> only once the new file is
    /// complete on disk.</summary>
    /// <param name="path">The file.</param>
    public void Save(string path) => ModelDocument.Replace(path, Save);

    /// <inheritdoc/>
    public abstract void Save(Stream stream);

    /// <inheritdoc/>
    public abstract void Describe(Utf8JsonWriter writer);
}
