using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Gaussian;

/// <summary>Bad input fails at the public API with a message that says what, where and what to do.</summary>
public sealed class BadInputTests
{
    private static GaussianMixture Estimator(int k = 2, Backend backend = Backend.Reference) =>
        new(new GaussianMixtureOptions { ComponentCount = k, Backend = backend });

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void A_non_finite_value_is_rejected_naming_its_row_and_column(float bad)
    {
        float[,] data = Synthetic.Gaussian(10, 3, seed: 1);
        data[7, 2] = bad;
        var error = Assert.Throws<ArgumentException>(() => Estimator().Fit(data));
        Assert.Contains("row 7, column 2", error.Message);
    }

    [Fact]
    public void The_first_bad_value_is_named_when_several_lie_in_different_blocks()
    {
        // 2.4 M values: the finite check runs over blocks of 2²⁰ values in parallel; the message
        // must still name the first bad value.
        var data = new float[300_000, 8];
        data[290_000, 1] = float.NaN;
        data[200_000, 3] = float.PositiveInfinity;
        data[200_001, 0] = float.NaN;
        var error = Assert.Throws<ArgumentException>(() => Estimator().Fit(data));
        Assert.Contains("row 200000, column 3", error.Message);
    }

    [Fact]
    public void Empty_data_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Estimator().Fit(new float[0, 3]));
        Assert.Contains("empty", error.Message);
        Assert.Throws<ArgumentException>(() => Estimator().Fit(new float[4, 0]));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Fewer_than_one_component_is_rejected(int k) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Estimator(k));

    [Fact]
    public void More_components_than_points_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Estimator(k: 6).Fit(Synthetic.Gaussian(5, 2, seed: 1)));
        Assert.Contains("k = 6", error.Message);
        Assert.Contains("n = 5", error.Message);
    }

    [Fact]
    public void Predicting_with_the_wrong_dimension_is_rejected()
    {
        GaussianMixtureModel model = Estimator().Fit(Synthetic.Gaussian(50, 3, seed: 1));
        var error = Assert.Throws<ArgumentException>(() => model.Predict(Synthetic.Gaussian(5, 2, seed: 2)));
        Assert.Contains("2 columns", error.Message);
        Assert.Contains("fitted on 3", error.Message);
        Assert.Throws<ArgumentException>(() => model.PredictProba(new float[4], 2, 2));
    }

    [Theory]
    [InlineData(Backend.Reference)]
    [InlineData(Backend.CpuAccelerator)]
    public void A_covariance_that_stays_singular_suggests_raising_the_regularization(Backend backend)
    {
        float[,] data = Synthetic.Gaussian(40, 2, seed: 3);
        for (int i = 0; i < 40; i++)
            data[i, 1] = 5f; // a constant column: zero variance
        var estimator = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 1,
            CovarianceRegularization = 0,
            Backend = backend,
        });
        var error = Assert.Throws<SingularCovarianceException>(() => estimator.Fit(data));
        Assert.Contains("CovarianceRegularization", error.Message);

        // The documented remedy works.
        GaussianMixtureModel model = new GaussianMixture(estimator.Options with { CovarianceRegularization = 1e-6 }).Fit(data);
        Assert.True(double.IsFinite(model.MeanLogLikelihood));
    }

    [Fact]
    public void Bad_sample_weights_are_rejected()
    {
        float[,] data = Synthetic.Gaussian(10, 2, seed: 1);
        Assert.Contains("10 rows", Assert.Throws<ArgumentException>(() => Estimator().Fit(data, new float[9])).Message);
        float[] negative = Enumerable.Repeat(1f, 10).ToArray();
        negative[4] = -1;
        Assert.Contains("row 4", Assert.Throws<ArgumentException>(() => Estimator().Fit(data, negative)).Message);
        Assert.Contains("all zero", Assert.Throws<ArgumentException>(() => Estimator().Fit(data, new float[10])).Message);
        float[] nan = Enumerable.Repeat(1f, 10).ToArray();
        nan[0] = float.NaN;
        Assert.Throws<ArgumentException>(() => Estimator().Fit(data, nan));
    }

    [Fact]
    public void Row_major_data_must_match_its_shape() =>
        Assert.Contains("need 12", Assert.Throws<ArgumentException>(() => Estimator().Fit(new float[11], 4, 3)).Message);

    [Fact]
    public void Invalid_options_are_rejected_when_the_estimator_is_made()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianMixture(new GaussianMixtureOptions { Tolerance = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianMixture(new GaussianMixtureOptions { Tolerance = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianMixture(new GaussianMixtureOptions { CovarianceRegularization = -1e-3 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianMixture(new GaussianMixtureOptions { MaxIterations = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianMixture(new GaussianMixtureOptions { Restarts = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianMixture(new GaussianMixtureOptions { CovarianceType = (CovarianceType)9 }));
        Assert.Throws<ArgumentException>(() => new GaussianMixture(new GaussianMixtureOptions
        {
            Initialization = GaussianInitialization.Given,
        }));
    }

    [Fact]
    public void A_given_start_of_the_wrong_shape_is_rejected()
    {
        var options = new GaussianMixtureOptions
        {
            ComponentCount = 2,
            Initialization = GaussianInitialization.Given,
            InitialParameters = new GaussianMixtureStart(new[] { 0.5, 0.5 }, new double[2, 3]),
            Backend = Backend.Reference,
        };
        Assert.Contains("expected 2 × 2", Assert.Throws<ArgumentException>(
            () => new GaussianMixture(options).Fit(Synthetic.Gaussian(20, 2, seed: 1))).Message);
        var notDefinite = options with
        {
            InitialParameters = new GaussianMixtureStart(
                new[] { 0.5, 0.5 }, new double[2, 2], new double[,,] { { { 1, 2 }, { 2, 1 } }, { { 1, 0 }, { 0, 1 } } }),
        };
        Assert.Contains("positive definite", Assert.Throws<ArgumentException>(
            () => new GaussianMixture(notDefinite).Fit(Synthetic.Gaussian(20, 2, seed: 1))).Message);
    }
}
