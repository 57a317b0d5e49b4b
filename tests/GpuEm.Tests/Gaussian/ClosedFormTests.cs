using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Gaussian;

/// <summary>With one component, EM's fixed point is the closed-form maximum-likelihood estimate.</summary>
public sealed class ClosedFormTests
{
    // The reference engine works in float64 from float32 data, so the only error is summation
    // rounding over a few thousand terms: 1e-10 relative is ~10⁶ ulps of headroom.
    private const double Relative = 1e-10;

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Tied)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    public void One_component_equals_the_sample_mean_and_biased_sample_covariance(CovarianceType type)
    {
        float[,] data = Synthetic.Gaussian(3000, 3, seed: 11, scale: 2, offset: 100);
        float[] weights = Enumerable.Range(0, 3000).Select(i => (float)(1 + i % 3)).ToArray();
        foreach (float[]? w in new[] { null, weights })
        {
            (double[] mean, double[,] covariance) = WeightedMoments(data, w);
            GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
            {
                ComponentCount = 1,
                CovarianceType = type,
                CovarianceRegularization = 0,
                Backend = Backend.Reference,
            }).Fit(data, w);

            Tolerance.Close(mean, Tolerance.Flatten(model.Means), 1e-12, Relative, $"{type} mean");
            double[,,] fitted = model.Covariances;
            double trace = 0;
            for (int j = 0; j < 3; j++)
                trace += covariance[j, j];
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                {
                    double expected = type switch
                    {
                        CovarianceType.Full or CovarianceType.Tied => covariance[i, j],
                        CovarianceType.Diagonal => i == j ? covariance[i, j] : 0,
                        _ => i == j ? trace / 3 : 0,
                    };
                    Tolerance.Close(expected, fitted[0, i, j], 1e-12, Relative, $"{type} covariance[{i},{j}]");
                }
            Assert.Equal(1.0, model.Weights[0], 15);
        }
    }

    private static (double[] Mean, double[,] Covariance) WeightedMoments(float[,] data, float[]? weights)
    {
        int n = data.GetLength(0);
        int d = data.GetLength(1);
        double total = 0;
        var mean = new double[d];
        for (int i = 0; i < n; i++)
        {
            double w = weights?[i] ?? 1;
            total += w;
            for (int j = 0; j < d; j++)
                mean[j] += w * data[i, j];
        }
        for (int j = 0; j < d; j++)
            mean[j] /= total;
        var covariance = new double[d, d];
        for (int i = 0; i < n; i++)
        {
            double w = weights?[i] ?? 1;
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++)
                    covariance[a, b] += w * (data[i, a] - mean[a]) * (data[i, b] - mean[b]);
        }
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
                covariance[a, b] /= total;
        return (mean, covariance);
    }
}
