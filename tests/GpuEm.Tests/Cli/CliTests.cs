using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuEm.Cli;
using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Cli;

/// <summary>The gpuem program, in process (CliApp.Run) and once as a real process.</summary>
public sealed class CliTests : TempFolderTests
{
    public CliTests()
        : base("gpuem-cli-")
    {
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => InProcess.Run(args);

    private string WriteCsv(string name, string text)
    {
        string path = Path.Combine(Folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private (string Path, float[,] Data) Blobs()
    {
        var random = new Random(3);
        var data = new float[200, 2];
        var text = new StringBuilder();
        for (int i = 0; i < 200; i++)
        {
            double cx = i % 2 == 0 ? 0 : 10;
            data[i, 0] = (float)(cx + Support.Synthetic.Normal(random));
            data[i, 1] = (float)(5 + Support.Synthetic.Normal(random));
            text.Append(data[i, 0].ToString("R", CultureInfo.InvariantCulture)).Append(',')
                .Append(data[i, 1].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }
        return (WriteCsv("blobs.csv", text.ToString()), data);
    }

    [Fact]
    public void Demo_fits_old_faithful_and_reports_the_backend()
    {
        (int code, string output, _) = Run("demo", "--backend", "reference");
        Assert.Equal(0, code);
        Assert.Contains("272 eruptions", output);
        Assert.Contains("backend: Reference", output);
        Assert.Contains("component 1", output);
    }

    [Fact]
    public void Fit_prints_one_json_object_that_agrees_with_the_library()
    {
        (string path, float[,] data) = Blobs();
        (int code, string output, string errors) = Run("fit", "--input", path, "--k", "2", "--backend", "reference", "--seed", "5");
        Assert.Equal(0, code);
        Assert.Equal("", errors);
        Assert.Single(output.Trim().Split('\n'));
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement root = json.RootElement;
        Assert.Equal(200, root.GetProperty("n").GetInt32());
        Assert.Equal(2, root.GetProperty("d").GetInt32());
        Assert.Equal(2, root.GetProperty("k").GetInt32());
        Assert.Equal("full", root.GetProperty("covariance").GetString());
        Assert.Equal("Reference", root.GetProperty("backend").GetString());
        foreach (string field in new[] { "iterations", "logLikelihood", "meanLogLikelihood", "bic", "aic", "seconds" })
            Assert.True(root.TryGetProperty(field, out _), field);
        Assert.All(root.GetProperty("weights").EnumerateArray(), w => Assert.InRange(w.GetDouble(), 0.4, 0.6));

        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 2,
            Backend = Backend.Reference,
            Seed = 5,
        }).Fit(data);
        double[,] means = model.Means;
        JsonElement[] printed = root.GetProperty("means").EnumerateArray().ToArray();
        for (int c = 0; c < 2; c++)
            for (int j = 0; j < 2; j++)
                Assert.Equal(means[c, j], printed[c][j].GetDouble());
        Assert.Equal(model.LogLikelihood, root.GetProperty("logLikelihood").GetDouble());
    }

    [Fact]
    public void Fit_with_output_saves_a_model_file_that_predicts_as_the_api()
    {
        (string path, float[,] data) = Blobs();
        string output = Path.Combine(Folder, "model.json");
        (int code, _, _) = Run("fit", "--input", path, "--k", "2", "--covariance", "diag", "--backend", "reference", "--output", output);
        Assert.Equal(0, code);
        GaussianMixtureModel saved = GaussianMixtureModel.Load(output);
        Assert.Equal(CovarianceType.Diagonal, saved.CovarianceType);
        GaussianMixtureModel api = Synthetic.FitReference(data, 2, CovarianceType.Diagonal);
        Assert.Equal(api.Means, saved.Means);

        (code, string labels, string errors) = Run("predict", "--model", output, "--input", path);
        Assert.True(code == 0, errors);
        Assert.Equal(api.Predict(data), labels.Trim().Split('\n').Select(int.Parse).ToArray());
        (code, string proba, _) = Run("predict", "--model", output, "--input", path, "--proba");
        Assert.Equal(0, code);
        string[] first = proba.Split('\n')[0].Split(',');
        Assert.Equal(2, first.Length);
        Assert.Equal(api.PredictProba(data)[0, 0], double.Parse(first[0], CultureInfo.InvariantCulture));
        (code, string score, _) = Run("score", "--model", output, "--input", path);
        Assert.Equal(0, code);
        using JsonDocument json = JsonDocument.Parse(score);
        Assert.Equal(api.Score(data), json.RootElement.GetProperty("meanLogLikelihood").GetDouble(), 12);
        Assert.Equal(api.Bic(data), json.RootElement.GetProperty("bic").GetDouble(), 9);
    }

    [Fact]
    public void Kmeans_output_predicts_and_scores()
    {
        (string path, _) = Blobs();
        string output = Path.Combine(Folder, "km.json");
        Assert.Equal(0, Run("kmeans", "--input", path, "--k", "2", "--backend", "reference", "--output", output).Code);
        (int code, string labels, _) = Run("predict", "--model", output, "--input", path);
        Assert.Equal(0, code);
        Assert.Equal(200, labels.Trim().Split('\n').Length);
        Assert.Equal(2, Run("predict", "--model", output, "--input", path, "--proba").Code);
        (code, string score, _) = Run("score", "--model", output, "--input", path);
        Assert.Equal(0, code);
        using JsonDocument json = JsonDocument.Parse(score);
        Assert.True(json.RootElement.GetProperty("inertia").GetDouble() > 0);
    }

    [Fact]
    public void Select_prints_the_table_and_saves_the_best()
    {
        (string path, _) = Blobs();
        string output = Path.Combine(Folder, "best.json");
        (int code, string table, string errors) = Run(
            "select", "--input", path, "--k-max", "4", "--covariance", "full,diag", "--backend", "reference", "--output", output);
        Assert.True(code == 0, errors);
        string[] lines = table.Trim().Split('\n');
        Assert.Equal("covariance,k,logLikelihood,bic,aic,converged,error", lines[0]);
        // stdout is the CSV table alone (booleans as true/false); the choice is on stderr.
        Assert.Equal(1 + 8, lines.Length);
        Assert.All(lines[1..], line => Assert.Matches(",(true|false),", line));
        Assert.StartsWith("gpuem: best: ", errors.Trim());
        Assert.Contains("k = 2", errors);
        Assert.Equal(2, GaussianMixtureModel.Load(output).ComponentCount);
        Assert.Equal(2, Run("select", "--input", path, "--k-min", "3", "--k-max", "2").Code);
    }

    [Fact]
    public void Progress_lines_go_to_stderr_unless_quiet_and_cancellation_returns_the_last_model()
    {
        (string path, _) = Blobs();
        string[] fit = ["fit", "--input", path, "--k", "2", "--backend", "reference", "--tol", "0", "--max-iter", "3"];
        var stdout = new StringWriter(CultureInfo.InvariantCulture);
        var stderr = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(0, CliApp.Run([.. fit, "--progress"], stdout, stderr, CancellationToken.None, showProgress: false));
        Assert.Contains("EM iteration 3 of ≤ 3: mean log-likelihood", stderr.ToString());
        Assert.Contains("EM iteration 1 of ≤ 3: mean log-likelihood", stderr.ToString());
        Assert.Contains("s left", stderr.ToString());

        stderr = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(0, CliApp.Run([.. fit, "--progress", "--quiet"], new StringWriter(), stderr, CancellationToken.None, showProgress: false));
        Assert.DoesNotContain("iteration 1", stderr.ToString());

        stdout = new StringWriter(CultureInfo.InvariantCulture);
        stderr = new StringWriter(CultureInfo.InvariantCulture);
        // Cancelled: exit 130 (the shell's interrupt convention), the last completed model still printed.
        Assert.Equal(130, CliApp.Run(fit, stdout, stderr, new CancellationToken(canceled: true), showProgress: false));
        using JsonDocument json = JsonDocument.Parse(stdout.ToString());
        Assert.True(json.RootElement.GetProperty("cancelled").GetBoolean());
        Assert.False(json.RootElement.GetProperty("converged").GetBoolean());
        Assert.Equal(0, json.RootElement.GetProperty("iterations").GetInt32());
        Assert.Contains("Cancelled", stderr.ToString());
    }

    // Width and height from the PNG's IHDR chunk (big-endian at bytes 16 and 20).
    private static (int Width, int Height) PngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)),
            System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    [Fact]
    public void Plot_writes_pngs_of_the_requested_size_for_mixtures_kmeans_and_selection()
    {
        (string path, _) = Blobs();
        string mixture = Path.Combine(Folder, "m.json");
        string kmeans = Path.Combine(Folder, "k.json");
        Assert.Equal(0, Run("fit", "--input", path, "--k", "2", "--backend", "reference", "--output", mixture).Code);
        Assert.Equal(0, Run("kmeans", "--input", path, "--k", "2", "--backend", "reference", "--output", kmeans).Code);
        string figure = Path.Combine(Folder, "fig.png");
        (int code, _, string errors) = Run("plot", "--model", mixture, "--input", path, "--out", figure, "--width", "900", "--height", "400");
        Assert.True(code == 0, errors);
        Assert.Equal((900, 400), PngSize(figure));
        Assert.True(new FileInfo(figure).Length > 5000);
        Assert.Equal(0, Run("plot", "--model", kmeans, "--input", path, "--out", figure).Code);
        Assert.Equal((1200, 500), PngSize(figure));
        string bic = Path.Combine(Folder, "bic.png");
        Assert.Equal(0, Run("select", "--input", path, "--k-max", "3", "--covariance", "diag", "--backend", "reference", "--plot", bic).Code);
        Assert.Equal((800, 500), PngSize(bic));
        Assert.Equal(2, Run("plot", "--model", mixture, "--input", path, "--out", figure, "--width", "10").Code);
    }

