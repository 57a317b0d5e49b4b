using GpuEm.Models.BernoulliMixture;
using GpuEm.Models.CategoricalMixture;
using GpuEm.Models.CoarsenedCategorical;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.HiddenMarkov;
using GpuEm.Models.KMeans;
using GpuEm.Models.Topics;

namespace GpuEm.Persistence;

/// <summary>
/// The registry of model files: one line per model. <see cref="ModelFile.Load"/> looks a file's
/// <c>format</c> up here; a new model adds its line and nothing else here.
/// </summary>
public static class ModelFormats
{
    /// <summary>Every format this build reads, in a fixed order.</summary>
    public static IReadOnlyList<ModelFormat> All { get; } =
    [
        new(GaussianMixtureModel.FormatName, typeof(GaussianMixtureModel), GaussianMixtureCodec.Read),
        new(KMeansModel.FormatName, typeof(KMeansModel), KMeansCodec.Read),
        new(BernoulliMixtureModel.FormatName, typeof(BernoulliMixtureModel), BernoulliMixtureCodec.Read),
        new(CategoricalMixtureModel.FormatName, typeof(CategoricalMixtureModel), CategoricalMixtureCodec.Read),
        new(CoarsenedCategoricalModel.FormatName, typeof(CoarsenedCategoricalModel), CoarsenedCategoricalCodec.Read),
        new(HiddenMarkovModel.FormatName, typeof(HiddenMarkovModel), HiddenMarkovCodec.Read),
        new(TopicModel.FormatName, typeof(TopicModel), TopicModelCodec.Read),
    ];

    /// <summary>The format of a name, or null when this build does not know it.</summary>
    /// <param name="name">A <c>format</c> field.</param>
    /// <returns>The format, or null.</returns>
    public static ModelFormat? Find(string name) => All.FirstOrDefault(f => f.Name == name);
}
