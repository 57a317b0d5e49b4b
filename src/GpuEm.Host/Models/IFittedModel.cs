using System.Text.Json;
using GpuEm.Em;

namespace GpuEm.Models;

/// <summary>
/// What every fitted model can do, whatever it models: be saved as a versioned model file, say
/// how its fit ran, and describe itself. Persistence, the command line and the bench talk to
/// models through this and the capability interfaces that extend it
/// (<see cref="IRowModel"/>, <see cref="IClusteringModel"/>,
/// <see cref="IProbabilisticClusteringModel"/>), never through concrete types.
/// </summary>
public interface IFittedModel
{
    /// <summary>The <c>format</c> field of its model file, e.g. "gpuem.gaussian-mixture"; the key
    /// of <see cref="Persistence.ModelFormats"/>.</summary>
    string Format { get; }

    /// <summary>A short human name, e.g. "Gaussian mixture", for messages.</summary>
    string Kind { get; }

    /// <summary>How the fit ran: iterations, convergence, objective trace, backend, device, time.</summary>
    FitSummary Summary { get; }

    /// <summary>Writes the model file (versioned JSON) to a path, replacing it.</summary>
    /// <param name="path">The file.</param>
    void Save(string path);

    /// <summary>Writes the model file to a stream (left open).</summary>
    /// <param name="stream">The target.</param>
    void Save(Stream stream);

    /// <summary>
    /// Writes the model's own summary fields (sizes, settings, small parameters) as properties of
    /// the JSON object <paramref name="writer"/> is inside; <c>gpuem info</c> prints them after
    /// the format and the fit summary.
    /// </summary>
    /// <param name="writer">A writer positioned inside an object.</param>
    void Describe(Utf8JsonWriter writer);
}
