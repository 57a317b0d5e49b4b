using GpuEm.Models;

namespace GpuEm.Persistence;

/// <summary>One kind of model file: its <c>format</c> name and how to read it.</summary>
/// <param name="Name">The <c>format</c> field, e.g. "gpuem.kmeans".</param>
/// <param name="ModelType">The fitted-model type it reads into.</param>
/// <param name="Read">Reads a file's stream; the string names the file in errors.</param>
public sealed record ModelFormat(string Name, Type ModelType, Func<Stream, string, IFittedModel> Read);
