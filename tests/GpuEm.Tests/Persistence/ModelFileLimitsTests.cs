using System.Text.Json.Nodes;
using GpuEm.Data;
using GpuEm.Models;
using GpuEm.Models.BernoulliMixture;
using GpuEm.Models.CategoricalMixture;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;
using GpuEm.Persistence;
using GpuEm.Tests.Cli;
using GpuEm.Tests.Support;
using GpuEm.Tests.Surface;
using Xunit;

namespace GpuEm.Tests.Persistence;

/// <summary>
/// A model file is checked for what it claims: sizes in checked arithmetic within one array,
/// covariances symmetric and positive definite with finite precisions, and the fit's numbers in
/// range; each refusal names the file and the field. Parameters that pass but are too extreme for
/// float64 make prediction fail, never return NaN.
/// </summary>
public sealed class ModelFileLimitsTests : TempFolderTests
{
    public ModelFileLimitsTests()
        : base("gpuem-limits-")
    {
    }

    public static TheoryData<string, string, long> HugeSizes() => new()
    {
        { GaussianMixtureModel.FormatName, "componentCount", 715_827_883 },
        { GaussianMixtureModel.FormatName, "dimension", 715_827_883 },
        { KMeansModel.FormatName, "clusterCount", 715_827_883 },
        { KMeansModel.FormatName, "dimension", 715_827_883 },
        { BernoulliMixtureModel.FormatName, "componentCount", 715_827_883 },
        { BernoulliMixtureModel.FormatName, "dimension", 2_000_000_000 },
        { CategoricalMixtureModel.FormatName, "componentCount", 2_000_000_000 },
        { CategoricalMixtureModel.FormatName, "dimension", 2_000_000_000 },
        { GaussianMixtureModel.FormatName, "componentCount", 3_000_000_000 },
        { Models.Topics.TopicModel.FormatName, "termCount", 715_827_883 },
        { Models.Topics.TopicModel.FormatName, "topicCount", 715_827_883 },
    };

