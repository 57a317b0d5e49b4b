using GpuEm.Models;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;

namespace GpuEm.Persistence;

/// <summary>Loads any GpuEm model file by its <c>format</c> field (<see cref="ModelFormats"/>).</summary>
public static class ModelFile
{
    /// <summary>The format name of a Gaussian mixture file.</summary>
    public const string GaussianMixtureFormat = GaussianMixtureModel.FormatName;

    /// <summary>The format name of a k-means file.</summary>
    public const string KMeansFormat = KMeansModel.FormatName;

    /// <summary>The <c>format</c> field of a model file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>For example "gpuem.gaussian-mixture".</returns>
    /// <exception cref="ModelFormatException">The file is not a GpuEm model file.</exception>
    public static string ReadFormat(string path)
    {
        using FileStream stream = ModelDocument.Open(path);
        return ReadFormat(stream, path);
    }

    /// <summary>Loads a model of any registered format; the capability interfaces
    /// (<see cref="IRowModel"/>, <see cref="IClusteringModel"/>, …) say what it can do.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelFormatException">Unknown format, newer version, or a bad field.</exception>
    public static IFittedModel Load(string path)
    {
        using FileStream file = ModelDocument.Open(path);
        using var memory = new MemoryStream();
        file.CopyTo(memory);
        memory.Position = 0;
        string format = ReadFormat(memory, path);
        ModelFormat known = ModelFormats.Find(format)
            ?? throw new ModelFormatException(
                $"The model file {path} holds an unknown format '{ModelDocument.Clip(format)}'; this build reads {string.Join(", ", ModelFormats.All.Select(f => f.Name))}.");
        memory.Position = 0;
        return known.Read(memory, path);
    }

    private static string ReadFormat(Stream stream, string path)
    {
        System.Text.Json.JsonDocument document;
        try
        {
            document = System.Text.Json.JsonDocument.Parse(stream);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new ModelFormatException($"The model file {path} is not valid JSON: {ex.Message}", ex);
        }
        using (document)
        {
            ModelDocument.CheckText(document.RootElement, path);
            return new ModelDocument.Reader(document.RootElement, path).Format();
        }
    }
}
