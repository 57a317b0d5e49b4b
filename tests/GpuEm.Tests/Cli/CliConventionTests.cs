using System.Globalization;
using GpuEm.Cli;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Cli;

/// <summary>The command line's conventions: --version, predict --output, select's machine-readable
/// stdout, devices in human units with reasons, and the device --backend auto chose.</summary>
public sealed class CliConventionTests : TempFolderTests
{
    public CliConventionTests()
        : base("gpuem-cli-conventions-")
    {
    }

    private string Blobs()
    {
        string path = PathOf("blobs.csv");
        var random = new Random(5);
        File.WriteAllText(path, string.Concat(Enumerable.Range(0, 60).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"{i % 2 * 8 + Synthetic.Normal(random)},{Synthetic.Normal(random)}\n"))));
        return path;
    }

    [Fact]
    public void Version_prints_the_informational_version_and_exits_0()
    {
        (int code, string stdout, string stderr) = InProcess.Run("--version");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.Matches(@"^gpuem \d+\.\d+\.\d+\S*\n?$", stdout.ReplaceLineEndings("\n"));
        Assert.Contains("--version", CliApp.Usage);
    }

    [Fact]
    public void Predict_output_writes_labels_or_probabilities_under_a_header_as_stdout_would()
    {
        string data = Blobs();
        string model = PathOf("m.json");
        Assert.Equal(0, InProcess.Run("fit", "--input", data, "--k", "2", "--backend", "reference", "--output", model, "--quiet").Code);

        (int code, string labels, _) = InProcess.Run("predict", "--model", model, "--input", data);
        Assert.Equal(0, code);
        string file = PathOf("labels.txt");
        (code, string stdout, string stderr) = InProcess.Run("predict", "--model", model, "--input", data, "--output", file);
        Assert.True(code == 0, stderr);
        Assert.Equal("", stdout);
        Assert.Equal(labels, File.ReadAllText(file));

        (code, string proba, _) = InProcess.Run("predict", "--model", model, "--input", data, "--proba");
        Assert.Equal(0, code);
        (code, _, stderr) = InProcess.Run("predict", "--model", model, "--input", data, "--proba", "--output", file);
        Assert.True(code == 0, stderr);
        Assert.Equal("p0,p1\n" + proba, File.ReadAllText(file));
        // Written by rename: no temporary file is left beside it.
        Assert.Equal(new[] { "blobs.csv", "labels.txt", "m.json" }, Directory.GetFiles(Folder).Select(Path.GetFileName).Order());

        // Checked before any work: a missing folder, or the input itself.
        (code, stdout, stderr) = InProcess.Run("predict", "--model", PathOf("absent.json"), "--input", data, "--output", PathOf("no/such/p.txt"));
        Assert.Equal(2, code);
        Assert.Contains("does not exist", stderr);
        (code, _, stderr) = InProcess.Run("predict", "--model", model, "--input", data, "--output", data);
        Assert.Equal(2, code);
        Assert.Contains("is also an input", stderr);
    }

    [Fact]
    public void Select_checks_its_output_before_fitting()
    {
        (int code, string stdout, string stderr) = InProcess.Run(
            "select", "--input", Blobs(), "--k-max", "2", "--backend", "reference", "--output", PathOf("no/such/best.json"));
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Contains("does not exist", stderr);
    }

    [Fact]
    public void Devices_prints_memory_in_binary_units_and_why_cuda_or_opencl_is_missing()
    {
        Assert.Equal("512 B", ModelCommands.HumanBytes(512));
        Assert.Equal("1.5 KiB", ModelCommands.HumanBytes(1536));
        Assert.Equal("24.0 GiB", ModelCommands.HumanBytes(24L << 30));
        Assert.Equal("141.0 GiB", ModelCommands.HumanBytes(141L << 30));

        (int code, string stdout, _) = InProcess.Run("devices");
        Assert.Equal(0, code);
        Assert.DoesNotContain("8589934592", stdout);
        Assert.DoesNotContain(".0 GiB, usable (an emulator", stdout);
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // Either a CUDA (OpenCL) device, or a line saying why there is none.
        Assert.Contains(lines, line => line.StartsWith("Cuda: ", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("OpenCL: ", StringComparison.Ordinal));
        Assert.StartsWith("--backend auto uses: ", lines[^1]);
    }

    [Fact]
    public void Backend_auto_names_its_device_on_stderr_unless_quiet()
    {
        string data = Blobs();
        (int code, string stdout, string stderr) = InProcess.Run("kmeans", "--input", data, "--k", "2");
        Assert.True(code == 0, stderr);
        string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        string line = Assert.Single(lines, l => l.StartsWith("gpuem: --backend auto: ", StringComparison.Ordinal));
        string device = System.Text.Json.JsonDocument.Parse(stdout).RootElement.GetProperty("device").GetString()!;
        Assert.Contains(device, line);

        (code, _, stderr) = InProcess.Run("kmeans", "--input", data, "--k", "2", "--quiet");
        Assert.Equal(0, code);
        Assert.DoesNotContain("--backend auto", stderr);
        (code, _, stderr) = InProcess.Run("kmeans", "--input", data, "--k", "2", "--backend", "reference");
        Assert.Equal(0, code);
        Assert.DoesNotContain("--backend auto", stderr);
    }
}
