using System.Globalization;
using System.Reflection;
using System.Text.Json;
using GpuEm.Cli;
using GpuEm.Models.CoarsenedCategorical;
using GpuEm.Persistence;
using GpuEm.Tests.Cli;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Surface;

/// <summary>
/// The command line over every registered model: each is fitted by its command, then
/// <c>info</c>, <c>predict</c> and <c>score</c> handle it through the one capability-based path.
/// </summary>
public sealed class CliSurfaceTests : TempFolderTests
{
    public CliSurfaceTests()
        : base("gpuem-cli-surface-")
    {
    }


    private static string Csv(float[,] rows) =>
        string.Join('\n', Enumerable.Range(0, rows.GetLength(0)).Select(i => string.Join(',',
            Enumerable.Range(0, rows.GetLength(1)).Select(j => float.IsNaN(rows[i, j]) ? "" : rows[i, j].ToString("R", CultureInfo.InvariantCulture))))) + "\n";

    // Fits a model of the format with its own command; returns the model file, the input and its row count.
    private (string Model, string Input, int Rows) FitWithCli(string format)
    {
        if (format == Models.Topics.TopicModel.FormatName)
            return FitTopicsWithCli();
        RegisteredModels.Sample sample = RegisteredModels.Fits[format]();
        string model = PathOf(format + ".json");
        string input = PathOf(format + ".csv");
        string[] command;
        if (sample.Observations is { } observations)
        {
            File.WriteAllText(input, "# count,cells\n" + string.Join('\n', observations.Select(o =>
                o.Count.ToString("R", CultureInfo.InvariantCulture) + "," + string.Join(' ', o.Cells))) + "\n");
            command = ["coarsened", "fit", "--input", input, "--coefficients", "1,5,3,1", "--groups", "0,0,1,1"];
        }
        else
        {
            File.WriteAllText(input, Csv(sample.Rows!));
            command = format switch
            {
                "gpuem.gaussian-mixture" => ["fit", "--input", input, "--k", "2", "--missing", "marginalize"],
                "gpuem.kmeans" => ["kmeans", "--input", input, "--k", "3"],
                "gpuem.bernoulli-mixture" => ["bernoulli", "--input", input, "--k", "2"],
                "gpuem.categorical-mixture" => ["categorical", "--input", input, "--k", "2"],
                "gpuem.hidden-markov" => ["hmm", "fit", "--input", input, "--states", "2", "--emission", "gaussian"],
                _ => throw new InvalidOperationException($"No CLI fit for {format}: add one here and a command in CliApp.Commands."),
            };
        }
        string[] backend = format == CoarsenedCategoricalModel.FormatName ? [] : ["--backend", "reference"];
        (int code, string stdout, string stderr) = InProcess.Run([.. command, .. backend, "--output", model, "--quiet"]);
        Assert.True(code == 0, $"{string.Join(' ', command)}: exit {code}: {stderr}");
        using JsonDocument json = JsonDocument.Parse(stdout);
        Assert.True(json.RootElement.TryGetProperty("iterations", out _), stdout);
        // Every property once: a reader that keeps the first or the last must see the same value.
        string[] names = json.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(names.Length, names.Distinct().Count());
        return (model, input, sample.Rows?.GetLength(0) ?? sample.Observations!.Count);
    }

    // A topic model takes documents, not rows: a seeded UCI bag-of-words corpus of 30 documents
    // fitted by gpuem topics fit; the "rows" are its documents.
    private (string Model, string Input, int Rows) FitTopicsWithCli()
    {
        var random = new Random(4);
        var lines = new List<string>();
        for (int d = 1; d <= 30; d++)
            foreach (int w in Enumerable.Range(1, 12).Where(_ => random.NextDouble() < 0.4))
                lines.Add(string.Create(CultureInfo.InvariantCulture, $"{d} {w} {1 + random.Next(4)}"));
        string input = PathOf("docword.txt");
        File.WriteAllText(input, $"30\n12\n{lines.Count}\n" + string.Join('\n', lines) + "\n");
        string model = PathOf("topics.json");
        (int code, string stdout, string stderr) = InProcess.Run(
            "topics", "fit", "--input", input, "--topics", "2", "--model", "lda", "--backend", "reference", "--output", model, "--quiet");
        Assert.True(code == 0, $"topics fit: exit {code}: {stderr}");
        using JsonDocument json = JsonDocument.Parse(stdout);
        string[] names = json.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(names.Length, names.Distinct().Count());
        return (model, input, 30);
    }

