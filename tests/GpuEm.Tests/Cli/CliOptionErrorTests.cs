using System.Text.RegularExpressions;
using GpuEm.Cli;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Cli;

/// <summary>
/// Every numeric option of every command, given a bad value: a usage error (exit 2) in one line
/// that names the option, with none of .NET's tails ("(Parameter 'x')", "Actual value was …")
/// and no stack trace. The table is checked against the commands' help texts, so a new option
/// must be added here.
/// </summary>
public sealed partial class CliOptionErrorTests : TempFolderTests
{
    public CliOptionErrorTests()
        : base("gpuem-cli-options-")
    {
    }

    private enum Kind
    {
        Integer,
        AtLeastZero,
        AtLeastOne,
        Number,
        Bytes,
        Positive,
        Columns,
        PlotSize,
        Levels,
        List,
    }

    // Bad values of each kind of option (a valid-looking seed such as −1 is a seed).
    private static string[] BadValues(Kind kind) => kind switch
    {
        Kind.Integer => ["abc", "1.5", "99999999999"],
        Kind.AtLeastZero => ["abc", "-1"],
        Kind.AtLeastOne => ["abc", "-1", "0"],
        Kind.Number => ["abc", "-1", "NaN", "1e999"],
        Kind.Bytes => ["abc", "-1", "0"],
        Kind.Positive => ["abc", "-1", "0"],
        Kind.Columns => ["abc", "0"],
        Kind.PlotSize => ["abc", "-1", "0"],
        Kind.Levels => ["abc,2", "0,2"],
        Kind.List => ["abc", "-1"],
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    // Each command's numeric options. Commands absent here (info, devices) take none.
    private static readonly (string Command, string Option, Kind Kind)[] Table =
    [
        ("demo", "k", Kind.AtLeastOne), ("demo", "seed", Kind.Integer),
        .. Fits("fit"), ("fit", "reg", Kind.Number), ("fit", "split-merge", Kind.AtLeastZero),
        .. Fits("kmeans"), ("kmeans", "local-search", Kind.AtLeastZero),
        .. Fits("bernoulli"), ("bernoulli", "smoothing", Kind.Number),
        .. Fits("categorical"), ("categorical", "smoothing", Kind.Number), ("categorical", "levels", Kind.Levels),
        ("coarsened fit", "max-iter", Kind.AtLeastZero), ("coarsened fit", "tol", Kind.Number),
        ("coarsened fit", "coefficients", Kind.List), ("coarsened fit", "groups", Kind.List), ("coarsened fit", "initial", Kind.List),
        ("predict", "columns", Kind.Columns), ("score", "columns", Kind.Columns),
        ("select", "k-min", Kind.AtLeastOne), ("select", "k-max", Kind.AtLeastOne),
        ("select", "n-init", Kind.AtLeastOne), ("select", "seed", Kind.Integer),
        ("select", "columns", Kind.Columns),
        ("hmm fit", "states", Kind.AtLeastOne), ("hmm fit", "mixture-components", Kind.AtLeastOne),
        ("hmm fit", "symbols", Kind.AtLeastOne), ("hmm fit", "max-jump", Kind.AtLeastOne), ("hmm fit", "reg", Kind.Number),
        ("hmm fit", "n-init", Kind.AtLeastOne), ("hmm fit", "seed", Kind.Integer), ("hmm fit", "max-iter", Kind.Integer),
        ("hmm fit", "tol", Kind.Number), ("hmm fit", "device-memory-limit", Kind.Bytes), ("hmm fit", "columns", Kind.Columns),
        ("hmm decode", "columns", Kind.Columns), ("hmm score", "columns", Kind.Columns),
        ("hmm sample", "length", Kind.AtLeastOne), ("hmm sample", "sequences", Kind.AtLeastOne), ("hmm sample", "seed", Kind.Integer),
        ("plot", "width", Kind.PlotSize), ("plot", "height", Kind.PlotSize), ("plot", "columns", Kind.Columns),
        ("plot", "top", Kind.AtLeastOne),
        ("topics fit", "topics", Kind.AtLeastOne), ("topics fit", "alpha", Kind.Positive), ("topics fit", "eta", Kind.Positive),
        ("topics fit", "tempering", Kind.Positive), ("topics fit", "max-iter", Kind.AtLeastZero), ("topics fit", "tol", Kind.Number),
        ("topics fit", "n-init", Kind.AtLeastOne), ("topics fit", "seed", Kind.Integer),
        ("topics fit", "device-memory-limit", Kind.Bytes), ("topics fit", "min-df", Kind.AtLeastOne),
        ("topics fit", "max-df", Kind.Positive), ("topics fit", "min-token-length", Kind.AtLeastOne),
        ("topics fit", "batch-size", Kind.AtLeastOne), ("topics fit", "learning-offset", Kind.Number),
        ("topics fit", "learning-decay", Kind.Number), .. Search("topics fit"), .. Search("hmm fit"),
        ("topics words", "top", Kind.AtLeastOne),
        ("bench", "n", Kind.AtLeastOne), ("bench", "d", Kind.AtLeastOne), ("bench", "k", Kind.AtLeastOne),
        ("bench", "iterations", Kind.AtLeastOne), ("bench", "seed", Kind.Integer),
        ("bench", "device-memory-limit", Kind.Bytes), ("bench", "peak-gflops", Kind.Positive), ("bench", "peak-gbs", Kind.Positive),
        ("bench", "sequences", Kind.AtLeastOne), ("bench", "length", Kind.AtLeastOne), ("bench", "states", Kind.AtLeastOne),
        ("bench", "topics", Kind.AtLeastOne), ("bench", "batch-size", Kind.AtLeastOne), ("bench", "learning-offset", Kind.Number),
        ("bench", "learning-decay", Kind.Number),
        ("bench --check", "n", Kind.AtLeastOne), ("bench --check", "d", Kind.AtLeastOne), ("bench --check", "k", Kind.AtLeastOne),
        ("bench --check", "iterations", Kind.AtLeastOne), ("bench --check", "seed", Kind.Integer),
        ("bench --check", "device-memory-limit", Kind.Bytes),
    ];

    private static (string, string, Kind)[] Fits(string command) =>
    [
        (command, "k", Kind.AtLeastOne), (command, "max-iter", Kind.AtLeastZero), (command, "tol", Kind.Number),
        (command, "n-init", Kind.AtLeastOne), (command, "seed", Kind.Integer),
        (command, "device-memory-limit", Kind.Bytes), (command, "columns", Kind.Columns), .. Search(command),
    ];

    private static (string, string, Kind)[] Search(string command) =>
        [(command, "short-runs", Kind.AtLeastOne), (command, "short-iter", Kind.AtLeastOne), (command, "short-continue", Kind.AtLeastOne)];

    // Options the help texts name that take no number (files, choices, flags).
    private static readonly HashSet<string> NotNumeric =
    [
        "input", "model", "output", "out", "labels", "plot", "covariance", "init", "backend", "missing", "criterion",
        "proba", "json", "check", "quiet", "verbose", "help", "progress", "what",
        // Input formats: a delimiter character, the header flag, --columns NAME,… (or D for raw
        // float32, whose bad values CliFileInputTests covers).
        "delimiter", "header",
        // hmm: files and choices.
        "lengths", "emission", "topology", "states-output",
        // topics: files, choices and flags.
        "vocab", "format", "learn-alpha", "no-stop-words", "no-lowercase", "test", "learning-method", "stream",
        // the restart search's choice.
        "restart-strategy", "hartigan", "hc-raw", "hc-first",
    ];

    // The arguments that get a command as far as reading its options (files need not exist
    // unless the option is read after them: --levels and plot's sizes).
    private Dictionary<string, string> Base(string command, string option)
    {
        string csv = PathOf("x.csv");
        string binary = PathOf("b.csv");
        return command switch
        {
            "fit" or "kmeans" => new() { ["input"] = option == "columns" ? PathOf("x.f32") : csv, ["k"] = "2" },
            "bernoulli" or "categorical" => new() { ["input"] = option == "columns" ? PathOf("x.f32") : binary, ["k"] = "2" },
            "coarsened fit" => new() { ["input"] = PathOf("o.csv"), ["coefficients"] = "1,1", ["groups"] = "0,0" },
            "predict" or "score" => new() { ["model"] = PathOf("m.json"), ["input"] = PathOf("x.f32") },
            "select" => new() { ["input"] = option == "columns" ? PathOf("x.f32") : csv },
            "plot" => new() { ["model"] = PathOf("m.json"), ["input"] = option == "columns" ? PathOf("x.f32") : csv, ["out"] = PathOf("f.png") },
            "hmm fit" => new() { ["input"] = option == "columns" ? PathOf("x.f32") : csv, ["states"] = "2", ["emission"] = "gaussian" },
            "hmm decode" or "hmm score" => new() { ["model"] = PathOf("m.json"), ["input"] = PathOf("x.f32") },
            "hmm sample" => new() { ["model"] = PathOf("m.json") },
            "bench --check" => new() { ["backend"] = "cpu-accelerator" },
            "bench" when option is "sequences" or "length" or "states" => new() { ["model"] = "hmm" },
            "bench" when option is "topics" => new() { ["model"] = "lda", ["input"] = PathOf("docword.txt") },
            "bench" when option is "batch-size" or "learning-offset" or "learning-decay" =>
                new() { ["model"] = "lda", ["input"] = PathOf("docword.txt"), ["topics"] = "2", ["learning-method"] = "online" },
            "topics fit" when option is "batch-size" or "learning-offset" or "learning-decay" => new()
            {
                ["input"] = PathOf("docword.txt"),
                ["topics"] = "2",
                ["model"] = "lda",
                ["format"] = "uci",
                ["learning-method"] = "online",
            },
            "topics fit" => new()
            {
                ["input"] = PathOf(option is "min-df" or "max-df" or "min-token-length" ? "docs.txt" : "docword.txt"),
                ["topics"] = "2",
                ["model"] = option == "tempering" ? "plsa" : "lda",
                ["format"] = option is "min-df" or "max-df" or "min-token-length" ? "text" : "uci",
            },
            "topics words" => new() { ["model"] = PathOf("m.json") },
            _ => [],
        };
    }

    private void WriteInputs()
    {
        File.WriteAllText(PathOf("x.csv"), string.Concat(Enumerable.Range(0, 20).Select(i => $"{i % 2 * 5 + i * 0.01},{i * 0.1}\n")));
        File.WriteAllText(PathOf("b.csv"), string.Concat(Enumerable.Range(0, 20).Select(i => $"{i % 2},{i / 10}\n")));
        File.WriteAllText(PathOf("o.csv"), "3,0\n2,1\n");
        (int code, _, string errors) = InProcess.Run("kmeans", "--input", PathOf("x.csv"), "--k", "2", "--backend", "reference",
            "--output", PathOf("m.json"), "--quiet");
        Assert.True(code == 0, errors);
    }

    private static void AssertOneLineNamingTheOption(string what, int code, string stdout, string stderr, string option)
    {
        Assert.True(code == 2, $"{what}: exit {code}: {stderr}");
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"{what}: {stderr}");
        Assert.StartsWith("gpuem: error: ", lines[0]);
        Assert.Contains("--" + option, lines[0]);
        Assert.DoesNotContain("(Parameter", stderr);
        Assert.DoesNotContain("Actual value was", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Every_bad_numeric_option_is_a_one_line_usage_error_that_names_the_option()
    {
        WriteInputs();
        foreach ((string command, string option, Kind kind) in Table)
        {
            foreach (string value in BadValues(kind))
            {
                Dictionary<string, string> arguments = Base(command, option);
                if (option.StartsWith("short-", StringComparison.Ordinal))
                    arguments["restart-strategy"] = "short-runs";
                arguments[option] = value;
                string[] args = [.. command.Split(' '), .. arguments.SelectMany(p => new[] { "--" + p.Key, p.Value }), "--quiet"];
                (int code, string stdout, string stderr) = InProcess.Run(args);
                AssertOneLineNamingTheOption(string.Join(' ', args), code, stdout, stderr, option);
            }
        }
    }

    [Fact]
    public void The_table_covers_every_option_every_help_text_names()
    {
        foreach (CliCommand command in CliApp.Commands)
        {
            string[] names = command.Name switch
            {
                "coarsened" => ["coarsened fit"],
                "bench" => ["bench", "bench --check"],
                "hmm" => ["hmm fit", "hmm decode", "hmm score", "hmm sample"],
                "topics" => ["topics fit", "topics words", "topics transform", "topics perplexity"],
                _ => [command.Name],
            };
            string help = InProcess.Run([.. names[0].Split(' '), "--help"]).Out;
            foreach (Match match in HelpOption().Matches(help))
            {
                string option = match.Groups[1].Value;
                Assert.True(NotNumeric.Contains(option) || Table.Any(t => names.Contains(t.Command) && t.Option == option),
                    $"gpuem {command.Name} --{option}: add it to the table of numeric options (or to NotNumeric)");
            }
        }
    }

    [Fact]
    public void Library_errors_name_the_cli_option_without_dotnet_tails()
    {
        WriteInputs();
        // k larger than the data is found by the library, after the file is read: a data error.
        (int code, _, string stderr) = InProcess.Run("fit", "--input", PathOf("x.csv"), "--k", "30", "--backend", "reference");
        Assert.Equal(1, code);
        Assert.Equal("gpuem: error: --k 30 exceeds the number of points n = 20; use k ≤ n.", stderr.Trim());
        (code, _, stderr) = InProcess.Run("fit", "--input", PathOf("x.csv"), "--k", "2", "--backend", "cuda");
        if (code != 0)
        {
            Assert.DoesNotContain("Backend.", stderr);
            Assert.Contains("--backend auto", stderr);
        }
        Assert.Equal(
            "--n-init must be positive; raise --max-iter or --tol",
            CliErrors.Describe(new ArgumentOutOfRangeException("Restarts", 0, "Restarts must be positive; raise MaxIterations or Tolerance")));
        Assert.Equal(
            "[k = 1: --n-init is bad.] [k = 2: --n-init is bad.]",
            CliErrors.Describe(
                $"[k = 1: {new ArgumentOutOfRangeException("Restarts", 0, "Restarts is bad.").Message}] " +
                $"[k = 2: {new ArgumentOutOfRangeException("Restarts", -0.5, "Restarts is bad.").Message}]"));
    }

    [Fact]
    public void A_megabyte_bad_cell_or_value_is_echoed_clipped()
    {
        string junk = new('x', 1 << 20);
        string csv = PathOf("junk.csv");
        File.WriteAllText(csv, $"1,2\n3,{junk}\n");
        (int code, _, string stderr) = InProcess.Run("fit", "--input", csv, "--k", "1", "--backend", "reference");
        Assert.Equal(1, code);
        Assert.Contains("junk.csv line 2, column 2: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' is not a number", stderr);
        Assert.True(stderr.Length < 200, $"{stderr.Length} characters");

        // The library's streamed CSV source clips the same way.
        using (Data.CsvDataSource source = Data.CsvDataSource.Open(csv))
        {
            var error = Assert.Throws<InvalidDataException>(() => new Models.KMeans.KMeans(new Models.KMeans.KMeansOptions
            {
                ClusterCount = 1,
                Backend = Backend.Reference,
            }).Fit(source));
            Assert.True(error.Message.Length < 200, error.Message[..Math.Min(200, error.Message.Length)]);
            Assert.Contains("x…'", error.Message);
        }

        (code, _, stderr) = InProcess.Run("fit", "--input", csv, "--k", junk);
        Assert.Equal(2, code);
        Assert.True(stderr.Length < 200, $"{stderr.Length} characters");
    }

    [Fact]
    public void A_model_file_with_invalid_utf8_names_the_file()
    {
        WriteInputs();
        byte[] bytes = File.ReadAllBytes(PathOf("m.json"));
        string text = System.Text.Encoding.Latin1.GetString(bytes);
        int at = text.IndexOf("\"Reference\"", StringComparison.Ordinal);
        Assert.True(at > 0);
        bytes[at + 4] = 0xFF;
        string bad = PathOf("bad.json");
        File.WriteAllBytes(bad, bytes);
        (int code, _, string stderr) = InProcess.Run("info", "--model", bad);
        Assert.Equal(1, code);
        Assert.Contains(bad, stderr);
        Assert.DoesNotContain("transcode", stderr);
    }

    [Theory]
    [InlineData("{\"format\":\"gpuem.kmeans\",\"\\uDE00\":1}")] // a lone surrogate in a property name (fuzz test)
    [InlineData("{\"format\":\"gpuem.kmeans\",\"backend\":\"\\uD83D\"}")] // one in a string value
    public void A_model_file_with_a_lone_surrogate_escape_is_a_format_error_naming_the_file(string json)
    {
        string bad = PathOf("surrogate.json");
        File.WriteAllText(bad, json);
        var ex = Assert.Throws<GpuEm.Persistence.ModelFormatException>(() => GpuEm.Persistence.ModelFile.Load(bad));
        Assert.Contains(bad, ex.Message);
        (int code, _, string stderr) = InProcess.Run("info", "--model", bad);
        Assert.Equal(1, code);
        Assert.Contains("lone surrogate", stderr);
    }

    [GeneratedRegex(@"--([a-z][a-z0-9-]*)[ =]([^\s\[\]-][^\s\]]*)")]
    private static partial Regex HelpOption();
}
