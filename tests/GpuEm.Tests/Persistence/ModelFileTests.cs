using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;
using GpuEm.Persistence;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Persistence;

/// <summary>save∘load = identity, and bad files fail clearly.</summary>
public sealed class ModelFileTests : TempFolderTests
{
    public ModelFileTests()
        : base("gpuem-models-")
    {
    }


    private static GaussianMixtureModel Mixture(CovarianceType type)
    {
        (float[,] data, _, _) = Synthetic.Mixture(300, 3, 3, seed: 81);
        return Synthetic.FitReference(data, 3, type);
    }

    [Fact]
    public void A_penalized_mixture_keeps_its_objective_and_its_log_likelihood_apart_through_a_file()
    {
        (float[,] data, _, _) = Synthetic.Mixture(300, 3, 3, seed: 81);
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 3,
            Backend = Backend.Reference,
            Prior = new GaussianPrior { WeightConcentration = 50 },
        }).Fit(data);
        Assert.NotEqual(model.Objective, model.MeanLogLikelihood);
        string path = PathOf("prior.json");
        model.Save(path);
        GaussianMixtureModel loaded = GaussianMixtureModel.Load(path);

        Assert.Equal(model.ObjectiveHistory, loaded.ObjectiveHistory);
        Assert.Equal(model.Objective, loaded.Objective);
        Assert.Equal(model.MeanLogLikelihood, loaded.MeanLogLikelihood);
        Assert.Equal(model.LogLikelihood, loaded.LogLikelihood);
    }

    [Fact]
    public void A_mixture_file_without_a_mean_log_likelihood_loads_it_as_the_last_objective()
    {
        // Files written before the field existed: their history was the only likelihood reported.
        GaussianMixtureModel model = Mixture(CovarianceType.Diagonal);
        string path = PathOf("old.json");
        model.Save(path);
        var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.True(document.Remove("meanLogLikelihood"));
        File.WriteAllText(path, document.ToJsonString());
        GaussianMixtureModel loaded = GaussianMixtureModel.Load(path);

        Assert.Equal(model.ObjectiveHistory, loaded.ObjectiveHistory);
        Assert.Equal(loaded.Objective, loaded.MeanLogLikelihood);
    }

    [Fact]
    public void The_fits_e_steps_round_trip_are_optional_and_checked()
    {
        GaussianMixtureModel model = Mixture(CovarianceType.Full);
        Assert.True(model.Summary.EStepsRun >= model.Iterations + 1);
        string path = PathOf("steps.json");
        model.Save(path);
        Assert.Equal(model.Summary.EStepsRun, GaussianMixtureModel.Load(path).Summary.EStepsRun);
        var document = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        Assert.True(document.Remove("eSteps"));
        File.WriteAllText(path, document.ToJsonString());
        Assert.Equal(0, GaussianMixtureModel.Load(path).Summary.EStepsRun);
        foreach ((System.Text.Json.Nodes.JsonNode value, string message) in new (System.Text.Json.Nodes.JsonNode, string)[]
        {
            (System.Text.Json.Nodes.JsonValue.Create("many")!, "field 'eSteps' is not a whole number"),
            (System.Text.Json.Nodes.JsonValue.Create(1e300)!, "field 'eSteps' is not a whole number"),
            (System.Text.Json.Nodes.JsonValue.Create(0)!, $"has eSteps 0; it must be at least iterations + 1 ({model.Iterations + 1})"),
        })
        {
            document["eSteps"] = value.DeepClone();
            File.WriteAllText(path, document.ToJsonString());
            Assert.Contains(message, Assert.Throws<GpuEm.Persistence.ModelFormatException>(() => GaussianMixtureModel.Load(path)).Message);
        }
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Tied)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    public void Mixture_round_trip_is_exact(CovarianceType type)
    {
        GaussianMixtureModel model = Mixture(type);
        string path = PathOf($"{type}.json");
        model.Save(path);
        GaussianMixtureModel loaded = GaussianMixtureModel.Load(path);

        Assert.Equal(model.Weights, loaded.Weights);
        Assert.Equal(model.Means, loaded.Means);
        Assert.Equal(model.Covariances, loaded.Covariances);
        Assert.Equal(model.PrecisionCholesky, loaded.PrecisionCholesky);
        Assert.Equal(model.ObjectiveHistory, loaded.ObjectiveHistory);
        Assert.Equal(model.MeanLogLikelihood, loaded.MeanLogLikelihood);
        Assert.Equal(model.TrainingWeight, loaded.TrainingWeight);
        Assert.Equal((model.CovarianceType, model.Converged, model.Cancelled, model.Iterations, model.Backend, model.DeviceName),
            (loaded.CovarianceType, loaded.Converged, loaded.Cancelled, loaded.Iterations, loaded.Backend, loaded.DeviceName));
        float[,] fresh = Synthetic.Gaussian(50, 3, seed: 82, scale: 3);
        Assert.Equal(model.PredictProba(fresh), loaded.PredictProba(fresh));
        Assert.Equal(model.ScoreSamples(fresh), loaded.ScoreSamples(fresh));
        Assert.IsType<GaussianMixtureModel>(ModelFile.Load(path));
        Assert.Equal(ModelFile.GaussianMixtureFormat, ModelFile.ReadFormat(path));
    }

    [Fact]
    public void KMeans_round_trip_is_exact()
    {
        (float[,] data, _, _) = Synthetic.Mixture(400, 4, 5, seed: 83);
        KMeansModel model = new KMeans(new KMeansOptions { ClusterCount = 5, Backend = Backend.Reference }).Fit(data);
        string path = PathOf("kmeans.json");
        model.Save(path);
        var loaded = Assert.IsType<KMeansModel>(ModelFile.Load(path));

        Assert.Equal(model.Centres, loaded.Centres);
        Assert.Equal(model.Labels, loaded.Labels);
        Assert.Equal(model.Inertia, loaded.Inertia);
        Assert.Equal(model.InertiaHistory, loaded.InertiaHistory);
        Assert.Equal((model.Converged, model.Iterations, model.ReseededClusters, model.Backend, model.DeviceName),
            (loaded.Converged, loaded.Iterations, loaded.ReseededClusters, loaded.Backend, loaded.DeviceName));
        float[,] fresh = Synthetic.Gaussian(50, 4, seed: 84, scale: 5);
        Assert.Equal(model.Predict(fresh), loaded.Predict(fresh));
        Assert.Equal(model.Transform(fresh), loaded.Transform(fresh));
    }

    [Fact]
    public void Streams_round_trip_too()
    {
        GaussianMixtureModel model = Mixture(CovarianceType.Diagonal);
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        Assert.Equal(model.Means, GaussianMixtureModel.Load(stream).Means);
    }

    [Fact]
    public void KMeans_streams_round_trip_too()
    {
        (float[,] data, _, _) = Synthetic.Mixture(200, 2, 3, seed: 85);
        KMeansModel model = new KMeans(new KMeansOptions { ClusterCount = 3, Backend = Backend.Reference }).Fit(data);
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        KMeansModel loaded = KMeansModel.Load(stream);
        Assert.Equal(model.Centres, loaded.Centres);
        Assert.Equal(model.Labels, loaded.Labels);
    }

    private string SavedText(CovarianceType type = CovarianceType.Full)
    {
        string path = PathOf("base.json");
        Mixture(type).Save(path);
        return File.ReadAllText(path);
    }

    private string Write(string name, string text)
    {
        string path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Corrupt_truncated_foreign_and_future_files_fail_clearly()
    {
        string text = SavedText();
        string Fail(string name, string content) =>
            Assert.Throws<ModelFormatException>(() => GaussianMixtureModel.Load(Write(name, content))).Message;

        Assert.Contains("not a valid model file", Fail("truncated.json", text[..(text.Length / 2)]));
        Assert.Contains("not a valid model file", Fail("garbage.json", "this is not json"));
        Assert.Contains("newer GpuEm (file version 2)", Fail("future.json", text.Replace("\"version\": 1", "\"version\": 2")));
        Assert.Contains("'gpuem.kmeans' model", Fail("other.json", text.Replace("gpuem.gaussian-mixture", "gpuem.kmeans")));
        Assert.Contains("no 'format' field", Fail("noformat.json", "{\"version\": 1}"));
        Assert.Contains("lacks the field 'weights'", Fail("noweights.json", text.Replace("\"weights\"", "\"w\"")));
        string shortWeights = System.Text.RegularExpressions.Regex.Replace(text, "\"weights\": \\[[^\\]]*\\]", "\"weights\": [1]");
        Assert.Contains("holds 1 values; 3 expected", Fail("short.json", shortWeights));
        string nanWeights = System.Text.RegularExpressions.Regex.Replace(text, "\"weights\": \\[[^\\]]*\\]", "\"weights\": [\"NaN\", 0.5, 0.5]");
        Assert.Contains("not a finite number", Fail("nan.json", nanWeights));
        Assert.Contains("unknown format 'gpuem.hmm'", Assert.Throws<ModelFormatException>(
            () => ModelFile.Load(Write("hmm.json", "{\"format\": \"gpuem.hmm\", \"version\": 1}"))).Message);
    }

    [Fact]
    public void A_missing_file_names_its_path()
    {
        string path = PathOf("absent.json");
        var error = Assert.Throws<FileNotFoundException>(() => GaussianMixtureModel.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Throws<FileNotFoundException>(() => ModelFile.Load(path));
    }
}
