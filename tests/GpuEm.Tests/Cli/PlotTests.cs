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
        (int code, _, string errors) = Run(
            "plot", "--model", model, "--input", data, "--out", figure, "--what", "clusters", "--width", "200", "--height", "150");
        Assert.True(code == 0, errors);
        Assert.Equal((200, 150), PngSize(figure));
    }

    [Fact]
    public void Plot_into_a_missing_folder_is_a_one_line_usage_error_before_any_work()
    {
        (string data, string model) = Fitted(2, 2);
        (int code, _, string errors) = Run("plot", "--model", model, "--input", data, "--out", PathOf("no/such/f.png"));
        Assert.Equal(2, code);
        Assert.Contains("does not exist", errors);
        Assert.StartsWith("gpuem: error: ", errors);
        Assert.Single(errors.Trim().Split('\n'));
    }

    // Fails on main: --what did not exist (an unknown option), nor the 1-D, pairs, uncertainty and
    // density views.
    [Theory]
    [InlineData(1, 2)]
    [InlineData(1, 15)]
    [InlineData(2, 3)]
    [InlineData(2, 15)]
    [InlineData(5, 4)]
    [InlineData(5, 15)]
    public void Every_view_renders_a_png_of_the_asked_size(int d, int k)
    {
        (string data, string model) = Fitted(d, k);
        foreach (string what in new[] { "clusters", "uncertainty", "density", "objective", "clusters,objective", "uncertainty,density" })
        {
            string figure = PathOf($"{what}.png");
            int width = 700 * what.Split(',').Length;
            (int code, string output, string errors) = Run(
                "plot", "--model", model, "--input", data, "--out", figure, "--what", what, "--width", width.ToString(CultureInfo.InvariantCulture));
            Assert.True(code == 0, $"{what}: {errors}");
            Assert.Equal($"wrote {figure} ({width} × 500)", output.Trim());
            Assert.Equal((width, 500), PngSize(figure));
            // A picture, not a blank page: a white 700 × 500 PNG compresses to about 2 KB.
            Assert.True(new FileInfo(figure).Length > 8000, $"{what}: {new FileInfo(figure).Length} bytes");
        }
    }

    [Fact]
    public void The_default_is_clusters_beside_the_objective_600_px_each()
    {
        (string data, string model) = Fitted(2, 2);
        string figure = PathOf("f.png");
        Assert.Equal(0, Run("plot", "--model", model, "--input", data, "--out", figure).Code);
        Assert.Equal((1200, 500), PngSize(figure));
        Assert.Equal(0, Run("plot", "--model", model, "--input", data, "--out", figure, "--what", "density").Code);
        Assert.Equal((600, 500), PngSize(figure));
    }

    [Theory]
    [InlineData("pictures", "is not one of clusters, uncertainty, density, objective")]
    [InlineData("", "is not one of")]
    [InlineData("clusters,,objective", "is not one of")]
    [InlineData("clusters,clusters", "twice")]
    [InlineData("Clusters", "is not one of")]
    public void A_bad_what_is_a_usage_error(string what, string message)
    {
        (string data, string model) = Fitted(2, 2);
        (int code, _, string errors) = Run("plot", "--model", model, "--input", data, "--out", PathOf("f.png"), "--what", what);
        Assert.Equal(2, code);
        Assert.Contains(message, errors);
        Assert.Single(errors.Trim().Split('\n'));
    }

    [Fact]
    public void Two_views_need_200_px_each()
    {
        (string data, string model) = Fitted(2, 2);
        string figure = PathOf("f.png");
        (int code, _, string errors) = Run("plot", "--model", model, "--input", data, "--out", figure, "--what", "clusters,density", "--width", "399");
        Assert.Equal(2, code);
        Assert.Contains("from 400 (200 per view)", errors);
        Assert.Equal(0, Run("plot", "--model", model, "--input", data, "--out", figure, "--what", "clusters,density", "--width", "400").Code);
        Assert.Equal((400, 500), PngSize(figure));
    }

    [Fact]
    public void Kmeans_draws_clusters_and_objective_but_has_no_uncertainty_or_density()
    {
        (string data, _) = Fitted(2, 3);
        string model = PathOf("k.json");
        Assert.Equal(0, Run("kmeans", "--input", data, "--k", "3", "--backend", "reference", "--output", model).Code);
        string figure = PathOf("f.png");
        (int code, _, string errors) = Run("plot", "--model", model, "--input", data, "--out", figure, "--what", "clusters,objective");
        Assert.True(code == 0, errors);
        Assert.Equal((1200, 500), PngSize(figure));
        (code, _, errors) = Run("plot", "--model", model, "--input", data, "--out", figure, "--what", "uncertainty");
        Assert.Equal(2, code);
        Assert.Contains("no uncertainty", errors);
        (code, _, errors) = Run("plot", "--model", model, "--input", data, "--out", figure, "--what", "density");
        Assert.Equal(2, code);
        Assert.Contains("no density", errors);
    }

    [Fact]
    public void Input_columns_must_match_the_model()
    {
        (_, string model) = Fitted(2, 2);
        (string data, _) = Fitted(5, 2);
        (int code, _, string errors) = Run("plot", "--model", model, "--input", data, "--out", PathOf("f.png"));
        Assert.Equal(1, code);
        Assert.Contains("5 columns but the model was fitted on 2", errors);
    }

    [Fact]
    public void Select_plot_draws_the_criterion_against_k_as_a_png()
    {
        (string data, _) = Fitted(2, 3);
        string figure = PathOf("bic.png");
        (int code, _, string errors) = Run(
            "select", "--input", data, "--k-max", "4", "--covariance", "full,diag", "--backend", "reference", "--plot", figure, "--quiet");
        Assert.True(code == 0, errors);
        Assert.Equal((800, 500), PngSize(figure));
        Assert.True(new FileInfo(figure).Length > 8000);
    }
}
