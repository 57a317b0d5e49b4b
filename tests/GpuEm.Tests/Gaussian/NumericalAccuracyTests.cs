using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Gaussian;

/// <summary>Accuracy where float32 kernels are most at risk.</summary>
public sealed class NumericalAccuracyTests
{
    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void Far_from_the_origin_the_accelerator_covariance_does_not_cancel(CovarianceType type)
    {
        // Offset 1e4, spread ~1: E[x²] − E[x]² in float32 would keep no correct digit of the
        // variance (1e8 ± 1 needs 9 digits). Centring on the current mean keeps ~1e-6 relative.
        float[,] data = Synthetic.Gaussian(20000, 2, seed: 17, scale: 1, offset: 1e4);
        var options = new GaussianMixtureOptions { ComponentCount = 1, CovarianceType = type, CovarianceRegularization = 0, MaxIterations = 3 };
        GaussianMixtureModel reference = new GaussianMixture(options with { Backend = Backend.Reference }).Fit(data);
        GaussianMixtureModel accelerator = new GaussianMixture(options with { Backend = Backend.CpuAccelerator }).Fit(data);
        Tolerance.Close(reference.Covariances, accelerator.Covariances, 1e-6, 1e-5, "covariances");
        Tolerance.Close(reference.Means, accelerator.Means, 1e-6, 1e-9, "means");
    }

    [Fact]
    public void Tied_reference_e_step_is_translation_invariant_far_from_the_origin()
    {
        // The tied E-step computes (x − s)U − (μ_c − s)U with s the mean of the means; shifting
        // the data by 1e4 must change the fit only by rounding of the float32 data (~1e-3 · 1e-4).
        (float[,] data, _, _) = Synthetic.Mixture(2000, 3, 3, seed: 19, separation: 3);
        var far = new float[2000, 3];
        for (int i = 0; i < 2000; i++)
            for (int j = 0; j < 3; j++)
                far[i, j] = data[i, j] + 1e4f;
        var options = new GaussianMixtureOptions
        {
            ComponentCount = 3,
            CovarianceType = CovarianceType.Tied,
            Backend = Backend.Reference,
            Initialization = GaussianInitialization.KMeansPlusPlus,
            Tolerance = 0,
            MaxIterations = 10,
        };
        GaussianMixtureModel near = new GaussianMixture(options).Fit(data);
        GaussianMixtureModel shifted = new GaussianMixture(options).Fit(far);
        double[,] nearMeans = near.Means, farMeans = shifted.Means;
        for (int c = 0; c < 3; c++)
            for (int j = 0; j < 3; j++)
                Tolerance.Close(nearMeans[c, j] + 1e4, farMeans[c, j], 5e-3, 0, $"mean[{c}, {j}]");
        Tolerance.Close(near.Covariances, shifted.Covariances, 5e-3, 5e-3, "covariances");
        Tolerance.Close(near.MeanLogLikelihood, shifted.MeanLogLikelihood, 1e-4, 0, "mean log-likelihood");
    }

    [CudaFact]
    public void Cuda_matches_the_reference_on_a_larger_mixture()
    {
        (float[,] data, _, _) = Synthetic.Mixture(200000, 8, 6, seed: 23, separation: 3);
        foreach (CovarianceType type in Enum.GetValues<CovarianceType>())
        {
            var options = new GaussianMixtureOptions
            {
                ComponentCount = 6,
                CovarianceType = type,
                MaxIterations = 1,
                Tolerance = 0,
                Initialization = GaussianInitialization.KMeansPlusPlus,
                Seed = 2,
            };
            GaussianMixtureModel reference = new GaussianMixture(options with { Backend = Backend.Reference }).Fit(data);
            GaussianMixtureModel cuda = new GaussianMixture(options with { Backend = Backend.Cuda }).Fit(data);
            // As AcceleratorParityTests after one iteration.
            Tolerance.Close(reference.Means, cuda.Means, 1e-5, 1e-4, $"{type} means");
            Tolerance.Close(reference.Covariances, cuda.Covariances, 1e-5, 1e-4, $"{type} covariances");
            Tolerance.Close(reference.MeanLogLikelihood, cuda.MeanLogLikelihood, 1e-5, 0, $"{type} mean log-likelihood");
        }
    }

    [CudaFact]
    public void Cuda_kmeans_matches_the_reference()
    {
        (float[,] data, _, _) = Synthetic.Mixture(200000, 16, 8, seed: 29, separation: 8);
        var options = new KMeansOptions { ClusterCount = 8, MaxIterations = 5, Tolerance = 0, Seed = 1, Initialization = KMeansInitialization.RandomPoints };
        KMeansModel reference = new KMeans(options with { Backend = Backend.Reference }).Fit(data);
        KMeansModel cuda = new KMeans(options with { Backend = Backend.Cuda }).Fit(data);
        Tolerance.Close(reference.Centres, cuda.Centres, 1e-5, 1e-5, "centres");
        Tolerance.Close(reference.Inertia, cuda.Inertia, 1e-6, 1e-5, "inertia");
    }
}