    [Fact]
    public void Bench_runs_the_benchmark_in_process_and_prints_json()
    {
        (int code, string output, string errors) = Run(
            "bench", "--model", "gmm", "--covariance", "diag", "--n", "3000", "--d", "4", "--k", "3", "--iterations", "3",
            "--backend", "reference", "--json");
        Assert.True(code == 0, errors);
        using JsonDocument json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        Assert.True(json.RootElement.GetProperty("secondsPerIteration").GetDouble() > 0);
        Assert.True(json.RootElement.GetProperty("floorSeconds").GetDouble() > 0);
        Assert.Contains("usage: gpuem bench", Run("bench", "--help").Out);
    }

    [Fact]
    public void Bench_hmm_times_exactly_the_requested_baum_welch_iterations()
    {
        (int code, string output, string errors) = Run(
            "bench", "--model", "hmm", "--sequences", "6", "--length", "40", "--states", "3", "--d", "2", "--iterations", "4",
            "--covariance", "full", "--backend", "reference", "--json");
        Assert.True(code == 0, errors);
        using JsonDocument json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        JsonElement root = json.RootElement;
        Assert.Equal(4, root.GetProperty("iterations").GetInt32());
        double[] seconds = root.GetProperty("iterationSeconds").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(4, seconds.Length);
        Assert.All(seconds, s => Assert.True(s > 0));
        Assert.InRange(root.GetProperty("secondsPerIteration").GetDouble(), seconds.Min(), seconds.Max());
        // Baum-Welch never lowers the likelihood: the history (initial + 4) is non-decreasing up to rounding.
        double[] history = root.GetProperty("objectiveHistory").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(5, history.Length);
        for (int i = 1; i < history.Length; i++)
            Assert.True(history[i] >= history[i - 1] - 1e-9, $"iteration {i}: {history[i - 1]} → {history[i]}");
        Assert.Equal(root.GetProperty("logLikelihood").GetDouble() / (6 * 40), history[^1], 9);
        // The mixture options are not the HMM's, nor the reverse.
        Assert.Equal(2, Run("bench", "--model", "hmm", "--n", "100").Code);
        Assert.Equal(2, Run("bench", "--model", "gmm", "--states", "3").Code);
    }