    [Theory]
    [MemberData(nameof(ModelFormatRegistryTests.Formats), MemberType = typeof(ModelFormatRegistryTests))]
    public void Info_predict_and_score_handle_every_registered_model(string format)
    {
        (string model, string input, int rows) = FitWithCli(format);
        Models.IFittedModel loaded = ModelFile.Load(model);

        (int code, string stdout, string stderr) = InProcess.Run("info", "--model", model);
        Assert.True(code == 0, stderr);
        using (JsonDocument info = JsonDocument.Parse(stdout))
        {
            Assert.Equal(format, info.RootElement.GetProperty("format").GetString());
            Assert.Equal(loaded.Summary.Iterations, info.RootElement.GetProperty("iterations").GetInt32());
            Assert.Equal(loaded.Kind, info.RootElement.GetProperty("kind").GetString());
        }

        (code, stdout, stderr) = InProcess.Run("predict", "--model", model, "--input", input, "--missing", "marginalize");
        if (loaded is Models.IClusteringModel clustering)
        {
            Assert.True(code == 0, stderr);
            int[] labels = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            Assert.Equal(rows, labels.Length);
            Assert.All(labels, label => Assert.InRange(label, 0, clustering.ClusterCount - 1));
        }
        else
        {
            Assert.Equal(2, code);
            Assert.Contains("does not label rows", stderr);
        }

        (code, stdout, stderr) = InProcess.Run("score", "--model", model, "--input", input, "--missing", "marginalize");
        if (loaded is Models.IRowModel)
        {
            Assert.True(code == 0, stderr);
            using JsonDocument score = JsonDocument.Parse(stdout);
            Assert.Equal(rows, score.RootElement.GetProperty("n").GetInt32());
            Assert.Equal(format, score.RootElement.GetProperty("model").GetString());
        }
        else if (loaded is Models.Topics.TopicModel)
        {
            Assert.Equal(2, code);
            Assert.Contains("gpuem topics perplexity", stderr);
        }
        else
        {
            Assert.Equal(2, code);
            Assert.Contains("gpuem coarsened score", stderr);
            (code, stdout, stderr) = InProcess.Run("coarsened", "score", "--model", model, "--input", input);
            Assert.True(code == 0, stderr);
            using JsonDocument score = JsonDocument.Parse(stdout);
            Assert.Equal(((CoarsenedCategoricalModel)loaded).LogLikelihood, score.RootElement.GetProperty("logLikelihood").GetDouble(), 9);
        }
    }

    [Fact]
    public void Probabilities_need_a_probabilistic_model_and_say_so()
    {
        (string model, string input, _) = FitWithCli("gpuem.kmeans");
        (int code, _, string stderr) = InProcess.Run("predict", "--model", model, "--input", input, "--proba");
        Assert.Equal(2, code);
        Assert.Contains("a k-means model has no probabilities", stderr);

        (model, input, int rows) = FitWithCli("gpuem.bernoulli-mixture");
        (code, string stdout, stderr) = InProcess.Run("predict", "--model", model, "--input", input, "--proba", "--missing", "marginalize");
        Assert.True(code == 0, stderr);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(rows, lines.Length);
        Assert.All(lines, line => Assert.Equal(1.0, line.Split(',').Sum(p => double.Parse(p, CultureInfo.InvariantCulture)), 9));
    }

