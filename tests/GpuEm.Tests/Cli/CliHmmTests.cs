using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuEm.Models.HiddenMarkov;
using GpuEm.Tests.Support;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace GpuEm.Tests.Cli;

/// <summary>
/// gpuem hmm fit|decode|score|sample and gpuem plot of a hidden Markov model, in process, on the
/// real series of samples/data (EuStockMarkets daily returns, the Nile's annual flow; see
/// samples/data/README-hmm.md) and on small seeded categorical and Poisson files. The fit's
/// printed log-likelihood is checked against a plain log-space forward algorithm run on the
/// parameters it printed; decode, score and sample against the library on the saved model.
/// </summary>
public sealed class CliHmmTests : TempFolderTests
{
    private static readonly string Data = Path.Combine(FindRepositoryRoot(), "samples", "data");

    public CliHmmTests()
        : base("gpuem-cli-hmm-")
    {
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => InProcess.Run(args);

    private static string EuStock => Path.Combine(Data, "eustock-returns.csv");

    private static string Nile => Path.Combine(Data, "nile.csv");

    private string Write(string name, string text)
    {
        string path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Fit_on_eustock_prints_the_documented_json_whose_likelihood_is_the_forward_algorithm_of_its_parameters()
    {
        string model = PathOf("eustock.json");
        (int code, string output, string errors) = Run(
            "hmm", "fit", "--input", EuStock, "--header", "--states", "2", "--emission", "gaussian", "--covariance", "full",
            "--seed", "3", "--backend", "reference", "--output", model);
        Assert.True(code == 0, errors);
        using JsonDocument json = JsonDocument.Parse(output);
        JsonElement root = json.RootElement;
        foreach (string key in new[]
        {
            "model", "n", "converged", "iterations", "backend", "topology", "states", "dimension", "sequences", "observedSteps",
            "logLikelihood", "freeParameters", "startProbabilities", "bic", "aic", "transitionMatrix", "means", "covariances",
        })
            Assert.True(root.TryGetProperty(key, out _), $"no {key} in {output}");
        Assert.Equal(HiddenMarkovModel.FormatName, root.GetProperty("model").GetString());
        Assert.Equal(1859, root.GetProperty("n").GetInt64());
        Assert.Equal(2, root.GetProperty("states").GetInt32());
        Assert.Equal(4, root.GetProperty("dimension").GetInt32());
        Assert.Equal(1, root.GetProperty("sequences").GetInt32());
        Assert.True(root.GetProperty("iterations").GetInt32() >= 1);

        double[] start = Vector(root.GetProperty("startProbabilities"));
        double[][] a = Matrix(root.GetProperty("transitionMatrix"));
        double[][] means = Matrix(root.GetProperty("means"));
        double[][][] covariances = root.GetProperty("covariances").EnumerateArray().Select(Matrix).ToArray();
        Assert.Equal(1.0, start.Sum(), 12);
        foreach (double[] row in a)
            Assert.Equal(1.0, row.Sum(), 12);
        float[,] rows = CsvMatrixReaderRows(EuStock, header: true);
        double oracle = ForwardLogLikelihood(rows, start, a, (t, k) => GaussianLogDensity(rows, t, means[k], covariances[k]));
        double printed = root.GetProperty("logLikelihood").GetDouble();
        Assert.Equal(oracle, printed, Math.Abs(oracle) * 1e-9);
        // Two regimes of volatility: the states' covariances differ (a calm and a turbulent one).
        double[] traces = covariances.Select(c => Enumerable.Range(0, 4).Sum(i => c[i][i])).ToArray();
        Assert.True(Math.Max(traces[0], traces[1]) > 1.5 * Math.Min(traces[0], traces[1]), $"traces {traces[0]}, {traces[1]}");
        long p = root.GetProperty("freeParameters").GetInt64();
        Assert.Equal(-2 * printed + p * Math.Log(1859), root.GetProperty("bic").GetDouble(), 1e-6);
        Assert.Equal(-2 * printed + 2 * p, root.GetProperty("aic").GetDouble(), 1e-6);

        // The saved model scores the same rows to the same log-likelihood, and decodes as the library.
        HiddenMarkovModel loaded = HiddenMarkovModel.Load(model);
        (code, output, errors) = Run("hmm", "score", "--model", model, "--input", EuStock, "--header");
        Assert.True(code == 0, errors);
        using JsonDocument score = JsonDocument.Parse(output);
        Assert.Equal(printed, score.RootElement.GetProperty("logLikelihood").GetDouble(), Math.Abs(printed) * 1e-12);
        Assert.Equal(loaded.Score(rows).LogLikelihood, score.RootElement.GetProperty("logLikelihood").GetDouble());
        (code, output, errors) = Run("hmm", "decode", "--model", model, "--input", EuStock, "--header");
        Assert.True(code == 0, errors);
        int[] states = Lines(output).Select(int.Parse).ToArray();
        Assert.Equal(loaded.Decode(rows).States, states);
        Assert.Equal(2, states.Distinct().Count());
    }

    [Fact]
    public void Nile_two_states_find_the_change_point_near_1898()
    {
        string model = PathOf("nile.json");
        (int code, string output, string errors) = Run(
            "hmm", "fit", "--input", Nile, "--header", "--states", "2", "--emission", "gaussian", "--seed", "1",
            "--backend", "reference", "--output", model);
        Assert.True(code == 0, errors);
        (code, output, errors) = Run("hmm", "decode", "--model", model, "--input", Nile, "--header");
        Assert.True(code == 0, errors);
        int[] states = Lines(output).Select(int.Parse).ToArray();
        Assert.Equal(100, states.Length);
        // Cobb (1978): a level shift near 1898 (row 27). The Viterbi path changes state once, there
        // within a few years, and the earlier state has the higher mean flow.
        int[] changes = Enumerable.Range(1, 99).Where(t => states[t] != states[t - 1]).ToArray();
        Assert.Single(changes);
        Assert.InRange(changes[0], 24, 31);
        HiddenMarkovModel loaded = HiddenMarkovModel.Load(model);
        Assert.True(loaded.Means![states[0], 0] > loaded.Means[states[99], 0] + 150, "the early flow is the higher");
    }

    [Fact]
    public void Decode_backend_runs_viterbi_on_a_device_and_refuses_it_with_proba()
    {
        string model = PathOf("nile-device.json");
        (int code, _, string errors) = Run(
            "hmm", "fit", "--input", Nile, "--header", "--states", "2", "--emission", "gaussian", "--seed", "1",
            "--backend", "reference", "--output", model);
        Assert.True(code == 0, errors);
        (code, string host, errors) = Run("hmm", "decode", "--model", model, "--input", Nile, "--header");
        Assert.True(code == 0, errors);
        (code, string device, errors) = Run(
            "hmm", "decode", "--model", model, "--input", Nile, "--header", "--backend", "cpu-accelerator");
        Assert.True(code == 0, errors);
        Assert.Equal(Lines(host), Lines(device));
        Assert.Equal(100, Lines(device).Length);
        (code, _, errors) = Run(
            "hmm", "decode", "--model", model, "--input", Nile, "--header", "--proba", "--backend", "cpu-accelerator");
        Assert.Equal(2, code);
        Assert.Contains("--proba runs on the host", errors);
    }

    [Fact]
    public void Lengths_cut_the_rows_into_sequences_for_fit_score_decode_and_proba()
    {
        string lengths = Write("lengths.txt", "# three sequences\n700\n\n659\n500\n");
        string model = PathOf("m.json");
        (int code, string output, string errors) = Run(
            "hmm", "fit", "--input", EuStock, "--header", "--lengths", lengths, "--states", "3", "--emission", "gaussian",
            "--covariance", "diag", "--backend", "reference", "--max-iter", "20", "--output", model);
        Assert.True(code == 0, errors);
        using JsonDocument fit = JsonDocument.Parse(output);
        Assert.Equal(3, fit.RootElement.GetProperty("sequences").GetInt32());
        (code, output, errors) = Run("hmm", "score", "--model", model, "--input", EuStock, "--header", "--lengths", lengths);
        Assert.True(code == 0, errors);
        using JsonDocument score = JsonDocument.Parse(output);
        double[] perSequence = Vector(score.RootElement.GetProperty("sequenceLogLikelihoods"));
        Assert.Equal(3, perSequence.Length);
        double total = score.RootElement.GetProperty("logLikelihood").GetDouble();
        Assert.Equal(total, perSequence.Sum(), Math.Abs(total) * 1e-12);
        Assert.Equal(fit.RootElement.GetProperty("logLikelihood").GetDouble(), total, Math.Abs(total) * 1e-9);

        // As one sequence the same rows score differently (the boundaries restart the chain at π).
        (code, output, _) = Run("hmm", "score", "--model", model, "--input", EuStock, "--header");
        Assert.Equal(0, code);
        using JsonDocument whole = JsonDocument.Parse(output);
        Assert.NotEqual(total, whole.RootElement.GetProperty("logLikelihood").GetDouble());

        string proba = PathOf("proba.csv");
        (code, _, errors) = Run("hmm", "decode", "--model", model, "--input", EuStock, "--header", "--lengths", lengths, "--proba", "--output", proba);
        Assert.True(code == 0, errors);
        string[] lines = Lines(File.ReadAllText(proba));
        Assert.Equal("p0,p1,p2", lines[0]);
        Assert.Equal(1860, lines.Length);
        HiddenMarkovModel loaded = HiddenMarkovModel.Load(model);
        double[,] expected = loaded.PredictProba(CsvMatrixReaderRows(EuStock, header: true), [700, 659, 500]);
        for (int t = 1; t < lines.Length; t++)
        {
            double[] p = lines[t].Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(1.0, p.Sum(), 9);
            for (int k = 0; k < 3; k++)
                Assert.Equal(expected[t - 1, k], p[k]);
        }
    }

    [Fact]
    public void Bad_lengths_are_data_errors_that_name_the_file_and_line()
    {
        string short_ = Write("short.txt", "1000\n800\n");
        (int code, _, string errors) = Run(
            "hmm", "fit", "--input", EuStock, "--header", "--lengths", short_, "--states", "2", "--emission", "gaussian");
        Assert.Equal(1, code);
        Assert.Contains("short.txt", errors);
        Assert.Contains("1,800", errors.Replace("1800", "1,800", StringComparison.Ordinal));

        string zero = Write("zero.txt", "1859\n0\n");
        (code, _, errors) = Run("hmm", "fit", "--input", EuStock, "--header", "--lengths", zero, "--states", "2", "--emission", "gaussian");
        Assert.Equal(1, code);
        Assert.Contains("zero.txt", errors);
        Assert.Contains("line 2", errors);

        (code, _, errors) = Run("hmm", "fit", "--input", EuStock, "--header", "--lengths", PathOf("absent.txt"), "--states", "2", "--emission", "gaussian");
        Assert.Equal(1, code);
        Assert.Contains("absent.txt", errors);
        Assert.DoesNotContain("   at ", errors);
    }

    [Fact]
    public void Categorical_fit_prints_emission_probabilities_and_rejects_a_symbol_out_of_range()
    {
        // Two sticky states over 3 symbols, seeded.
        var random = new Random(5);
        var text = new StringBuilder();
        int state = 0;
        for (int t = 0; t < 600; t++)
        {
            if (random.NextDouble() < 0.05)
                state = 1 - state;
            int symbol = state == 0 ? (random.NextDouble() < 0.8 ? 0 : 1) : (random.NextDouble() < 0.8 ? 2 : 1);
            text.Append(symbol).Append('\n');
        }
        string symbols = Write("symbols.csv", text.ToString());
        (int code, string output, string errors) = Run(
            "hmm", "fit", "--input", symbols, "--states", "2", "--emission", "categorical", "--seed", "2", "--backend", "reference");
        Assert.True(code == 0, errors);
        using JsonDocument json = JsonDocument.Parse(output);
        double[][] e = Matrix(json.RootElement.GetProperty("emissionProbabilities"));
        Assert.Equal(2, e.Length);
        Assert.All(e, row => Assert.Equal(3, row.Length));
        Assert.All(e, row => Assert.Equal(1.0, row.Sum(), 9));
        Assert.False(json.RootElement.TryGetProperty("means", out _));
        // The states split symbol 0 from symbol 2.
        Assert.True(Math.Abs(e[0][0] - e[1][0]) > 0.5 && Math.Abs(e[0][2] - e[1][2]) > 0.5, output);

        string bad = Write("bad.csv", "0\n1\n2\n1.5\n");
        (code, _, errors) = Run("hmm", "fit", "--input", bad, "--states", "2", "--emission", "categorical");
        Assert.Equal(1, code);
        Assert.Contains("bad.csv", errors);
        string large = Write("large.csv", "0\n1\n2\n");
        (code, _, errors) = Run("hmm", "fit", "--input", large, "--states", "2", "--emission", "categorical", "--symbols", "2");
        Assert.Equal(1, code);
        Assert.Contains("large.csv", errors);
    }

    [Fact]
    public void Poisson_left_right_fit_keeps_zeros_below_the_diagonal_and_rejects_negative_counts()
    {
        var random = new Random(8);
        var text = new StringBuilder();
        double[] rates = [2, 9, 20];
        for (int t = 0; t < 300; t++)
        {
            int state = t * 3 / 300;
            text.Append(Poisson(random, rates[state])).Append('\n');
        }
        string counts = Write("counts.csv", text.ToString());
        (int code, string output, string errors) = Run(
            "hmm", "fit", "--input", counts, "--states", "3", "--emission", "poisson", "--topology", "left-right",
            "--seed", "1", "--backend", "reference");
        Assert.True(code == 0, errors);
        using JsonDocument json = JsonDocument.Parse(output);
        Assert.Equal("left-right", json.RootElement.GetProperty("topology").GetString());
        double[][] a = Matrix(json.RootElement.GetProperty("transitionMatrix"));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < i; j++)
                Assert.Equal(0.0, a[i][j]);
        double[] start = Vector(json.RootElement.GetProperty("startProbabilities"));
        Assert.Equal([1.0, 0.0, 0.0], start);
        double[] fitted = Matrix(json.RootElement.GetProperty("rates")).Select(r => r[0]).ToArray();
        for (int k = 0; k < 3; k++)
            Assert.InRange(fitted[k], rates[k] * 0.7, rates[k] * 1.3);

        string negative = Write("negative.csv", "1\n-2\n3\n");
        (code, _, errors) = Run("hmm", "fit", "--input", negative, "--states", "2", "--emission", "poisson");
        Assert.Equal(1, code);
        Assert.Contains("negative.csv", errors);
    }

    [Fact]
    public void Sample_writes_rows_and_states_that_follow_the_seed()
    {
        string model = PathOf("m.json");
        (int code, _, string errors) = Run(
            "hmm", "fit", "--input", Nile, "--header", "--states", "2", "--emission", "gaussian", "--backend", "reference", "--output", model);
        Assert.True(code == 0, errors);
        string rows = PathOf("rows.csv");
        string states = PathOf("states.txt");
        (code, _, errors) = Run("hmm", "sample", "--model", model, "--length", "40", "--sequences", "3", "--seed", "4", "--output", rows, "--states-output", states);
        Assert.True(code == 0, errors);
        string[] rowLines = Lines(File.ReadAllText(rows));
        int[] stateLines = Lines(File.ReadAllText(states)).Select(int.Parse).ToArray();
        Assert.Equal(120, rowLines.Length);
        Assert.Equal(120, stateLines.Length);
        Assert.All(stateLines, s => Assert.InRange(s, 0, 1));
        HmmSample expected = HiddenMarkovModel.Load(model).Sample([40, 40, 40], 4);
        Assert.Equal(expected.States, stateLines);
        for (int t = 0; t < 120; t++)
            Assert.Equal(expected.Rows[t, 0], float.Parse(rowLines[t], CultureInfo.InvariantCulture));
        (code, string again, _) = Run("hmm", "sample", "--model", model, "--length", "40", "--sequences", "3", "--seed", "4");
        Assert.Equal(0, code);
        Assert.Equal(File.ReadAllText(rows), again);

        (code, _, errors) = Run("hmm", "sample", "--model", model, "--length", "40", "--lengths", states);
        Assert.Equal(2, code);
        Assert.Contains("not both", errors);
        (code, _, errors) = Run("hmm", "sample", "--model", model);
        Assert.Equal(2, code);
        Assert.Contains("--length", errors);
    }

    [Fact]
    public void Usage_errors_name_the_option()
    {
        (int code, _, string errors) = Run("hmm", "fit", "--input", Nile, "--header", "--states", "2");
        Assert.Equal(2, code);
        Assert.Contains("--emission", errors);
        (code, _, errors) = Run("hmm", "fit", "--input", Nile, "--header", "--states", "2", "--emission", "poisson", "--covariance", "full");
        Assert.Equal(2, code);
        Assert.Contains("--covariance applies to gaussian and gmm", errors);
        (code, _, errors) = Run("hmm", "fit", "--input", Nile, "--header", "--states", "2", "--emission", "gaussian", "--max-jump", "2");
        Assert.Equal(2, code);
        Assert.Contains("--max-jump", errors);
        (code, _, errors) = Run("hmm");
        Assert.Equal(2, code);
        Assert.Contains("subcommand", errors);
        (code, string help, _) = Run("hmm", "fit", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--emission gaussian|gmm|categorical|poisson", help);

        // A model of another kind is refused by decode with what it is.
        string csv = Write("x.csv", "1,2\n3,4\n5,6\n7,9\n");
        string gmm = PathOf("gmm.json");
        (code, _, errors) = Run("fit", "--input", csv, "--k", "2", "--backend", "reference", "--output", gmm);
        Assert.True(code == 0, errors);
        (code, _, errors) = Run("hmm", "decode", "--model", gmm, "--input", csv);
        Assert.Equal(2, code);
        Assert.Contains("not a hidden Markov model", errors);
    }

    [Fact]
    public void Plot_of_a_fitted_hmm_writes_a_png_with_the_series_and_the_transition_matrix()
    {
        string model = PathOf("m.json");
        (int code, _, string errors) = Run(
            "hmm", "fit", "--input", Nile, "--header", "--states", "2", "--emission", "gaussian", "--backend", "reference", "--output", model);
        Assert.True(code == 0, errors);
        string png = PathOf("nile.png");
        (code, _, errors) = Run("plot", "--model", model, "--input", Nile, "--header", "--out", png, "--width", "640", "--height", "400");
        Assert.True(code == 0, errors);
        byte[] bytes = File.ReadAllBytes(png);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.Equal(640, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(400, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        string wrong = Write("wrong.txt", "50\n");
        (code, _, errors) = Run("plot", "--model", model, "--input", Nile, "--header", "--out", png, "--lengths", wrong);
        Assert.Equal(1, code);
        Assert.Contains("wrong.txt", errors);
    }

    // A plain log-space forward algorithm over one sequence: log Σ_paths π·Π A·Π b.
    private static double ForwardLogLikelihood(float[,] rows, double[] start, double[][] a, Func<int, int, double> logB)
    {
        int k = start.Length;
        double[] alpha = Enumerable.Range(0, k).Select(j => Math.Log(start[j]) + logB(0, j)).ToArray();
        for (int t = 1; t < rows.GetLength(0); t++)
        {
            double[] next = new double[k];
            for (int j = 0; j < k; j++)
                next[j] = LogSumExp(Enumerable.Range(0, k).Select(i => alpha[i] + Math.Log(a[i][j]))) + logB(t, j);
            alpha = next;
        }
        return LogSumExp(alpha);
    }

    private static double LogSumExp(IEnumerable<double> values)
    {
        double[] v = values.ToArray();
        double max = v.Max();
        return double.IsNegativeInfinity(max) ? max : max + Math.Log(v.Sum(x => Math.Exp(x - max)));
    }

    private static double GaussianLogDensity(float[,] rows, int t, double[] mean, double[][] covariance)
    {
        int d = mean.Length;
        Matrix<double> sigma = Matrix<double>.Build.Dense(d, d, (i, j) => covariance[i][j]);
        var cholesky = sigma.Cholesky();
        Vector<double> diff = Vector<double>.Build.Dense(d, i => rows[t, i] - mean[i]);
        Vector<double> solved = cholesky.Solve(diff);
        return -0.5 * (d * Math.Log(2 * Math.PI) + cholesky.DeterminantLn + diff.DotProduct(solved));
    }

    private static int Poisson(Random random, double rate)
    {
        double limit = Math.Exp(-rate), product = random.NextDouble();
        int count = 0;
        while (product > limit)
        {
            product *= random.NextDouble();
            count++;
        }
        return count;
    }

    private static float[,] CsvMatrixReaderRows(string path, bool header)
    {
        string[] lines = File.ReadAllLines(path).Skip(header ? 1 : 0).Where(l => l.Length > 0).ToArray();
        int d = lines[0].Split(',').Length;
        var rows = new float[lines.Length, d];
        for (int t = 0; t < lines.Length; t++)
        {
            string[] cells = lines[t].Split(',');
            for (int j = 0; j < d; j++)
                rows[t, j] = float.Parse(cells[j], CultureInfo.InvariantCulture);
        }
        return rows;
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static double[] Vector(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static double[][] Matrix(JsonElement e) => e.EnumerateArray().Select(Vector).ToArray();

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GpuEm.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("GpuEm.sln not found above " + AppContext.BaseDirectory);
    }
}
