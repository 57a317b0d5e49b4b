using GpuEm.Models.BernoulliMixture;
using Xunit;

namespace GpuEm.Tests.Bernoulli;

/// <summary>Bad input fails at the public API with a message that says what, where and what to do.</summary>
public sealed class BernoulliBadInputTests
{
    private static BernoulliMixture Estimator(int k = 2) =>
        new(new BernoulliMixtureOptions { ComponentCount = k, Backend = Backend.Reference });

    [Theory]
    [InlineData(0.5f)]
    [InlineData(2f)]
    [InlineData(-1f)]
    [InlineData(float.PositiveInfinity)]
    public void A_value_other_than_0_1_or_NaN_is_rejected_naming_its_row_and_column(float bad)
    {
        var data = new float[5, 4];
        data[3, 2] = bad;
        var error = Assert.Throws<ArgumentException>(() => Estimator().Fit(data));
        Assert.Contains("row 3, column 2", error.Message);
        Assert.Contains("0 or 1", error.Message);
    }

    [Fact]
    public void A_row_with_every_entry_missing_is_rejected()
    {
        var data = new float[4, 3];
        for (int j = 0; j < 3; j++)
            data[2, j] = float.NaN;
        var error = Assert.Throws<ArgumentException>(() => Estimator().Fit(data));
        Assert.Contains("Row 2", error.Message);
        Assert.Contains("missing", error.Message);
    }

    [Fact]
    public void More_components_than_points_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Estimator(k: 6).Fit(new float[5, 3]));
        Assert.Contains("k = 6", error.Message);
        Assert.Contains("n = 5", error.Message);
    }

    [Fact]
    public void Predicting_with_the_wrong_dimension_is_rejected()
    {
        (float[,] data, _, _, _) = PlantedBinary.Sample(50, 4, 2, seed: 1);
        BernoulliMixtureModel model = Estimator().Fit(data);
        var error = Assert.Throws<ArgumentException>(() => model.Predict(new float[3, 5]));
        Assert.Contains("5 columns", error.Message);
        Assert.Contains("fitted on 4", error.Message);
        Assert.Throws<ArgumentException>(() => model.PredictProba(new float[3, 2]));
        Assert.Throws<ArgumentException>(() => model.ScoreSamples(new float[3, 2]));
    }

    [Theory]
    [InlineData(0, 1e-3)]
    [InlineData(2, -1.0)]
    [InlineData(2, double.NaN)]
    public void Invalid_options_are_rejected(int k, double smoothing) =>
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new BernoulliMixture(new BernoulliMixtureOptions { ComponentCount = k, Smoothing = smoothing }));

    [Fact]
    public void Bad_sample_weights_are_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => Estimator().Fit(new float[4, 2], new float[3]));
        Assert.Contains("3 sample weights for 4 rows", error.Message);
    }
}
