using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;

namespace GpuEm.Persistence;

/// <summary>Loads any GpuEm model file by its <c>format</c> field.</summary>
public static class ModelFile
{
    /// <summary>The format name of a Gaussian mixture file.</summary>
    public const string GaussianMixtureFormat = "gpuem.gaussian-mixture";

    /// <summary>The format name of a k-means file.</summary>
    public const string KMeansFormat = "gpuem.kmeans";

    /// <summary>The <c>format</c> field of a model file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>For example "gpuem.gaussian-mixture".</returns>
    /// <exception cref="ModelFormatException">The file is not a GpuEm model file.</exception>
    public static string ReadFormat(string path)
    {
        using FileStream stream = ModelDocument.Open(path);
        System.Text.Json.JsonDocument document;
        try
        {
            document = System.Text.Json.JsonDocument.Parse(stream);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new ModelFormatException($"{path} is not a valid model file: {ex.Message}", ex);
        }
        using (document)
            return new ModelDocument.Reader(document.RootElement, path).Format();
    }

    /// <summary>Loads a model: a <see cref="GaussianMixtureModel"/> or a <see cref="KMeansModel"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelFormatException">Unknown format, newer version, or a bad field.</exception>
    public static object Load(string path) => ReadFormat(path) switch
    {
        GaussianMixtureFormat => GaussianMixtureModel.Load(path),
        KMeansFormat => KMeansModel.Load(path),
        string other => throw new ModelFormatException($"The model file {path} holds an unknown format '{other}'."),
    };
}