    [Fact]
    public void A_topic_model_claiming_a_huge_vocabulary_fails_before_allocating_its_table()
    {
        // Found by the model-file fuzz test: topicWord was allocated from the claimed sizes (11 GB)
        // before its rows were checked.
        string path = Edit(Models.Topics.TopicModel.FormatName, document => document["termCount"] = 715_827_883);
        long before = GC.GetAllocatedBytesForCurrentThread();
        ModelFormatException ex = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 64 << 20, "the refusal allocated the claimed table");
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HugeSizes))]
    public void A_huge_size_in_any_model_file_is_refused_naming_the_file(string format, string field, long value)
    {
        string path = Edit(format, document => document[field] = value);
        ModelFormatException ex = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_level_count_whose_total_overflows_is_refused()
    {
        string path = Edit(CategoricalMixtureModel.FormatName, document =>
            document["levelCounts"] = new JsonArray(2_000_000_000, 2_000_000_000, 2_000_000_000));
        ModelFormatException ex = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));
        Assert.Contains("'probabilities'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Tied)]
    public void A_full_covariance_of_46341_dimensions_is_refused_rather_than_wrapping_d_squared(CovarianceType type)
    {
        // 46,341² exceeds 2³¹: on main the 32-bit length wrapped negative, read as "any length".
        const int d = 46_341;
        string path = Edit(GaussianMixtureModel.FormatName, document =>
        {
            document["covarianceType"] = type.ToString();
            document["componentCount"] = 1;
            document["dimension"] = d;
            document["weights"] = new JsonArray(1.0);
            document["means"] = new JsonArray(Enumerable.Repeat(0.0, d).Select(v => (JsonNode?)v).ToArray());
            document["covariances"] = new JsonArray(1.0);
        }, type);
        ModelFormatException ex = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'covariances'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Diagonal)]
    public void A_subnormal_variance_is_refused_at_load(CovarianceType type)
    {
        string path = Edit(GaussianMixtureModel.FormatName, document => document["covariances"]![0] = 5e-324, type);
        ModelFormatException ex = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'covariances'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("positive normal", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Tied)]
    public void An_asymmetric_covariance_is_refused(CovarianceType type)
    {
        // Entry (0, 1) changed, (1, 0) kept: only the lower triangle would have been factored.
        string path = Edit(GaussianMixtureModel.FormatName, document =>
        {
            JsonNode covariances = document["covariances"]!;
            covariances[1] = covariances[1]!.GetValue<double>() + 0.5;
        }, type);
        ModelFormatException ex = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));
        Assert.Contains("'covariances'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("not symmetric", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_covariance_that_is_not_positive_definite_is_refused_naming_the_component()
    {
        string path = Edit(GaussianMixtureModel.FormatName, document =>
        {
            // Component 1 of a 3-d full model: [[1, 2, 0], [2, 1, 0], [0, 0, 1]] (eigenvalue −1).
            var covariances = document["covariances"]!.AsArray();
            double[] bad = [1, 2, 0, 2, 1, 0, 0, 0, 1];
            for (int i = 0; i < 9; i++)
                covariances[9 + i] = bad[i];
        }, CovarianceType.Full);
        ModelFormatException ex = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));
        Assert.Contains("component 1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(GaussianMixtureModel.FormatName, "iterations", -1, "iterations")]
    [InlineData(KMeansModel.FormatName, "iterations", -1, "iterations")]
    [InlineData(BernoulliMixtureModel.FormatName, "iterations", -1, "iterations")]
    [InlineData(GaussianMixtureModel.FormatName, "trainingWeight", 0, "trainingWeight")]
    [InlineData(BernoulliMixtureModel.FormatName, "trainingWeight", 0, "trainingWeight")]
    [InlineData(CategoricalMixtureModel.FormatName, "trainingWeight", -1, "trainingWeight")]
    [InlineData(KMeansModel.FormatName, "inertia", -1, "inertia")]
    [InlineData(GaussianMixtureModel.FormatName, "seconds", -1, "seconds")]
    public void A_fit_number_out_of_range_is_refused_naming_the_field(string format, string field, double value, string named)
    {
        string path = Edit(format, document => document[field] = value);
        ModelFormatException ex = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains(named, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    public void Means_of_1e308_make_prediction_fail_instead_of_returning_NaN(CovarianceType type)
    {
        string path = Edit(GaussianMixtureModel.FormatName, document =>
        {
            var means = document["means"]!.AsArray();
            for (int i = 0; i < means.Count; i++)
                means[i] = 1e308;
        }, type);
        var model = (GaussianMixtureModel)ModelFile.Load(path);
        float[,] rows = { { 0, 0, 0 }, { 1, 2, 3 } };
        Assert.Contains("non-finite log-density", Assert.Throws<NonFiniteDensityException>(() => model.PredictProba(rows)).Message, StringComparison.Ordinal);
        Assert.Throws<NonFiniteDensityException>(() => model.Predict(rows));
        Assert.Throws<NonFiniteDensityException>(() => model.ScoreSamples(rows));
        Assert.Throws<NonFiniteDensityException>(() => model.Score(rows));
    }

    [Fact]
    public void A_non_finite_density_in_a_later_chunk_of_a_source_names_the_source_row()
    {
        // Variances of 1e-300 are valid (normal, finite precision); a point 1e5 away from every
        // mean then has (x - mu)^2 / var = 1e310 = infinity, so only that row fails. 70,000 rows
        // put it in the second 65,536-row chunk, whose rows the model sees counted from 0.
        string path = Edit(GaussianMixtureModel.FormatName, document =>
        {
            var means = document["means"]!.AsArray();
            for (int i = 0; i < means.Count; i++)
                means[i] = 0;
            var variances = document["covariances"]!.AsArray();
            for (int i = 0; i < variances.Count; i++)
                variances[i] = 1e-300;
        }, CovarianceType.Spherical);
        var model = (GaussianMixtureModel)ModelFile.Load(path);
        const int Rows = 70_000, Bad = 69_000;
        var values = new float[Rows * 3];
        values[Bad * 3] = 1e5f;
        var ex = Assert.Throws<NonFiniteDensityException>(() => model.Predict(new ArrayDataSource(values, Rows, 3)));
        Assert.Equal(Bad, ex.Row);
        Assert.Contains($"row {Bad}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cli_predict_proba_with_means_of_1e308_prints_one_error_line_and_no_NaN()
    {
        string model = Edit(GaussianMixtureModel.FormatName, document =>
        {
            var means = document["means"]!.AsArray();
            for (int i = 0; i < means.Count; i++)
                means[i] = 1e308;
        }, CovarianceType.Diagonal);
        string input = PathOf("rows.csv");
        File.WriteAllText(input, "0,0,0\n1,2,3\n");

        foreach (string[] args in new[]
        {
            new[] { "predict", "--model", model, "--input", input, "--proba" },
            new[] { "predict", "--model", model, "--input", input },
            new[] { "score", "--model", model, "--input", input },
        })
        {
            (int code, string stdout, string stderr) = InProcess.Run(args);
            Assert.Equal(1, code);
            Assert.DoesNotContain("NaN", stdout, StringComparison.Ordinal);
            Assert.Contains("non-finite log-density", stderr, StringComparison.Ordinal);
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    [Fact]
    public void An_unedited_model_still_loads_and_predicts()
    {
        foreach (CovarianceType type in Enum.GetValues<CovarianceType>())
        {
            string path = Edit(GaussianMixtureModel.FormatName, _ => { }, type);
            var model = (GaussianMixtureModel)ModelFile.Load(path);
            Assert.All(model.ScoreSamples(new float[,] { { 0, 0, 0 } }), v => Assert.True(double.IsFinite(v)));
        }
    }

    // Saves a small fitted model of the format (a Gaussian mixture of the given covariance type,
    // 3-d with 2 components), edits its JSON and writes it back.
    private string Edit(string format, Action<JsonObject> edit, CovarianceType type = CovarianceType.Full)
    {
        IFittedModel model = format == GaussianMixtureModel.FormatName
            ? Synthetic.FitReference(Synthetic.Mixture(200, 3, 2, seed: 11).Data, 2, type)
            : RegisteredModels.Fits[format]().Model;
        string path = PathOf($"{format}-{type}-{Guid.NewGuid():N}.json");
        model.Save(path);
        JsonObject document = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        edit(document);
        File.WriteAllText(path, document.ToJsonString());
        return path;
    }
}
