using GpuEm.Em;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Streaming;

/// <summary>
/// Data beyond the device budget streams through the device in chunks (forced here with a small
/// DeviceMemoryLimit on ILGPU's CPU accelerator) and gives the in-memory result to rounding.
/// </summary>
/// <remarks>
/// Tolerances: the chunk sums are float64 partials added in another order, so the statistics
/// differ by ~1e-15 relative; after 8 EM iterations parameters differ by ≤ 1e-9 relative. K-means
/// labels are identical (the per-point kernel is the same).
/// </remarks>
public sealed class StreamingTests
{
    private const int Rows = 1000;
    private const int ChunkRows = 300;

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Streamed_mixture_equals_the_resident_fit(CovarianceType type)
    {
        (float[,] data, _, _) = Synthetic.Mixture(Rows, 3, 2, seed: 71, separation: 3);
        float[] weights = Enumerable.Range(0, Rows).Select(i => 0.5f + i % 3).ToArray();
        (long perRow, long fixedBytes) = AcceleratorGaussianEngine.Footprint(3, 2, type, streamed: true);
        var notices = new List<string>();
        var options = new GaussianMixtureOptions
        {
            ComponentCount = 2,
            CovarianceType = type,
            Backend = Backend.CpuAccelerator,
            Tolerance = 0,
            MaxIterations = 8,
            Initialization = GaussianInitialization.KMeansPlusPlus,
        };
        GaussianMixtureModel resident = new GaussianMixture(options).Fit(data, weights);
        GaussianMixtureModel streamed = new GaussianMixture(options with
        {
            DeviceMemoryLimit = fixedBytes + ChunkRows * perRow,
            Progress = new SynchronousProgress<FitProgress>(p => notices.Add(p.Warning ?? "")),
        }).Fit(data, weights);

        Assert.Contains(notices, n => n.Contains("in 4 chunks"));
        Tolerance.Close(resident.Means, streamed.Means, 1e-9, 1e-9, "means");
        Tolerance.Close(resident.Covariances, streamed.Covariances, 1e-9, 1e-9, "covariances");
        Tolerance.Close(resident.Weights, streamed.Weights, 1e-9, 1e-9, "weights");
        Tolerance.Close(resident.MeanLogLikelihood, streamed.MeanLogLikelihood, 1e-9, 0, "mean log-likelihood");
    }

    [Fact]
    public void Streamed_mixture_with_labels_and_missing_values_equals_the_resident_fit()
    {
        (float[,] data, int[] truth, _) = Synthetic.Mixture(Rows, 3, 2, seed: 72, separation: 3);
        data[10, 1] = float.NaN;
        data[500, 0] = float.NaN;
        int[] labels = truth.Select((c, i) => i % 7 == 0 ? c : -1).ToArray();
        (long perRow, long fixedBytes) = AcceleratorGaussianEngine.Footprint(3, 2, CovarianceType.Full, streamed: true);
        var options = new GaussianMixtureOptions
        {
            ComponentCount = 2,
            Backend = Backend.CpuAccelerator,
            MissingValues = MissingValues.Marginalize,
            Tolerance = 0,
            MaxIterations = 5,
        };
        var notices = new List<string>();
        GaussianMixtureModel resident = new GaussianMixture(options).FitSemiSupervised(data, labels);
        GaussianMixtureModel streamed = new GaussianMixture(options with
        {
            DeviceMemoryLimit = fixedBytes + 128 * perRow,
            Progress = new SynchronousProgress<FitProgress>(p => notices.Add(p.Warning ?? "")),
        }).FitSemiSupervised(data, labels);

        Assert.Contains(notices, n => n.Contains("in 8 chunks"));
        Tolerance.Close(resident.Means, streamed.Means, 1e-9, 1e-9, "means");
        Tolerance.Close(resident.MeanLogLikelihood, streamed.MeanLogLikelihood, 1e-9, 0, "mean log-likelihood");
    }

    [Fact]
    public void Streamed_kmeans_equals_the_resident_fit()
    {
        (float[,] data, _, _) = Synthetic.Mixture(Rows, 4, 5, seed: 73, separation: 3);
        (long perRow, long fixedBytes) = AcceleratorKMeansEngine.Footprint(4, 5, streamed: true);
        var notices = new List<string>();
        var options = new KMeansOptions { ClusterCount = 5, Backend = Backend.CpuAccelerator, Seed = 3 };
        KMeansModel resident = new KMeans(options).Fit(data);
        KMeansModel streamed = new KMeans(options with
        {
            DeviceMemoryLimit = fixedBytes + ChunkRows * perRow,
            Progress = new SynchronousProgress<FitProgress>(p => notices.Add(p.Warning ?? "")),
        }).Fit(data);

        Assert.Contains(notices, n => n.Contains("in 4 chunks"));
        Assert.Equal(resident.Labels, streamed.Labels);
        Assert.Equal(resident.Iterations, streamed.Iterations);
        Tolerance.Close(resident.Centres, streamed.Centres, 1e-9, 1e-9, "centres");
        Tolerance.Close(resident.Inertia, streamed.Inertia, 1e-9, 1e-9, "inertia");
    }

    [Fact]
    public void A_budget_below_one_row_is_a_clear_error()
    {
        float[,] data = Synthetic.Gaussian(50, 2, seed: 74);
        var error = Assert.Throws<InvalidOperationException>(() => new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 2,
            Backend = Backend.CpuAccelerator,
            DeviceMemoryLimit = 1000,
        }).Fit(data));
        Assert.Contains("DeviceMemoryLimit", error.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new KMeans(new KMeansOptions { DeviceMemoryLimit = 0 }));
    }
}
