using GpuEm.Em;
using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Gaussian;

/// <summary>
/// The default regularization (1e-6) swamps data at the 1e-30 scale: the fit says so through its
/// progress, naming the column; data of a moderate scale gets no such warning.
/// </summary>
public sealed class RegularizationWarningTests
{
    [Fact]
    public void A_fit_on_1e_minus_30_scale_data_warns_that_the_regularization_decides_the_variances()
    {
        float[,] data = Scaled(Synthetic.Mixture(200, 2, 2, seed: 21).Data, column: 1, scale: 1e-30f);
        List<string> warnings = Warnings(data, CovarianceType.Diagonal);

        string warning = Assert.Single(warnings, w => w.Contains("CovarianceRegularization", StringComparison.Ordinal));
        Assert.Contains("column 1", warning, StringComparison.Ordinal);
        Assert.Contains("Scale the data", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("column 0", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Spherical)]
    public void A_fit_on_data_of_a_moderate_scale_gives_no_regularization_warning(CovarianceType type)
    {
        float[,] data = Synthetic.Mixture(200, 3, 2, seed: 22).Data;
        Assert.DoesNotContain(Warnings(data, type), w => w.Contains("CovarianceRegularization", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lowered_regularization_silences_the_warning()
    {
        float[,] data = Scaled(Synthetic.Mixture(200, 2, 2, seed: 23).Data, column: 0, scale: 1e-3f);
        // Column 0's variance is now ~1e-6 · (a few): 1e-6 exceeds 1 % of it, 1e-12 does not.
        Assert.Contains(Warnings(data, CovarianceType.Diagonal), w => w.Contains("column 0", StringComparison.Ordinal));
        Assert.DoesNotContain(Warnings(data, CovarianceType.Diagonal, 1e-12), w => w.Contains("CovarianceRegularization", StringComparison.Ordinal));
    }

    [Fact]
    public void Select_on_1e_minus_30_scale_data_prints_the_warning_once_for_all_its_candidates()
    {
        float[,] data = Scaled(Synthetic.Mixture(60, 2, 2, seed: 24).Data, column: 1, scale: 1e-30f);
        string path = Path.Combine(Path.GetTempPath(), $"gpuem-reg-{Guid.NewGuid():N}.csv");
        try
        {
            File.WriteAllLines(path, Enumerable.Range(0, data.GetLength(0)).Select(i =>
                FormattableString.Invariant($"{data[i, 0]:R},{data[i, 1]:R}")));
            (int code, _, string stderr) = Cli.InProcess.Run("select", "--input", path, "--k-max", "2",
                "--covariance", "diag,spherical", "--backend", "reference");
            Assert.Equal(0, code);
            // Four candidates (k = 1, 2 × two types) each warn; the run says it once.
            Assert.Single(stderr.Split('\n'), line => line.Contains("CovarianceRegularization", StringComparison.Ordinal)
                || line.Contains("--reg", StringComparison.Ordinal) && line.Contains("warning", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static List<string> Warnings(float[,] data, CovarianceType type, double regularization = 1e-6)
    {
        var warnings = new List<string>();
        new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 2,
            CovarianceType = type,
            CovarianceRegularization = regularization,
            MaxIterations = 5,
            Backend = Backend.Reference,
            Progress = new SynchronousProgress<FitProgress>(p =>
            {
                if (p.Warning is not null)
                    warnings.Add(p.Warning);
            }),
        }).Fit(data);
        return warnings;
    }

    private static float[,] Scaled(float[,] data, int column, float scale)
    {
        var copy = (float[,])data.Clone();
        for (int i = 0; i < copy.GetLength(0); i++)
            copy[i, column] *= scale;
        return copy;
    }
}
