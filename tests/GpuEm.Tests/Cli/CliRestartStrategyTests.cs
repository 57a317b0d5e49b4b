using System.Globalization;
using System.Text.Json;
using GpuEm.Em;
using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Cli;

/// <summary>--restart-strategy short-runs and its settings on the fit commands: the library's fit, the work printed, and the usage errors.</summary>
public sealed class CliRestartStrategyTests() : TempFolderTests("gpuem-cli-restarts-")
{
    private string Blobs()
    {
        string path = PathOf("blobs.csv");
        var random = new Random(11);
        File.WriteAllText(path, string.Concat(Enumerable.Range(0, 90).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"{i % 3 * 6 + Synthetic.Normal(random)},{i % 2 * 3 + Synthetic.Normal(random)}\n"))));
        return path;
    }

    [Fact]
    public void Fit_with_short_runs_equals_the_library_and_prints_its_e_steps()
    {
        string data = Blobs();
        (int code, string stdout, string stderr) = InProcess.Run(
            "fit", "--input", data, "--k", "4", "--n-init", "3", "--restart-strategy", "short-runs", "--short-runs", "7",
            "--short-iter", "2", "--short-continue", "2", "--seed", "5", "--backend", "reference", "--quiet");
        Assert.True(code == 0, stderr);
        JsonElement root = JsonDocument.Parse(stdout).RootElement;
        GaussianMixtureModel expected = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 4,
            Restarts = 3,
            RestartStrategy = RestartStrategy.ShortRuns,
            ShortRunStarts = 7,
            ShortRunIterations = 2,
            ShortRunsContinued = 2,
            Seed = 5,
            Backend = Backend.Reference,
        }).Fit(GpuEm.Data.CsvDataSource.Open(data));
        Assert.Equal(expected.LogLikelihood, root.GetProperty("logLikelihood").GetDouble());
        Assert.Equal(expected.Summary.EStepsRun, root.GetProperty("eSteps").GetInt64());
        // 7 short runs of at most 3 E-steps each, then two runs on to convergence.
        Assert.InRange(root.GetProperty("eSteps").GetInt64(), 7 * 2, 7 * 3 + 2 * 100);

        (code, stdout, stderr) = InProcess.Run("kmeans", "--input", data, "--k", "3", "--n-init", "8", "--restart-strategy", "short-runs",
            "--backend", "reference", "--quiet");
        Assert.True(code == 0, stderr);
        Assert.True(JsonDocument.Parse(stdout).RootElement.GetProperty("eSteps").GetInt64() >= 32);
    }

    [Theory]
    [InlineData("--short-runs", "3", "--short-runs applies to --restart-strategy short-runs only")]
    [InlineData("--short-continue", "2", "--short-continue applies to --restart-strategy short-runs only")]
    [InlineData("--restart-strategy", "best", "--restart-strategy")]
    public void Short_run_settings_without_the_strategy_or_a_bad_strategy_are_usage_errors(string option, string value, string message)
    {
        (int code, string stdout, string stderr) = InProcess.Run("kmeans", "--input", Blobs(), "--k", "2", option, value, "--quiet");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr);
    }

    [Fact]
    public void Keeping_more_runs_than_starts_is_an_error_naming_the_option()
    {
        (int code, _, string stderr) = InProcess.Run("fit", "--input", Blobs(), "--k", "2", "--restart-strategy", "short-runs",
            "--short-runs", "3", "--short-continue", "4", "--quiet");
        Assert.Equal(2, code);
        Assert.StartsWith("gpuem: error: --short-continue (4) cannot exceed the short-run starts (3)", stderr);
    }
}
