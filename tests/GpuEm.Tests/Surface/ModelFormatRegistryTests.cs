using GpuEm.Data;
using GpuEm.Models;
using GpuEm.Models.CoarsenedCategorical;
using GpuEm.Persistence;
using Xunit;

namespace GpuEm.Tests.Surface;

/// <summary>
/// Every registered model format: fitted, saved, loaded back through <see cref="ModelFile.Load"/>
/// (the one path the CLI uses), and identical in what it predicts and scores.
/// </summary>
public sealed class ModelFormatRegistryTests
{
    public static TheoryData<string> Formats()
    {
        var data = new TheoryData<string>();
        foreach (ModelFormat format in ModelFormats.All)
            data.Add(format.Name);
        return data;
    }

    [Fact]
    public void Every_registered_format_has_a_sample_fit_and_names_are_unique()
    {
        string[] names = ModelFormats.All.Select(f => f.Name).ToArray();
        Assert.Equal(names.Length, names.Distinct().Count());
        Assert.Equal(names.Order(), RegisteredModels.Fits.Keys.Order());
        foreach (ModelFormat format in ModelFormats.All)
            Assert.Same(format, ModelFormats.Find(format.Name));
        Assert.Null(ModelFormats.Find("gpuem.no-such-model"));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_saved_model_loads_through_ModelFile_with_identical_predictions_and_scores(string name)
    {
        RegisteredModels.Sample sample = RegisteredModels.Fits[name]();
        IFittedModel fitted = sample.Model;
        Assert.Equal(name, fitted.Format);
        string folder = Directory.CreateTempSubdirectory("gpuem-registry-").FullName;
        try
        {
            string path = Path.Combine(folder, "model.json");
            fitted.Save(path);
            Assert.Equal(name, ModelFile.ReadFormat(path));
            IFittedModel loaded = ModelFile.Load(path);
            Assert.IsType(ModelFormats.Find(name)!.ModelType, loaded);
            Assert.Equal(fitted.Summary.ObjectiveHistory, loaded.Summary.ObjectiveHistory);
            Assert.Equal(fitted.Summary with { ObjectiveHistory = [] }, loaded.Summary with { ObjectiveHistory = [] });

            // Save ∘ Load is the identity on the file: every number round-trips exactly.
            string again = Path.Combine(folder, "again.json");
            loaded.Save(again);
            Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
            Assert.Empty(Directory.GetFiles(folder, "*.tmp"));

            if (fitted is IRowModel rows)
            {
                using var source = new ArrayDataSource(sample.Rows!);
                Assert.Equal(rows.Evaluate(source), ((IRowModel)loaded).Evaluate(source), new ScoreComparer());
            }
            if (fitted is IClusteringModel clustering)
            {
                using var source = new ArrayDataSource(sample.Rows!);
                Assert.Equal(clustering.Predict(source), ((IClusteringModel)loaded).Predict(source));
            }
            if (fitted is IProbabilisticClusteringModel probabilistic)
            {
                using var source = new ArrayDataSource(sample.Rows!);
                Assert.Equal(
                    probabilistic.PredictProba(source, 3, 50),
                    ((IProbabilisticClusteringModel)loaded).PredictProba(source, 3, 50));
            }
            if (fitted is CoarsenedCategoricalModel table)
                Assert.Equal(table.Score(sample.Observations!), ((CoarsenedCategoricalModel)loaded).Score(sample.Observations!));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void An_unknown_format_names_the_formats_this_build_reads()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, """{ "format": "gpuem.hmm", "version": 1 }""");
            var error = Assert.Throws<ModelFormatException>(() => ModelFile.Load(path));
            Assert.Contains("unknown format 'gpuem.hmm'", error.Message);
            Assert.Contains("gpuem.bernoulli-mixture", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Save_replaces_an_existing_file_and_leaves_no_temporary_file()
    {
        string folder = Directory.CreateTempSubdirectory("gpuem-save-").FullName;
        try
        {
            string path = Path.Combine(folder, "model.json");
            File.WriteAllText(path, "an older model");
            IFittedModel model = RegisteredModels.Fits[Models.KMeans.KMeansModel.FormatName]().Model;
            model.Save(path);
            Assert.Equal(Models.KMeans.KMeansModel.FormatName, ModelFile.ReadFormat(path));
            Assert.Single(Directory.GetFiles(folder));
            Assert.Throws<DirectoryNotFoundException>(() => model.Save(Path.Combine(folder, "missing", "m.json")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_write_that_fails_midway_leaves_the_previous_file_and_no_temporary_file()
    {
        string folder = Directory.CreateTempSubdirectory("gpuem-replace-").FullName;
        try
        {
            string path = Path.Combine(folder, "labels.txt");
            File.WriteAllText(path, "the previous content");
            Assert.Throws<IOException>(() => ReplacedFile.Write(path, stream =>
            {
                stream.Write("half of the new"u8);
                throw new IOException("disk full");
            }));
            Assert.Equal("the previous content", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private sealed class ScoreComparer : IEqualityComparer<ModelScore>
    {
        public bool Equals(ModelScore? x, ModelScore? y) =>
            x is not null && y is not null && x.Rows == y.Rows && x.Measures.SequenceEqual(y.Measures);

        public int GetHashCode(ModelScore obj) => obj.Rows.GetHashCode();
    }
}
