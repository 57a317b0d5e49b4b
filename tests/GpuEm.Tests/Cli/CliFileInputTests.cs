using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuEm.Cli;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Cli;

/// <summary>
/// fit, kmeans, predict and score on .npy and raw float32 inputs: the same numbers as the same
/// data as CSV (the reference backend, so the runs are exactly reproducible), and the errors.
/// </summary>
public sealed class CliFileInputTests : TempFolderTests
{
    public CliFileInputTests()
        : base("gpuem-cli-files-")
    {
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => InProcess.Run(args);


    // Two blobs, 300 × 3, with NaN cells where asked.
    private static float[,] Blobs(bool withHoles = false)
    {
        var random = new Random(17);
        var data = new float[300, 3];
        for (int i = 0; i < 300; i++)
        {
            double centre = i % 2 == 0 ? 0 : 7;
            for (int j = 0; j < 3; j++)
                data[i, j] = (float)(centre + j + Synthetic.Normal(random));
            if (withHoles && i % 11 == 4)
                data[i, i % 3] = float.NaN;
        }
        return data;
    }

    // The same data as a headerless CSV ("R": the floats parse back exactly), .npy and raw .f32.
    private (string Csv, string Npy, string Npy64, string Raw) Files(float[,] data, string stem = "blobs")
    {
        var text = new StringBuilder();
        for (int i = 0; i < data.GetLength(0); i++)
        {
            for (int j = 0; j < data.GetLength(1); j++)
            {
                if (j > 0)
                    text.Append(',');
                text.Append(data[i, j].ToString("R", CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        File.WriteAllText(PathOf(stem + ".csv"), text.ToString());
        NpyFile.Write(PathOf(stem + ".npy"), data);
        NpyFile.Write(PathOf(stem + "64.npy"), data, asDouble: true);
        File.WriteAllBytes(PathOf(stem + ".f32"), NpyFile.Floats(data));
        return (PathOf(stem + ".csv"), PathOf(stem + ".npy"), PathOf(stem + "64.npy"), PathOf(stem + ".f32"));
    }

    // The input arguments of a file: raw float32 needs its column count.
    private static string[] Input(string path) =>
        path.EndsWith(".f32", StringComparison.Ordinal) ? ["--input", path, "--columns", "3"] : ["--input", path];

    private static JsonElement Json(string output)
    {
        using JsonDocument document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }

    // Every field of two JSON objects but the timing.
    private static void AssertSameNumbers(JsonElement expected, JsonElement actual)
    {
        foreach (JsonProperty field in expected.EnumerateObject())
            if (field.Name != "seconds")
                Assert.Equal(field.Value.GetRawText(), actual.GetProperty(field.Name).GetRawText());
    }

    private static (int Code, string Out, string Err) Fit(string path, params string[] more) =>
        Run(["fit", .. Input(path), "--k", "2", "--backend", "reference", "--seed", "3", "--covariance", "diag", .. more]);

    [Fact]
    public void Fit_on_npy_and_raw_files_prints_the_numbers_of_the_same_csv()
    {
        (string csv, string npy, string npy64, string raw) = Files(Blobs());
        (int code, string output, string errors) = Fit(csv);
        Assert.True(code == 0, errors);
        JsonElement expected = Json(output);
        Assert.Equal(300, expected.GetProperty("n").GetInt32());
        Assert.Equal(3, expected.GetProperty("d").GetInt32());
        // The two blobs centred at (0, 1, 2) and (7, 8, 9), in either order.
        double[] firstCoordinates = expected.GetProperty("means").EnumerateArray().Select(m => m[0].GetDouble()).Order().ToArray();
        Assert.InRange(firstCoordinates[0], -0.3, 0.3);
        Assert.InRange(firstCoordinates[1], 6.7, 7.3);
        foreach (string file in new[] { npy, npy64, raw })
        {
            (code, output, errors) = Fit(file);
            Assert.True(code == 0, errors);
            Assert.Equal("", errors);
            // Exactly: the same floats reach the same reference engine; BIC and AIC included.
            AssertSameNumbers(expected, Json(output));
        }
    }

    [Fact]
    public void Kmeans_on_npy_and_raw_files_prints_the_inertia_and_centres_of_the_same_csv()
    {
        (string csv, string npy, _, string raw) = Files(Blobs());
        string[] options = ["--k", "2", "--backend", "reference", "--seed", "4"];
        (int code, string output, string errors) = Run(["kmeans", "--input", csv, .. options]);
        Assert.True(code == 0, errors);
        JsonElement expected = Json(output);
        Assert.InRange(expected.GetProperty("inertia").GetDouble(), 600, 1200); // ≈ 300 points × 3 unit variances
        foreach (string file in new[] { npy, raw })
        {
            (code, output, errors) = Run(["kmeans", .. Input(file), .. options]);
            Assert.True(code == 0, errors);
            AssertSameNumbers(expected, Json(output));
        }
    }

    [Fact]
    public void Predict_and_score_on_npy_and_raw_files_match_the_same_csv_for_both_model_kinds()
    {
        (string csv, string npy, string npy64, string raw) = Files(Blobs());
        string mixture = PathOf("gmm.json");
        string kmeans = PathOf("km.json");
        Assert.Equal(0, Fit(csv, "--output", mixture).Code);
        Assert.Equal(0, Run("kmeans", "--input", csv, "--k", "2", "--backend", "reference", "--output", kmeans).Code);
        foreach (string model in new[] { mixture, kmeans })
        {
            string labels = Run("predict", "--model", model, "--input", csv).Out;
            string[] lines = labels.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(300, lines.Length);
            // Even rows are one blob, odd rows the other.
            Assert.Equal(2, lines.Distinct().Count());
            Assert.All(lines.Where((_, i) => i % 2 == 0), l => Assert.Equal(lines[0], l));
            JsonElement score = Json(Run("score", "--model", model, "--input", csv).Out);
            Assert.Equal(300, score.GetProperty("n").GetInt32());
            foreach (string file in new[] { npy, npy64, raw })
            {
                Assert.Equal(labels, Run(["predict", "--model", model, .. Input(file)]).Out);
                (int code, string output, string errors) = Run(["score", "--model", model, .. Input(file)]);
                Assert.True(code == 0, errors);
                AssertSameNumbers(score, Json(output));
            }
        }
        string probabilities = Run("predict", "--model", mixture, "--input", csv, "--proba").Out;
        Assert.Equal(300, probabilities.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(probabilities, Run("predict", "--model", mixture, "--input", npy, "--proba").Out);
        Assert.Equal(probabilities, Run("predict", "--model", mixture, "--input", raw, "--columns", "3", "--proba").Out);
        Assert.Equal(2, Run("predict", "--model", kmeans, "--input", npy, "--proba").Code);
    }

    [Fact]
    public void Predict_and_score_of_more_rows_than_one_chunk_match_the_csv()
    {
        (string csv, _, _, _) = Files(Blobs());
        string model = PathOf("gmm.json");
        Assert.Equal(0, Fit(csv, "--output", model).Code);
        // 70 000 rows: one full chunk of 65 536 and a partial one.
        (string bigCsv, string bigNpy, _, _) = Files(Synthetic.Gaussian(70_000, 3, seed: 8, scale: 4, offset: 3), "big");
        foreach (string[] command in new[] { new[] { "predict" }, ["predict", "--proba"], ["score"] })
        {
            (int code, string expected, string errors) = Run([.. command, "--model", model, "--input", bigCsv]);
            Assert.True(code == 0, errors);
            Assert.Equal(expected, Run([.. command, "--model", model, "--input", bigNpy]).Out);
        }
        Assert.Equal(70_000, Run("predict", "--model", model, "--input", bigNpy).Out.Count(c => c == '\n'));
    }

    [Fact]
    public void NaN_in_a_binary_file_is_missing_with_marginalize_and_an_error_without()
    {
        (string csv, string npy, _, string raw) = Files(Blobs(withHoles: true), "holes");
        (int code, string output, string errors) = Fit(csv, "--missing", "marginalize");
        Assert.True(code == 0, errors);
        JsonElement expected = Json(output);
        foreach (string file in new[] { npy, raw })
        {
            (code, output, errors) = Fit(file, "--missing", "marginalize");
            Assert.True(code == 0, errors);
            AssertSameNumbers(expected, Json(output));

            (code, output, errors) = Fit(file);
            Assert.Equal(1, code);
            Assert.Equal("", output);
            string description = file.EndsWith(".npy", StringComparison.Ordinal) ? "holes.npy (float32 .npy, 300 × 3)" : "holes.f32 (raw float32, 300 × 3)";
            Assert.Equal(
                $"gpuem: error: The {description} holds NaN at row 4, column 1 (zero-based); every value must be finite. " +
                "Remove or impute that entry. (For missing values use --missing marginalize.)",
                errors.Trim());
        }

        // k-means has no missing values: the library's message, without the hint.
        Assert.Equal(
            "gpuem: error: The holes.npy (float32 .npy, 300 × 3) holds NaN at row 4, column 1 (zero-based); " +
            "every value must be finite. Remove or impute that entry.",
            Run("kmeans", "--input", npy, "--k", "2", "--backend", "reference").Err.Trim());

        string model = PathOf("holes.json");
        Assert.Equal(0, Fit(csv, "--missing", "marginalize", "--output", model).Code);
        string labels = Run("predict", "--model", model, "--input", csv, "--missing", "marginalize").Out;
        JsonElement score = Json(Run("score", "--model", model, "--input", csv, "--missing", "marginalize").Out);
        Assert.Equal(300, labels.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(labels, Run("predict", "--model", model, "--input", npy, "--missing", "marginalize").Out);
        AssertSameNumbers(score, Json(Run("score", "--model", model, "--input", npy, "--missing", "marginalize").Out));
        foreach (string command in new[] { "predict", "score" })
        {
            (code, output, errors) = Run(command, "--model", model, "--input", npy);
            Assert.Equal(1, code);
            Assert.Equal("", output);
            Assert.Equal(
                "gpuem: error: holes.npy (float32 .npy, 300 × 3) holds NaN at row 4, column 1 (zero-based); " +
                "values must be finite (for missing values use --missing marginalize).",
                errors.Trim());
        }
    }

    [Fact]
    public void Fit_takes_partial_labels_for_a_binary_file()
    {
        (string csv, string npy, _, _) = Files(Blobs());
        File.WriteAllLines(PathOf("labels.txt"), Enumerable.Range(0, 300).Select(i => i % 10 == 0 ? (i % 2).ToString(CultureInfo.InvariantCulture) : "-1"));
        (int code, string output, string errors) = Fit(csv, "--labels", PathOf("labels.txt"));
        Assert.True(code == 0, errors);
        JsonElement expected = Json(output);
        // Label 0 on even rows: component 0 is the blob at the origin.
        Assert.InRange(expected.GetProperty("means")[0][0].GetDouble(), -0.3, 0.3);
        (code, output, errors) = Fit(npy, "--labels", PathOf("labels.txt"));
        Assert.True(code == 0, errors);
        AssertSameNumbers(expected, Json(output));
        File.WriteAllLines(PathOf("short.txt"), ["0", "1"]);
        Assert.Contains("2 labels for 300 data rows", Fit(npy, "--labels", PathOf("short.txt")).Err);
    }

    [Theory]
    [InlineData("fit")]
    [InlineData("kmeans")]
    public void The_device_memory_limit_reaches_the_estimator_and_a_bad_one_is_a_usage_error(string command)
    {
        (_, string npy, _, _) = Files(Blobs());
        string[] fit = [command, "--input", npy, "--k", "2", "--seed", "3"];
        foreach (string bad in new[] { "0", "-5", "lots", "1.5", "1e9" })
        {
            (int code, string output, string errors) = Run([.. fit, "--device-memory-limit", bad]);
            Assert.Equal(2, code);
            Assert.Equal("", output);
            Assert.Equal($"gpuem: error: --device-memory-limit '{bad}' is not a positive whole number of bytes", errors.Trim());
        }
        // The reference engine ignores the limit: the same numbers as without it.
        JsonElement expected = Json(Run([.. fit, "--backend", "reference"]).Out);
        (int ok, string limited, string notes) = Run([.. fit, "--backend", "reference", "--device-memory-limit", "1000000"]);
        Assert.True(ok == 0, notes);
        AssertSameNumbers(expected, Json(limited));
        // On an accelerator 100 bytes cannot hold the model: the estimator's own error names the limit.
        (int failed, _, string error) = Run([.. fit, "--backend", "cpu-accelerator", "--device-memory-limit", "100"]);
        Assert.Equal(1, failed);
        Assert.Contains("--device-memory-limit", error);
    }

    [Fact]
    public void A_raw_file_needs_columns_and_other_files_refuse_a_count()
    {
        (string csv, string npy, _, string raw) = Files(Blobs());
        foreach (string[] args in new[]
        {
            new[] { "fit", "--input", raw, "--k", "2" },
            ["kmeans", "--input", raw, "--k", "2", "--columns", "0"],
            ["predict", "--model", "m.json", "--input", raw],
            ["score", "--model", "m.json", "--input", raw, "--columns", "-3"],
        })
        {
            (int code, string output, string errors) = Run(args);
            Assert.Equal(2, code);
            Assert.Equal("", output);
            Assert.Equal("gpuem: error: --columns D (≥ 1) is required for the raw float32 input blobs.f32", errors.Trim());
        }
        Assert.Equal("gpuem: error: --columns 'three' is not an integer",
            Run("fit", "--input", raw, "--columns", "three", "--k", "2").Err.Trim());
        (int csvCode, _, string csvErrors) = Run("fit", "--input", csv, "--columns", "3", "--k", "2");
        Assert.Equal(2, csvCode);
        Assert.Contains("--columns NAME,… on a CSV input needs --header", csvErrors);
        (int npyCode, _, string npyErrors) = Run("fit", "--input", npy, "--columns", "3", "--k", "2");
        Assert.Equal(2, npyCode);
        Assert.Contains("--columns does not apply to .npy inputs", npyErrors);
    }

    [Fact]
    public void Missing_truncated_corrupt_and_mis_sized_files_are_one_line_errors_with_exit_code_1()
    {
        (_, string npy, _, string raw) = Files(Blobs());
        byte[] whole = File.ReadAllBytes(npy);
        File.WriteAllBytes(PathOf("short.npy"), whole[..^10]);
        File.WriteAllBytes(PathOf("text.npy"), Encoding.ASCII.GetBytes("1,2,3\n4,5,6\n"));
        NpyFile.Write(PathOf("ints.npy"), "<i4", "(2, 2)", new byte[16]);
        NpyFile.Write(PathOf("shape.npy"), "<f4", "(2, two)", new byte[16]);
        var cases = new (string[] Args, string Message)[]
        {
            (["fit", "--input", PathOf("absent.npy"), "--k", "2"], $"gpuem: error: The data file {PathOf("absent.npy")} does not exist."),
            (["kmeans", "--input", PathOf("absent.f32"), "--columns", "3", "--k", "2"], $"gpuem: error: The data file {PathOf("absent.f32")} does not exist."),
            (["fit", "--input", PathOf("short.npy"), "--k", "2"], "gpuem: error: short.npy is truncated: its shape (300, 3) needs 3,728 bytes, the file has 3,718."),
            (["fit", "--input", PathOf("text.npy"), "--k", "2"], "gpuem: error: text.npy is not a NumPy .npy file (its first bytes are not \\x93NUMPY)."),
            (["fit", "--input", PathOf("ints.npy"), "--k", "2"], "gpuem: error: ints.npy has dtype '<i4'; GpuEm reads little-endian float32 ('<f4') or float64 ('<f8'). Convert it with x.astype(np.float32)."),
            (["fit", "--input", PathOf("shape.npy"), "--k", "2"], "gpuem: error: shape.npy has shape (2, two); 'two' is not a dimension."),
            // 300 × 3 floats are 3 600 bytes, not a multiple of 4 × 7.
            (["kmeans", "--input", raw, "--columns", "7", "--k", "2"], "gpuem: error: blobs.f32 has 3,600 bytes, not a positive multiple of 28 (4 bytes × 7 columns): wrong --columns, or a truncated file."),
        };
        foreach ((string[] args, string message) in cases)
        {
            (int code, string output, string errors) = Run(args);
            Assert.Equal(1, code);
            Assert.Equal("", output);
            Assert.Equal(message, errors.Trim());
        }
        // A model of 3 columns and a file of 4: named before anything is predicted.
        string model = PathOf("m.json");
        Assert.Equal(0, Fit(npy, "--output", model).Code);
        File.WriteAllBytes(PathOf("wide.f32"), new byte[4 * 4 * 5]);
        (int wrongCode, string wrongOut, string wrongErr) = Run("predict", "--model", model, "--input", PathOf("wide.f32"), "--columns", "4");
        Assert.Equal((1, ""), (wrongCode, wrongOut));
        Assert.Equal("gpuem: error: wide.f32 (raw float32, 5 × 4) has 4 columns but the model was fitted on 3.", wrongErr.Trim());
    }

    [Theory]
    [InlineData("fit")]
    [InlineData("kmeans")]
    [InlineData("predict")]
    [InlineData("score")]
    [InlineData("select")]
    public void Help_describes_the_file_formats_and_the_new_options(string command)
    {
        (int code, string output, _) = Run(command, "--help");
        Assert.Equal(0, code);
        Assert.Contains("--columns D", output);
        Assert.Contains(".npy is a NumPy array", output);
        Assert.Contains("[--columns D|NAME,…] [--header] [--delimiter C]", output);
        Assert.Contains(".parquet (Parquet) and .arrow, .feather", output);
        Assert.Contains("FILE - reads CSV from standard input", output);
        if (command is "fit" or "kmeans")
            Assert.Contains("--device-memory-limit BYTES", output);
    }
}
