using GpuEm.Data;
using GpuEm.Models;
using GpuEm.Models.BernoulliMixture;
using GpuEm.Models.CategoricalMixture;
using GpuEm.Models.CoarsenedCategorical;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.HiddenMarkov;
using GpuEm.Models.KMeans;
using GpuEm.Models.Topics;
using GpuEm.Tests.Bernoulli;
using GpuEm.Tests.Support;
using GpuEm.Tests.Topics;

namespace GpuEm.Tests.Surface;

/// <summary>
/// One small fitted model per registered format, with rows it takes (or observations, for the
/// coarsened table), so the surface tests cover every format the registry lists. A format
/// registered without an entry here fails <see cref="ModelFormatRegistryTests"/>.
/// </summary>
internal static class RegisteredModels
{
    public sealed record Sample(IFittedModel Model, float[,]? Rows, IReadOnlyList<CoarsenedObservation>? Observations);

    public static readonly IReadOnlyDictionary<string, Func<Sample>> Fits = new Dictionary<string, Func<Sample>>
    {
        [GaussianMixtureModel.FormatName] = () =>
        {
            float[,] rows = Synthetic.Mixture(120, 3, 2, seed: 5).Data;
            var options = new GaussianMixtureOptions { ComponentCount = 2, Backend = Backend.Reference, Seed = 1 };
            return new Sample(new GaussianMixture(options).Fit(rows), rows, null);
        },
        [KMeansModel.FormatName] = () =>
        {
            float[,] rows = Synthetic.Mixture(120, 3, 3, seed: 6).Data;
            var options = new KMeansOptions { ClusterCount = 3, Backend = Backend.Reference, Seed = 1 };
            return new Sample(new KMeans(options).Fit(rows), rows, null);
        },
        [BernoulliMixtureModel.FormatName] = () =>
        {
            float[,] rows = PlantedBinary.RemoveAtRandom(PlantedBinary.Sample(150, 8, 2, 7).Data, 0.1, 8);
            var options = new BernoulliMixtureOptions { ComponentCount = 2, Backend = Backend.Reference, Seed = 1 };
            return new Sample(new BernoulliMixture(options).Fit(rows), rows, null);
        },
        [CategoricalMixtureModel.FormatName] = () =>
        {
            float[,] rows = CategoricalRows(150, seed: 9);
            var options = new CategoricalMixtureOptions { ComponentCount = 2, Backend = Backend.Reference, Seed = 1 };
            return new Sample(new CategoricalMixture(options).Fit(new ArrayDataSource(rows)), rows, null);
        },
        [CoarsenedCategoricalModel.FormatName] = () =>
        {
            CoarsenedObservation[] observations =
            [
                CoarsenedObservation.Cell(0, 12), CoarsenedObservation.Cell(3, 4),
                new([0, 1], 7), new([2, 3], 5), new([1, 2], 3),
            ];
            var options = new CoarsenedCategoricalOptions { Coefficients = [1, 5, 3, 1], Groups = [0, 0, 1, 1] };
            return new Sample(new CoarsenedCategorical(options).Fit(observations), null, observations);
        },
        [HiddenMarkovModel.FormatName] = () =>
        {
            float[,] rows = Synthetic.Mixture(150, 2, 2, seed: 10).Data;
            var options = new HiddenMarkovOptions(2) { Backend = Backend.Reference, Seed = 1 };
            return new Sample(HiddenMarkov.Fit(rows, [70, 80], options), rows, null);
        },
        [TopicModel.FormatName] = () =>
        {
            // Documents, not rows: the registry round trip of the file is what applies.
            (Corpus corpus, _) = TopicCorpora.Planted(40, 12, 2, 20, 0.3, seed: 11);
            var options = new LdaOptions { TopicCount = 2, Backend = Backend.Reference, Seed = 1 };
            return new Sample(new Lda(options).Fit(corpus), null, null);
        },
    };

    /// <summary>Rows of three categorical features (3, 2 and 4 levels) from two planted classes,
    /// with a few missing entries (NaN and −1).</summary>
    public static float[,] CategoricalRows(int n, int seed)
    {
        var random = new Random(seed);
        int[] levels = [3, 2, 4];
        var rows = new float[n, levels.Length];
        for (int i = 0; i < n; i++)
        {
            int cls = i % 2;
            for (int j = 0; j < levels.Length; j++)
            {
                int level = random.NextDouble() < 0.8 ? (cls + j) % levels[j] : random.Next(levels[j]);
                rows[i, j] = level;
            }
        }
        rows[3, 1] = float.NaN;
        rows[10, 2] = -1;
        return rows;
    }
}