    [Fact]
    public void Every_command_takes_quiet_and_verbose()
    {
        foreach (CliCommand command in CliApp.Commands)
        {
            string[] args = command.Name == "coarsened" ? [command.Name, "fit", "--help", "--quiet", "--verbose"] : [command.Name, "--help", "--quiet", "--verbose"];
            (int code, string stdout, string stderr) = InProcess.Run(args);
            Assert.True(code == 0, $"{command.Name}: exit {code}: {stderr}");
            Assert.Contains("usage: gpuem " + command.Name, stdout);
            Assert.Contains(command.Name, CliApp.Usage);
        }
    }

    [Theory]
    [InlineData("fit")]
    [InlineData("kmeans")]
    [InlineData("bernoulli")]
    [InlineData("categorical")]
    [InlineData("predict")]
    [InlineData("score")]
    [InlineData("select")]
    [InlineData("plot")]
    public void Every_command_that_reads_data_shows_the_input_options_in_its_usage(string command)
    {
        (int code, string stdout, string stderr) = InProcess.Run(command, "--help");
        Assert.True(code == 0, stderr);
        string usage = stdout[..stdout.IndexOf("\n\n", StringComparison.Ordinal)];
        Assert.Contains("--input FILE ", usage);
        Assert.Contains("[--columns D|NAME,…]", usage);
        Assert.Contains("[--header]", usage);
        Assert.Contains("[--delimiter C]", usage);
        Assert.Contains(".parquet", stdout);
    }

    [Fact]
    public void Plot_checks_its_missing_option_and_draws_a_bernoulli_mixture()
    {
        (string model, string input, _) = FitWithCli("gpuem.bernoulli-mixture");
        (int code, _, string stderr) = InProcess.Run("plot", "--model", model, "--input", input, "--out", PathOf("f.png"), "--missing", "sometimes");
        Assert.Equal(2, code);
        Assert.Contains("--missing 'sometimes' is not one of error, marginalize", stderr);
        (code, _, stderr) = InProcess.Run("plot", "--model", model, "--input", input, "--out", PathOf("f.png"), "--missing", "marginalize");
        Assert.True(code == 0, stderr);
        Assert.True(new FileInfo(PathOf("f.png")).Length > 1000);
    }

    [Fact]
    public void KMeans_help_offers_no_missing_values_it_would_reject()
    {
        (_, string stdout, _) = InProcess.Run("kmeans", "--help");
        Assert.DoesNotContain("--missing", stdout);
        (int code, _, string stderr) = InProcess.Run("kmeans", "--input", PathOf("x.csv"), "--k", "2", "--missing", "marginalize");
        Assert.Equal(2, code);
        Assert.Contains("unknown option '--missing'", stderr);
    }

    [Fact]
    public void The_output_is_checked_before_the_fit_and_never_replaces_the_input()
    {
        (_, string input, _) = FitWithCli("gpuem.kmeans");
        string before = File.ReadAllText(input);
        (int code, string stdout, string stderr) = InProcess.Run("kmeans", "--input", input, "--k", "2", "--output", input);
        Assert.Equal(2, code);
        Assert.Contains("is also an input", stderr);
        Assert.Equal(before, File.ReadAllText(input));
        (code, stdout, stderr) = InProcess.Run("fit", "--input", input, "--k", "2", "--output", PathOf("no/such/folder/m.json"));
        Assert.Equal(2, code);
        Assert.Contains("does not exist", stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void The_program_keeps_no_mutable_static_state_between_runs()
    {
        // Cancellation and progress travel in each run's CliContext; a static property with a
        // setter (as CliApp.Cancellation once was) would be shared by runs in one process.
        foreach (Type type in typeof(CliApp).Assembly.GetTypes())
        {
            foreach (PropertyInfo property in type.GetProperties(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
                Assert.False(property.SetMethod is not null, $"{type.Name}.{property.Name} is static and settable");
            foreach (FieldInfo field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
                Assert.True(field.IsInitOnly || field.IsLiteral || field.Name.Contains('<', StringComparison.Ordinal),
                    $"{type.Name}.{field.Name} is a mutable static field");
        }
    }
}
