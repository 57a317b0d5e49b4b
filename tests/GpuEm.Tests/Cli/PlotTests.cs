using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Cli;

/// <summary>gpuem plot and select --plot: every view renders a PNG of the asked size; bad options
/// are one-line usage errors.</summary>
public sealed class PlotTests : TempFolderTests
{
    public PlotTests()
        : base("gpuem-plot-")
    {
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => InProcess.Run(args);

    // n seeded points in d columns around k centres on a line, as CSV, and a Gaussian mixture
    // (reference engine, a few iterations) fitted to them and saved.
    private (string Data, string Model) Fitted(int d, int k, int n = 300)
    {
        var random = new Random(11 * d + k);
        var data = new float[n, d];
        var text = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            int c = i % k;
            for (int j = 0; j < d; j++)
            {
                data[i, j] = (float)(6 * c * (j % 2 == 0 ? 1 : -0.5) + Synthetic.Normal(random));
                text.Append(j > 0 ? "," : "").Append(data[i, j].ToString("R", CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        string csv = PathOf($"d{d}k{k}.csv");
        File.WriteAllText(csv, text.ToString());
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = k,
            CovarianceType = CovarianceType.Full,
            Backend = Backend.Reference,
            MaxIterations = 5,
        }).Fit(data);
        string json = PathOf($"d{d}k{k}.json");
        model.Save(json);
        return (csv, json);
    }

    // The PNG signature, then the IHDR chunk's width and height (big-endian at bytes 16 and 20).
    private static (int Width, int Height) PngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 24, $"{path} holds {bytes.Length} bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    // Fails on main: --width 100000 --height 100000 threw NullReferenceException (exit 134),
    // and negative, zero or non-numeric values were not all usage errors.
    [Theory]
    [InlineData("--width", "abc")]
    [InlineData("--width", "-700")]
    [InlineData("--width", "0")]
    [InlineData("--width", "199")]
    [InlineData("--width", "100000")]
    [InlineData("--width", "99999999999")]
    [InlineData("--width", "7e2")]
    [InlineData("--height", "abc")]
    [InlineData("--height", "-500")]
    [InlineData("--height", "0")]
    [InlineData("--height", "100000")]
    [InlineData("--height", "")]
    public void Plot_refuses_a_bad_size_with_a_one_line_usage_error(string option, string value)
    {
        (string data, string model) = Fitted(2, 2);
        string figure = PathOf("f.png");
        (int code, string output, string errors) = Run("plot", "--model", model, "--input", data, "--out", figure, option, value);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("gpuem: error: ", errors);
        Assert.Single(errors.Trim().Split('\n'));
        Assert.Contains(option, errors);
        Assert.False(File.Exists(figure));
    }

    [Fact]
    public void Plot_refuses_the_largest_size_on_both_sides_only_when_it_is_exceeded()
    {
        (string data, string model) = Fitted(2, 2);
        string figure = PathOf("f.png");
        Assert.Equal(2, Run("plot", "--model", model, "--input", data, "--out", figure, "--width", "100000", "--height", "100000").Code);
        (int code, _, string errors) = Run("plot", "--model", model, "--input", data, "--out", figure, "--width", "200", "--height", "150");
        Assert.True(code == 0, errors);
        Assert.Equal((200, 150), PngSize(figure));
    }

    [Fact]
    public void Plot_into_a_missing_folder_is_a_one_line_error()
    {
        (string data, string model) = Fitted(2, 2);
        (int code, _, string errors) = Run("plot", "--model", model, "--input", data, "--out", PathOf("no/such/f.png"));
        Assert.Equal(1, code);
        Assert.StartsWith("gpuem: error: ", errors);
        Assert.Single(errors.Trim().Split('\n'));
    }
}
