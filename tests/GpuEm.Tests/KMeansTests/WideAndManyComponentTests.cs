using GpuEm.Models.BernoulliMixture;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.KMeansTests;

/// <summary>
/// Sizes that follow the data (d, k) never go on the stack unbounded: on main, the reference
/// k-means engine put 256·d bytes on the stack per chunk and d = 40,000 overflowed it (an
/// uncatchable crash of the test host, not a failure). k = 2,500 components take the heap
/// branch of the per-component buffers (above the 2,048 doubles of StackScratch).
/// </summary>
public sealed class WideAndManyComponentTests
{
    private const int WideColumns = 40_000;

    [Fact]
    public void KMeans_on_40000_columns_with_the_reference_backend_completes()
    {
        float[,] data = TwoGroups(8, WideColumns);
        KMeansModel model = new KMeans(new KMeansOptions
        {
            ClusterCount = 2,
            Backend = Backend.Reference,
            Seed = 1,
        }).Fit(data);
        // The two groups are 10 apart in every column; any start separates them.
        Assert.NotEqual(model.Labels[0], model.Labels[4]);
        Assert.All(model.Labels.Take(4), l => Assert.Equal(model.Labels[0], l));
        Assert.All(model.Labels.Skip(4), l => Assert.Equal(model.Labels[4], l));
        Assert.True(double.IsFinite(model.Inertia));
    }

    [Fact]
    public void Diagonal_Gaussian_fit_on_40000_columns_with_the_k_means_start_completes()
    {
        float[,] data = TwoGroups(8, WideColumns);
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 2,
            CovarianceType = CovarianceType.Diagonal,
            Initialization = GaussianInitialization.KMeans,
            MaxIterations = 3,
            Backend = Backend.Reference,
            Seed = 1,
        }).Fit(data);
        int[] labels = model.Predict(data);
        Assert.NotEqual(labels[0], labels[4]);
        Assert.All(labels.Take(4), l => Assert.Equal(labels[0], l));
        Assert.True(double.IsFinite(model.LogLikelihood));
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void Gaussian_fit_with_2500_components_runs_its_per_component_scratch_on_the_heap(CovarianceType type)
    {
        const int k = 2500;
        float[,] data = Synthetic.Gaussian(k, 1, seed: 2);
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = k,
            CovarianceType = type,
            Initialization = GaussianInitialization.RandomResponsibilities,
            MaxIterations = 1,
            Backend = Backend.Reference,
            Seed = 3,
        }).Fit(data);
        Assert.Equal(k, model.ComponentCount);
        Assert.True(double.IsFinite(model.LogLikelihood));
    }

    [Fact]
    public void Bernoulli_fit_with_2500_components_runs_its_per_component_scratch_on_the_heap()
    {
        const int k = 2500;
        var random = new Random(4);
        var data = new float[k, 3];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < 3; j++)
                data[i, j] = random.Next(2);
        BernoulliMixtureModel model = new BernoulliMixture(new BernoulliMixtureOptions
        {
            ComponentCount = k,
            Initialization = GpuEm.Models.Discrete.DiscreteInitialization.RandomPoints,
            MaxIterations = 1,
            Backend = Backend.Reference,
            Seed = 5,
        }).Fit(data);
        Assert.True(double.IsFinite(model.LogLikelihood));
    }

    // n rows: the first half around 0, the second around 10, in every column.
    private static float[,] TwoGroups(int n, int d)
    {
        var random = new Random(7);
        var data = new float[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                data[i, j] = (i < n / 2 ? 0 : 10) + (float)(0.1 * Synthetic.Normal(random));
        return data;
    }
}
