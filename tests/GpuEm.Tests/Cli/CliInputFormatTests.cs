using System.Globalization;
using System.Text;
using System.Text.Json;
using GpuEm.Tests.Support;
using Xunit;
using TableColumn = GpuEm.Tests.Support.TableColumn;

namespace GpuEm.Tests.Cli;

/// <summary>
/// The CLI's other inputs: Parquet and Arrow tables (with --columns NAME,…), CSV with --header,
/// --delimiter and standard input, every input in plot and select, and binary files that are
/// none of these refused as "unsupported format". Each gives the same numbers as the plain CSV of
/// the same floats (the reference backend, so runs are exactly reproducible).
/// </summary>
public sealed class CliInputFormatTests : TempFolderTests
{
    public CliInputFormatTests()
        : base("gpuem-cli-formats-")
    {
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => InProcess.Run(args);

    private const string Unsupported = "(gpuem reads CSV, .npy, .f32/.raw, .parquet, .arrow).";

    // Two blobs, 200 × 3, with NaN cells where asked.
    private static float[,] Blobs(bool withHoles = false)
    {
        var random = new Random(23);
        var data = new float[200, 3];
        for (int i = 0; i < 200; i++)
        {
            for (int j = 0; j < 3; j++)
                data[i, j] = (float)((i % 2 == 0 ? 0 : 6) + j + Synthetic.Normal(random));
            if (withHoles && i % 13 == 5)
                data[i, (i / 13) % 3] = float.NaN;
        }
        return data;
    }

    private static string CsvText(float[,] data, char delimiter = ',', string? header = null)
    {
        var text = new StringBuilder();
        if (header is not null)
            text.Append(header).Append('\n');
        for (int i = 0; i < data.GetLength(0); i++)
        {
            for (int j = 0; j < data.GetLength(1); j++)
            {
                if (j > 0)
                    text.Append(delimiter);
                if (!float.IsNaN(data[i, j]))
                    text.Append(data[i, j].ToString("R", CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    private string Csv(float[,] data, string name = "blobs.csv")
    {
        File.WriteAllText(PathOf(name), CsvText(data));
        return PathOf(name);
    }

    // The blobs' columns as x, y, z, with a string column first that --columns leaves out.
    private static TableColumn[] Columns(float[,] data) =>
        [new("label", typeof(string), Enumerable.Range(0, data.GetLength(0)).Select(i => (object?)$"point {i}").ToArray()),
         .. TableColumn.Of(data, ["x", "y", "z"])];

    private async Task<string[]> Tables(float[,] data) =>
    [
        await TableFiles.WriteParquetAsync(PathOf("blobs.parquet"), Columns(data), groupRows: 64),
        TableFiles.WriteArrow(PathOf("blobs.arrow"), Columns(data), batchRows: 64),
        TableFiles.WriteArrow(PathOf("blobs.feather"), Columns(data), batchRows: 50, compressed: true),
    ];

    private static JsonElement Json(string output)
    {
        using JsonDocument document = JsonDocument.Parse(output);
        return document.RootElement.Clone();
    }

    // Every field of two JSON objects but the timing.
    private static void AssertSameNumbers(string expected, (int Code, string Out, string Err) actual)
    {
        Assert.True(actual.Code == 0, actual.Err);
        JsonElement a = Json(actual.Out);
        foreach (JsonProperty field in Json(expected).EnumerateObject())
            if (field.Name != "seconds")
                Assert.Equal(field.Value.GetRawText(), a.GetProperty(field.Name).GetRawText());
    }

    private static readonly string[] FitOptions = ["--k", "2", "--backend", "reference", "--seed", "3", "--covariance", "diag"];

    [Fact]
    public async Task Fit_kmeans_predict_and_score_on_parquet_and_arrow_match_the_same_csv()
    {
        float[,] data = Blobs();
        string csv = Csv(data);
        string mixture = PathOf("gmm.json");
        (int code, string fit, string errors) = Run(["fit", "--input", csv, .. FitOptions, "--output", mixture]);
        Assert.True(code == 0, errors);
        string kmeans = Run("kmeans", "--input", csv, "--k", "2", "--backend", "reference").Out;
        string labels = Run("predict", "--model", mixture, "--input", csv).Out;
        string probabilities = Run("predict", "--model", mixture, "--input", csv, "--proba").Out;
        string score = Run("score", "--model", mixture, "--input", csv).Out;
        Assert.Equal(200, labels.Count(c => c == '\n'));
        foreach (string table in await Tables(data))
        {
            string[] input = ["--input", table, "--columns", "x,y,z"];
            AssertSameNumbers(fit, Run(["fit", .. input, .. FitOptions]));
            AssertSameNumbers(kmeans, Run(["kmeans", .. input, "--k", "2", "--backend", "reference"]));
            Assert.Equal(labels, Run(["predict", "--model", mixture, .. input]).Out);
            Assert.Equal(probabilities, Run(["predict", "--model", mixture, .. input, "--proba"]).Out);
            AssertSameNumbers(score, Run(["score", "--model", mixture, .. input]));
        }
    }

    [Fact]
    public async Task Nulls_in_a_table_are_missing_values_with_marginalize_and_an_error_without()
    {
        float[,] data = Blobs(withHoles: true);
        string csv = Csv(data, "holes.csv");
        string fit = Run(["fit", "--input", csv, .. FitOptions, "--missing", "marginalize"]).Out;
        string parquet = await TableFiles.WriteParquetAsync(PathOf("holes.parquet"), TableColumn.Of(data), groupRows: 30);
        AssertSameNumbers(fit, Run(["fit", "--input", parquet, .. FitOptions, "--missing", "marginalize"]));
        (int code, string output, string errors) = Run(["fit", "--input", parquet, .. FitOptions]);
        Assert.Equal((1, ""), (code, output));
        Assert.Equal(
            "gpuem: error: The holes.parquet (Parquet, 200 × 3) holds NaN at row 5, column 0 (zero-based); every value must be finite. " +
            "Remove or impute that entry. (For missing values use --missing marginalize.)",
            errors.Trim());
    }

    [Fact]
    public async Task Table_columns_are_chosen_by_name_and_a_bad_choice_names_the_column()
    {
        float[,] data = Blobs();
        string[] tables = await Tables(data);
        foreach (string table in tables)
        {
            string name = Path.GetFileName(table);
            (int code, string output, string errors) = Run(["fit", "--input", table, .. FitOptions]);
            Assert.Equal((1, ""), (code, output));
            Assert.Contains($"gpuem: error: {name}: the column 'label' is a string column, not numeric", errors);
            Assert.Contains("--columns NAME,…", errors);
            Assert.Contains("Its numeric columns: 'x', 'y', 'z'.", errors);
            (code, _, errors) = Run(["fit", "--input", table, "--columns", "x,label", .. FitOptions]);
            Assert.Equal(1, code);
            Assert.Contains("the column 'label' is a string column, not numeric", errors);
            (code, _, errors) = Run(["kmeans", "--input", table, "--columns", "x,Y", "--k", "2"]);
            Assert.Equal(2, code);
            Assert.Equal(
                $"gpuem: error: --columns: {name} has no column 'Y' (names are case-sensitive: did you mean 'y'?); its columns are 'label', 'x', 'y', 'z'",
                errors.Trim());
            (code, _, errors) = Run(["fit", "--input", table, "--columns", "x,,y", .. FitOptions]);
            Assert.Equal(2, code);
            Assert.Contains("has an empty name", errors);
            (code, _, errors) = Run(["fit", "--input", table, "--columns", "x,y", "--header", .. FitOptions]);
            Assert.Equal(2, code);
            Assert.Contains("--header and --delimiter apply to CSV inputs", errors);
        }
        // Two columns, reordered: the same as the CSV of those columns in that order.
        var zx = new float[200, 2];
        for (int i = 0; i < 200; i++)
            (zx[i, 0], zx[i, 1]) = (data[i, 2], data[i, 0]);
        string expected = Run(["fit", "--input", Csv(zx, "zx.csv"), .. FitOptions]).Out;
        AssertSameNumbers(expected, Run(["fit", "--input", tables[0], "--columns", "z,x", .. FitOptions]));
        AssertSameNumbers(expected, Run(["fit", "--input", tables[1], "--columns", " z , x ", .. FitOptions]));
    }

    [Fact]
    public void Csv_takes_a_header_a_delimiter_and_standard_input()
    {
        float[,] data = Blobs();
        string csv = Csv(data);
        string fit = Run(["fit", "--input", csv, .. FitOptions]).Out;
        File.WriteAllText(PathOf("h.csv"), CsvText(data, header: "x,y,z"));
        AssertSameNumbers(fit, Run(["fit", "--input", PathOf("h.csv"), "--header", .. FitOptions]));
        File.WriteAllText(PathOf("t.tsv"), CsvText(data, '\t'));
        AssertSameNumbers(fit, Run(["fit", "--input", PathOf("t.tsv"), .. FitOptions])); // .tsv: tab by default
        File.WriteAllText(PathOf("t.txt"), CsvText(data, '\t', header: "x\ty\tz"));
        foreach (string tab in new[] { "tab", "\\t", "\t" })
            AssertSameNumbers(fit, Run(["fit", "--input", PathOf("t.txt"), "--delimiter", tab, "--header", .. FitOptions]));
        File.WriteAllText(PathOf("s.csv"), CsvText(data, ';'));
        AssertSameNumbers(fit, Run(["fit", "--input", PathOf("s.csv"), "--delimiter", ";", .. FitOptions]));
        AssertSameNumbers(fit, InProcess.RunWithInput(CsvText(data), ["fit", "--input", "-", .. FitOptions]));

        // --header names columns for --columns, as a table's do.
        var zx = new float[200, 2];
        for (int i = 0; i < 200; i++)
            (zx[i, 0], zx[i, 1]) = (data[i, 2], data[i, 0]);
        AssertSameNumbers(Run(["fit", "--input", Csv(zx, "zx.csv"), .. FitOptions]).Out,
            Run(["fit", "--input", PathOf("h.csv"), "--header", "--columns", "z,x", .. FitOptions]));
        Assert.Equal("gpuem: error: --columns: h.csv has no column 'w' in its header ('x', 'y', 'z')",
            Run(["fit", "--input", PathOf("h.csv"), "--header", "--columns", "w", .. FitOptions]).Err.Trim());

        // The hints a mis-read file gets.
        Assert.Equal("gpuem: error: h.csv line 1, column 1: 'x' is not a number (if the first line is a header, pass --header).",
            Run(["fit", "--input", PathOf("h.csv"), .. FitOptions]).Err.Trim());
        Assert.Contains("(the cells look tab-separated: pass --delimiter tab)", Run(["fit", "--input", PathOf("t.txt"), "--header", .. FitOptions]).Err);
        foreach (string bad in new[] { "ab", ".", "7", "-" })
        {
            (int code, _, string errors) = Run(["fit", "--input", csv, "--delimiter", bad, .. FitOptions]);
            Assert.Equal(2, code);
            Assert.Contains($"--delimiter '{bad}'", errors);
        }
        Assert.Equal(2, Run(["fit", "--input", csv, "--columns", "x,y", .. FitOptions]).Code);
    }

    [Fact]
    public void Standard_input_is_read_once_by_predict_score_and_select()
    {
        float[,] data = Blobs();
        string csv = Csv(data);
        string model = PathOf("gmm.json");
        Assert.Equal(0, Run(["fit", "--input", csv, .. FitOptions, "--output", model]).Code);
        string text = CsvText(data);
        foreach (string[] command in new[] { new[] { "predict", "--model", model }, ["predict", "--model", model, "--proba"], ["score", "--model", model] })
        {
            (int code, string expected, string errors) = Run([.. command, "--input", csv]);
            Assert.True(code == 0, errors);
            Assert.Equal(expected, InProcess.RunWithInput(text, [.. command, "--input", "-"]).Out);
        }
        string[] select = ["select", "--k-min", "1", "--k-max", "2", "--covariance", "diag", "--backend", "reference"];
        Assert.Equal(Run([.. select, "--input", csv]).Out, InProcess.RunWithInput(text, [.. select, "--input", "-"]).Out);
        (int empty, _, string none) = InProcess.RunWithInput("", ["fit", "--input", "-", .. FitOptions]);
        Assert.Equal(1, empty);
        Assert.Equal("gpuem: error: standard input holds no data rows.", none.Trim());
        (int binary, _, string refused) = InProcess.RunWithInput("1,2\n\0\0\u0001\n", ["fit", "--input", "-", .. FitOptions]);
        Assert.Equal(1, binary);
        Assert.Equal("gpuem: error: unsupported format: standard input is binary data, not CSV text (gpuem reads CSV, .npy, .f32/.raw, .parquet, .arrow; standard input is CSV only).", refused.Trim());
    }

    [Fact]
    public async Task Select_and_plot_read_npy_raw_parquet_and_arrow_inputs()
    {
        float[,] data = Blobs();
        string csv = Csv(data);
        string npy = NpyFile.Write(PathOf("blobs.npy"), data);
        File.WriteAllBytes(PathOf("blobs.f32"), NpyFile.Floats(data));
        string[] tables = await Tables(data);
        string[] select = ["select", "--k-min", "1", "--k-max", "2", "--covariance", "diag,spherical", "--backend", "reference"];
        (int code, string expected, string errors) = Run([.. select, "--input", csv]);
        Assert.True(code == 0, errors);
        List<string[]> inputs = [["--input", npy], ["--input", PathOf("blobs.f32"), "--columns", "3"]];
        inputs.AddRange(tables.Select(t => new[] { "--input", t, "--columns", "x,y,z" }));
        foreach (string[] input in inputs)
            Assert.Equal(expected, Run([.. select, .. input]).Out);

        string model = PathOf("gmm.json");
        Assert.Equal(0, Run(["fit", "--input", csv, .. FitOptions, "--output", model]).Code);
        foreach (string[] input in new[] { inputs[0], inputs[2] })
        {
            string png = PathOf(Path.GetFileNameWithoutExtension(input[1]) + ".png");
            (code, _, errors) = Run(["plot", "--model", model, .. input, "--out", png, "--width", "400", "--height", "300"]);
            Assert.True(code == 0, errors);
            Assert.True(new FileInfo(png).Length > 1000);
        }
        // A NaN in a binary input is an error unless plot marginalizes it, as in a CSV.
        float[,] holes = Blobs(withHoles: true);
        string holed = NpyFile.Write(PathOf("holes.npy"), holes);
        (code, _, errors) = Run("plot", "--model", model, "--input", holed, "--out", PathOf("h.png"));
        Assert.Equal(1, code);
        Assert.Contains("holds NaN at row 5, column 0", errors);
        (code, _, errors) = Run("plot", "--model", model, "--input", holed, "--out", PathOf("h.png"), "--width", "400", "--height", "300", "--missing", "marginalize");
        Assert.True(code == 0, errors);
    }

    [Fact]
    public void Binary_files_that_gpuem_does_not_read_are_an_unsupported_format_not_a_parse_error()
    {
        var cases = new (string Name, byte[] Bytes, string Kind)[]
        {
            ("data.csv", [0x1F, 0x8B, 8, 0, 0, 0, 0, 0], "gzip-compressed; decompress it first (gunzip -c FILE | gpuem … --input -)"),
            ("data.csv", "PAR1\u0015\u0004"u8.ToArray(), "a Parquet file; name it .parquet"),
            ("data.txt", "ARROW1\0\0"u8.ToArray(), "an Arrow IPC file; name it .arrow or .feather"),
            ("data.dat", [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], "a NumPy .npy file; name it .npy"),
            ("sheet.csv", "PK\u0003\u0004\u0014\0"u8.ToArray(), "a zip archive (.zip, .npz, .xlsx); unpack it, or export the sheet as CSV"),
            ("data.h5", [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A, 0], "an HDF5 file; export the array as .npy (np.save) or CSV"),
            ("wide.csv", Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes("1,2\n")).ToArray(), "UTF-16 text; save it as UTF-8"),
            ("blob.bin", [49, 44, 50, 10, 0, 1, 2, 3], "binary data (it holds NUL bytes)"),
            ("latin1.csv", [49, 44, 50, 10, 0xE9, 0xE8, 10], "binary data (not UTF-8 text)"),
        };
        foreach ((string name, byte[] bytes, string kind) in cases)
        {
            File.WriteAllBytes(PathOf(name), bytes);
            foreach (string[] args in new[]
            {
                new[] { "fit", "--input", PathOf(name), "--k", "2" },
                ["kmeans", "--input", PathOf(name), "--k", "2"],
                ["select", "--input", PathOf(name)],
                ["bernoulli", "--input", PathOf(name), "--k", "2"],
            })
            {
                (int code, string output, string errors) = Run(args);
                Assert.Equal((1, ""), (code, output));
                Assert.Equal($"gpuem: error: unsupported format: {name} is {kind} {Unsupported}", errors.Trim());
            }
        }
        // UTF-8 text is not binary, even with a character cut by the 4 KiB the check reads.
        var text = new StringBuilder("größe,höhe\n");
        while (Encoding.UTF8.GetByteCount(text.ToString()) < 4000)
            text.Append("1,2\n");
        // A last line "1   …,é" whose two-byte é starts at byte 4095 (zero-based): the last byte
        // of the 4 KiB checked, its second byte beyond.
        int before = Encoding.UTF8.GetByteCount(text.ToString());
        text.Append('1').Append(' ', 4095 - before - 2).Append(",é\n");
        Assert.Equal(4095, Encoding.UTF8.GetByteCount(text.ToString()) - 3);
        File.WriteAllText(PathOf("utf8.csv"), text.ToString());
        (int utf8Code, _, string utf8Errors) = Run("fit", "--input", PathOf("utf8.csv"), "--header", "--k", "1", "--backend", "reference");
        Assert.Equal(1, utf8Code);
        Assert.DoesNotContain("unsupported format", utf8Errors);
        Assert.Contains("'é' is not a number", utf8Errors);
    }
}