    [Fact]
    public void Bench_check_compares_every_model_with_the_reference_streamed_through_a_small_budget()
    {
        // 240,000 bytes hold the partial sums and a few hundred rows of each mixture (d = 5, k = 3):
        // every mixture fit streams, so the check covers ChunkStream as well as the kernels. The
        // hidden Markov models get 1 MiB more (their partials) and may stay resident here; their
        // streaming is covered by AcceleratorHmmEngineTests.
        (int code, string output, string errors) = Run(
            "bench", "--check", "--backend", "cpu-accelerator", "--n", "3000", "--d", "5", "--k", "3",
            "--iterations", "2", "--device-memory-limit", "240000", "--json");
        Assert.True(code == 0, errors + output);
        using JsonDocument json = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
        JsonElement[] cases = json.RootElement.GetProperty("cases").EnumerateArray().ToArray();
        Assert.Equal(
            new[] { "gmm Full", "gmm Tied", "gmm Diagonal", "gmm Spherical", "kmeans", "hmm diag", "hmm full", "hmm long sequence" },
            cases.Select(c => c.GetProperty("name").GetString()));
        foreach (JsonElement c in cases)
        {
            // Above 0: the two engines' numbers differ (float32 kernels vs float64), so the
            // comparison saw both; at most 1: within the parity tolerance.
            double worst = c.GetProperty("worstShareOfTolerance").GetDouble();
            Assert.InRange(worst, double.Epsilon, 1);
            if (!c.GetProperty("name").GetString()!.StartsWith("hmm", StringComparison.Ordinal))
                Assert.StartsWith("streamed in ", c.GetProperty("streamed").GetString());
        }
        // A reference "check" would compare the engine with itself: a usage error.
        Assert.Equal(2, Run("bench", "--check", "--backend", "reference").Code);
    }

