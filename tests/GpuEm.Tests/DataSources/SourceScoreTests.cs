using GpuEm.Data;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.DataSources;

/// <summary>Score, BIC, AIC and semi-supervised fits over data sources, read chunk by chunk.</summary>
public sealed class SourceScoreTests : IDisposable
{
    // More rows than one chunk (65 536), so that sums run across chunks.
    private const int Rows = 100_000;

    private readonly string _dir = Directory.CreateTempSubdirectory("gpuem-score-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static GaussianMixtureModel Mixture(float[,] data) => new GaussianMixture(new GaussianMixtureOptions
    {
        ComponentCount = 3,
        CovarianceType = CovarianceType.Diagonal,
        MaxIterations = 5,
        Backend = Backend.Reference,
        Seed = 1,
    }).Fit(data);

    [Fact]
    public void Mixture_score_bic_and_aic_of_a_source_equal_those_of_the_array()
    {
        float[,] data = Synthetic.Mixture(Rows, 2, 3, seed: 21).Data;
        GaussianMixtureModel model = Mixture(data);
        // Missing entries in both chunks: the source is read as predictions read it.
        data[10, 0] = float.NaN;
        data[Rows - 5, 1] = float.NaN;
        using var source = new ArrayDataSource(data);
        // Exactly equal: the same per-row log densities summed in the same order.
        Assert.Equal(model.Score(data), model.Score(source));
        Assert.Equal(model.Bic(data), model.Bic(source));
        Assert.Equal(model.Aic(data), model.Aic(source));
        Assert.True(model.Bic(source) > model.Aic(source));
    }

    [Fact]
    public void Kmeans_score_of_an_npy_file_equals_that_of_the_array()
    {
        float[,] data = Synthetic.Mixture(Rows, 3, 4, seed: 22).Data;
        KMeansModel model = new KMeans(new KMeansOptions { ClusterCount = 4, Backend = Backend.Reference, MaxIterations = 5 }).Fit(data);
        using MappedDataSource source = MappedDataSource.OpenNpy(NpyFile.Write(Path.Combine(_dir, "x.npy"), data));
        Assert.Equal(model.Score(data), model.Score(source));
        Assert.Equal(-model.Inertia, model.Score(source), 1e-9 * model.Inertia);
    }

    [Fact]
    public void A_source_with_other_columns_or_an_empty_row_past_the_first_chunk_is_a_clear_error()
    {
        float[,] data = Synthetic.Mixture(Rows, 2, 3, seed: 23).Data;
        GaussianMixtureModel model = Mixture(data);
        using (var wide = new ArrayDataSource(new float[4, 3]))
            Assert.Contains("3 columns but the model was fitted on 2", Assert.Throws<ArgumentException>(() => model.Score(wide)).Message);
        data[70_000, 0] = float.NaN;
        data[70_000, 1] = float.NaN;
        using var source = new ArrayDataSource(data);
        // Row numbers in the message count from the chunk's first row, which the message names.
        string message = Assert.Throws<ArgumentException>(() => model.Score(source)).Message;
        Assert.Contains("Row 4464 (zero-based)", message);
        Assert.Contains("starts at row 65536", message);
    }

    [Fact]
    public void A_semi_supervised_fit_of_a_source_equals_that_of_the_array()
    {
        (float[,] data, int[] truth, _) = Synthetic.Mixture(2000, 2, 2, seed: 24);
        int[] labels = truth.Select((label, i) => i % 10 == 0 ? label : -1).ToArray();
        var estimator = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 2, Backend = Backend.Reference });
        GaussianMixtureModel expected = estimator.FitSemiSupervised(data, labels);
        using MappedDataSource source = MappedDataSource.OpenNpy(NpyFile.Write(Path.Combine(_dir, "y.npy"), data));
        GaussianMixtureModel actual = estimator.FitSemiSupervised(source, labels);
        Assert.Equal(expected.Means, actual.Means);
        Assert.Equal(expected.LogLikelihood, actual.LogLikelihood);
        Assert.Throws<ArgumentException>(() => estimator.FitSemiSupervised(source, labels[..5]));
    }

    [Theory]
    [InlineData("(10, x)", "'x' is not a dimension")]
    [InlineData("(4611686018427387904, 4)", "more bytes than a file can hold")]
    public void An_npy_with_a_corrupt_shape_is_an_invalid_data_error(string shape, string expected)
    {
        string path = NpyFile.Write(Path.Combine(_dir, "bad.npy"), "<f4", shape, new byte[80]);
        Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => MappedDataSource.OpenNpy(path)).Message);
    }
}
