using GpuEm.Em;
using GpuEm.Models.GaussianMixture;
using Xunit;

namespace GpuEm.Tests.Gaussian;

/// <summary>
/// <see cref="GaussianMixtureOptions.SplitMergeTrials"/> (split-and-merge EM, Ueda et al. 2000):
/// the local optimum it exists for (two components on one cluster, one on two), never a lower
/// log-likelihood than the fit it starts from, k and the weights kept, reproducible, and the
/// settings it cannot be used with.
/// </summary>
public sealed class SplitMergeTests
{
    // Three clusters on a line: 200 points at 0, 100 at 10, 100 at 14 (σ = 1).
    private static float[,] Line(int seed)
    {
        var random = new Random(seed);
        var x = new float[400, 1];
        for (int i = 0; i < 400; i++)
        {
            double centre = i < 200 ? 0 : i < 300 ? 10 : 14;
            x[i, 0] = (float)(centre + Support.Synthetic.Normal(random));
        }
        return x;
    }

    private static GaussianMixtureOptions Stuck(CovarianceType type) => new()
    {
        ComponentCount = 3,
        CovarianceType = type,
        Backend = Backend.Reference,
        Initialization = GaussianInitialization.Given,
        InitialParameters = new GaussianMixtureStart([1, 1, 1], new double[,] { { -1 }, { 1 }, { 12 } }),
        MaxIterations = 500,
        Tolerance = 1e-8,
    };

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    public void TwoComponentsOnOneClusterAndOneOnTwoAreMergedAndSplit(CovarianceType type)
    {
        float[,] x = Line(1);
        GaussianMixtureModel stuck = new GaussianMixture(Stuck(type)).Fit(x);
        // The plain fit keeps one component over both clusters at 10 and 14.
        Assert.Contains(Enumerable.Range(0, 3), c => stuck.Means[c, 0] > 11 && stuck.Means[c, 0] < 13);
        GaussianMixtureModel fixedUp = new GaussianMixture(Stuck(type) with { SplitMergeTrials = 5 }).Fit(x);
        Assert.True(fixedUp.SplitMergeMoves >= 1);
        Assert.True(fixedUp.LogLikelihood > stuck.LogLikelihood + 10, $"{fixedUp.LogLikelihood} vs {stuck.LogLikelihood}");
        double[] means = Enumerable.Range(0, 3).Select(c => fixedUp.Means[c, 0]).Order().ToArray();
        Assert.Equal(0, means[0], 0.5);
        Assert.Equal(10, means[1], 0.5);
        Assert.Equal(14, means[2], 0.5);
        Assert.Equal(3, fixedUp.ComponentCount);
        Assert.Equal(1, fixedUp.Weights.Sum(), 12);
        // Every candidate fit is counted in the work.
        Assert.True(fixedUp.Summary.EStepsRun > stuck.Summary.EStepsRun);
        GaussianMixtureModel again = new GaussianMixture(Stuck(type) with { SplitMergeTrials = 5 }).Fit(x);
        Assert.Equal(fixedUp.Means, again.Means);
        Assert.Equal(fixedUp.LogLikelihood, again.LogLikelihood);
    }

    [Theory]
    [InlineData(2, 4, CovarianceType.Full)]
    [InlineData(3, 5, CovarianceType.Diagonal)]
    [InlineData(4, 3, CovarianceType.Tied)]
    [InlineData(5, 6, CovarianceType.Spherical)]
    public void NeverBelowThePlainFitAndKAndTheWeightsKept(int seed, int k, CovarianceType type)
    {
        var random = new Random(seed);
        var x = new float[300, 3];
        for (int i = 0; i < 300; i++)
            for (int j = 0; j < 3; j++)
                x[i, j] = (float)(i % 4 * (j + 1) + Support.Synthetic.Normal(random) * (1 + j));
        var options = new GaussianMixtureOptions { ComponentCount = k, CovarianceType = type, Seed = seed, Backend = Backend.Reference };
        GaussianMixtureModel plain = new GaussianMixture(options).Fit(x);
        GaussianMixtureModel moved = new GaussianMixture(options with { SplitMergeTrials = 6 }).Fit(x);
        Assert.True(moved.Summary.Objective >= plain.Summary.Objective);
        // The candidates ran (their E-steps are counted).
        Assert.True(moved.Summary.EStepsRun > plain.Summary.EStepsRun);
        Assert.Equal(moved.SplitMergeMoves == 0, moved.Summary.Objective == plain.Summary.Objective);
        Assert.Equal(k, moved.ComponentCount);
        Assert.Equal(1, moved.Weights.Sum(), 12);
        Assert.All(moved.Weights, w => Assert.True(w > 0));
    }

    [Fact]
    public void FewerThanThreeComponentsMakeNoMoveAndBadSettingsAreRefused()
    {
        float[,] x = Line(2);
        var two = new GaussianMixtureOptions { ComponentCount = 2, Backend = Backend.Reference };
        GaussianMixtureModel plain = new GaussianMixture(two).Fit(x);
        GaussianMixtureModel same = new GaussianMixture(two with { SplitMergeTrials = 4 }).Fit(x);
        Assert.Equal(plain.Means, same.Means);
        Assert.Equal(0, same.SplitMergeMoves);
        Assert.Equal("SplitMergeTrials", Assert.Throws<ArgumentOutOfRangeException>(
            () => new GaussianMixture(two with { SplitMergeTrials = -1 })).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(
            () => new GaussianMixture(two with { ComponentCount = 3, SplitMergeTrials = 2 })
                .FitSemiSupervised(x, [0, 1, .. Enumerable.Repeat(-1, 398)])).ParamName);
    }
}