    [Fact]
    public void Devices_lists_the_cpu_accelerator_and_the_reference_engine()
    {
        (int code, string output, _) = Run("devices");
        Assert.Equal(0, code);
        Assert.Contains("CpuAccelerator:", output);
        Assert.Contains("Reference: CPU reference engine", output);
    }

    [Fact]
    public void A_corrupt_model_file_is_one_line_and_exit_code_1()
    {
        (string path, _) = Blobs();
        string model = WriteCsv("broken.json", "{\"format\": \"gpuem.gaussian-mixture\", \"version\": 7}");
        (int code, _, string errors) = Run("predict", "--model", model, "--input", path);
        Assert.Equal(1, code);
        Assert.Contains("newer GpuEm", errors);
        Assert.Single(errors.Trim().Split('\n'));
    }

    [Fact]
    public void Kmeans_prints_one_json_object_with_the_inertia()
    {
        (string path, _) = Blobs();
        (int code, string output, _) = Run("kmeans", "--input", path, "--k", "2", "--backend", "reference");
        Assert.Equal(0, code);
        using JsonDocument json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("inertia").GetDouble() > 0);
        Assert.Equal(2, json.RootElement.GetProperty("centres").GetArrayLength());
        Assert.True(json.RootElement.GetProperty("converged").GetBoolean());
    }

    [Fact]
    public void A_bad_cell_is_reported_with_its_line_and_column()
    {
        string path = WriteCsv("bad.csv", "1,2\n3,4\n\n5,abc\n");
        (int code, string output, string errors) = Run("fit", "--input", path, "--k", "1");
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal("gpuem: error: bad.csv line 4, column 2: 'abc' is not a number.", errors.Trim());
    }

    [Fact]
    public void Ragged_rows_and_non_finite_cells_name_their_line()
    {
        Assert.Contains("line 2:", Run("fit", "--input", WriteCsv("ragged.csv", "1,2\n3\n"), "--k", "1").Err);
        (int code, _, string errors) = Run("fit", "--input", WriteCsv("nan.csv", "1,2\nNaN,4\n"), "--k", "1");
        Assert.Equal(1, code);
        Assert.Contains("line 2, column 1", errors);
        Assert.Contains("holds no data", Run("fit", "--input", WriteCsv("empty.csv", "\n\n"), "--k", "1").Err);
    }

    [Fact]
    public void Fit_marginalizes_empty_and_NaN_cells_and_takes_partial_labels()
    {
        var text = new StringBuilder();
        var labels = new StringBuilder();
        var random = new Random(9);
        for (int i = 0; i < 120; i++)
        {
            double cx = i % 2 == 0 ? 0 : 8;
            string x = (cx + random.NextDouble()).ToString("R", CultureInfo.InvariantCulture);
            string y = (cx + random.NextDouble()).ToString("R", CultureInfo.InvariantCulture);
            text.AppendLine(i % 10 == 3 ? $"{x}," : i % 10 == 7 ? $"NaN,{y}" : $"{x},{y}");
            labels.AppendLine(i % 5 == 0 ? (i % 2).ToString(CultureInfo.InvariantCulture) : "-1");
        }
        string data = WriteCsv("holes.csv", text.ToString());
        string labelFile = WriteCsv("labels.txt", labels.ToString());

        Assert.Contains("--missing marginalize", Run("fit", "--input", data, "--k", "2").Err);
        (int code, string output, string errors) = Run(
            "fit", "--input", data, "--k", "2", "--missing", "marginalize", "--labels", labelFile, "--backend", "reference");
        Assert.True(code == 0, errors);
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement means = json.RootElement.GetProperty("means");
        // Labels 0 on even rows (centre 0.5), 1 on odd rows (centre 8.5): the components keep them.
        Assert.InRange(means[0][0].GetDouble(), 0.2, 0.8);
        Assert.InRange(means[1][1].GetDouble(), 8.2, 8.8);

        string badLabels = WriteCsv("bad-labels.txt", "0\nx\n");
        Assert.Contains("line 2", Run("fit", "--input", data, "--k", "2", "--missing", "marginalize", "--labels", badLabels).Err);
        string shortLabels = WriteCsv("short-labels.txt", "0\n1\n");
        Assert.Contains("2 labels for 120", Run("fit", "--input", data, "--k", "2", "--missing", "marginalize", "--labels", shortLabels).Err);
    }

    [Fact]
    public void A_missing_file_is_one_line_and_exit_code_1()
    {
        (int code, _, string errors) = Run("fit", "--input", Path.Combine(Folder, "absent.csv"), "--k", "2");
        Assert.Equal(1, code);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.StartsWith("gpuem: error: ", errors);
    }

    [Theory]
    [InlineData("fit", "--input", "x.csv")]
    [InlineData("fit", "--input", "x.csv", "--k", "2", "--frobnicate", "1")]
    [InlineData("fit", "--input", "x.csv", "--k", "two")]
    [InlineData("fit", "--input", "x.csv", "--k", "2", "--covariance", "round")]
    [InlineData("fit", "--input", "x.csv", "--k", "2", "--tol", "-1")]
    [InlineData("fit", "--input", "x.csv", "--k", "2", "--backend", "tpu")]
    [InlineData("kmeans", "--k", "2")]
    [InlineData("transmogrify")]
    public void Usage_errors_exit_with_2_and_one_line(params string[] args)
    {
        (int code, _, string errors) = Run(args);
        Assert.Equal(2, code);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.StartsWith("gpuem: error: ", errors);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("help")]
    [InlineData("fit", "--help")]
    [InlineData("kmeans", "--help")]
    [InlineData("demo", "--help")]
    public void Help_exits_with_0(params string[] args)
    {
        (int code, string output, _) = Run(args);
        Assert.Equal(0, code);
        Assert.Contains("usage: gpuem", output);
    }

    [Fact]
    public void A_singular_fit_is_a_one_line_error_that_suggests_the_remedy()
    {
        string path = WriteCsv("constant.csv", string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},1\n")));
        (int code, _, string errors) = Run("fit", "--input", path, "--k", "1", "--reg", "0", "--backend", "reference");
        Assert.Equal(1, code);
        Assert.Contains("Increase --reg, reduce the number of components", errors);
        Assert.Single(errors.Trim().Split('\n'));
    }

    [Fact]
    public void The_real_program_runs_the_demo()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "gpuem.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { dll, "demo", "--backend", "reference" })
            start.ArgumentList.Add(arg);
        using Process process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        Assert.Contains("Old Faithful", output);
    }
}
