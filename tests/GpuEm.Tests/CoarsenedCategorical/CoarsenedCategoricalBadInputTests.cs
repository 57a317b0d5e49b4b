using GpuEm.Models.CoarsenedCategorical;
using Xunit;

namespace GpuEm.Tests.CoarsenedCategoricalTests;

/// <summary>Bad tables and observations fail at the public API, saying what, where and what to do.</summary>
public sealed class CoarsenedCategoricalBadInputTests
{
    private static CoarsenedCategorical Ski() => new(SkiCentre.Options());

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_negative_or_non_finite_coefficient_is_rejected_naming_its_cell(double bad)
    {
        var error = Assert.Throws<ArgumentException>(() => new CoarsenedCategorical(
            SkiCentre.Options() with { Coefficients = [1, 5, bad, 1] }));
        Assert.Contains("Coefficients[2]", error.Message);
        Assert.Contains("finite and ≥ 0", error.Message);
    }

    [Fact]
    public void A_group_whose_coefficients_are_all_zero_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new CoarsenedCategorical(
            SkiCentre.Options() with { Coefficients = [1, 5, 0, 0] }));
        Assert.Contains("Group 1 has only zero coefficients (cells 2, 3)", error.Message);
    }

    [Fact]
    public void A_gap_in_the_group_numbers_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => new CoarsenedCategorical(
            SkiCentre.Options() with { Groups = [0, 0, 2, 2] }));
        Assert.Contains("Group 1 has no cells", error.Message);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(715_827_883)] // allocated 5.7 GB of group sums before (fuzz test)
    [InlineData(int.MaxValue)] // overflowed G = max + 1 before (fuzz test)
    public void A_group_number_at_or_past_the_cell_count_is_rejected_before_anything_is_sized(int group)
    {
        var error = Assert.Throws<ArgumentException>(() => new CoarsenedCategorical(
            SkiCentre.Options() with { Groups = [0, 0, 1, group] }));
        Assert.Contains($"Groups[3] = {group}", error.Message);
        Assert.Contains("cell count (4)", error.Message);
    }

    [Fact]
    public void A_table_of_mismatched_or_bad_shape_is_rejected()
    {
        Assert.Contains("Groups has 3 values; Coefficients has 4", Assert.Throws<ArgumentException>(() =>
            new CoarsenedCategorical(SkiCentre.Options() with { Groups = [0, 0, 1] })).Message);
        Assert.Contains("Groups[1] = -1", Assert.Throws<ArgumentException>(() =>
            new CoarsenedCategorical(SkiCentre.Options() with { Groups = [0, -1, 1, 1] })).Message);
        Assert.Contains("at least one cell", Assert.Throws<ArgumentException>(() =>
            new CoarsenedCategorical(SkiCentre.Options() with { Coefficients = [], Groups = [] })).Message);
    }

    [Fact]
    public void Bad_settings_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CoarsenedCategorical(SkiCentre.Options(maxIterations: -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CoarsenedCategorical(SkiCentre.Options(tolerance: double.NaN)));
        Assert.Contains("InitialGroupParameters has 3 values; the table has 2 groups", Assert.Throws<ArgumentException>(() =>
            new CoarsenedCategorical(SkiCentre.Options() with { InitialGroupParameters = [0.1, 0.1, 0.1] })).Message);
        Assert.Contains("InitialGroupParameters[1] = -0.5", Assert.Throws<ArgumentException>(() =>
            new CoarsenedCategorical(SkiCentre.Options() with { InitialGroupParameters = [0.1, -0.5] })).Message);
        Assert.Contains("must be positive", Assert.Throws<ArgumentException>(() =>
            new CoarsenedCategorical(SkiCentre.Options() with { InitialGroupParameters = [0, 0] })).Message);
    }

    [Theory]
    [InlineData(-2.0)]
    [InlineData(double.NaN)]
    [InlineData(double.NegativeInfinity)]
    public void A_negative_or_non_finite_count_is_rejected_naming_its_observation(double bad)
    {
        var error = Assert.Throws<ArgumentException>(() => Ski().Fit([SkiCentre.T0(3), SkiCentre.S1(bad)]));
        Assert.Contains("Observation 1 has count", error.Message);
        Assert.Contains("finite and ≥ 0", error.Message);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(-1)]
    public void A_cell_out_of_range_is_rejected(int cell)
    {
        var error = Assert.Throws<ArgumentException>(() =>
            Ski().Fit([SkiCentre.T0(3), new CoarsenedObservation([SkiCentre.T0S0, cell], 2)]));
        Assert.Contains($"Observation 1 lists cell {cell}, outside the table's 4 cells (0 … 3)", error.Message);
    }

    [Fact]
    public void An_observation_without_cells_or_with_a_repeated_cell_is_rejected()
    {
        Assert.Contains("Observation 0 lists no cells", Assert.Throws<ArgumentException>(() =>
            Ski().Fit([new CoarsenedObservation([], 1)])).Message);
        Assert.Contains("Observation 0 lists cell 1 twice", Assert.Throws<ArgumentException>(() =>
            Ski().Fit([new CoarsenedObservation([1, 1], 1)])).Message);
        Assert.Contains("Observation 1 is null", Assert.Throws<ArgumentException>(() =>
            Ski().Fit([SkiCentre.T0(1), null!])).Message);
    }

    [Fact]
    public void No_observations_or_only_zero_counts_are_rejected()
    {
        Assert.Throws<ArgumentNullException>(() => Ski().Fit(null!));
        Assert.Contains("no observations", Assert.Throws<ArgumentException>(() => Ski().Fit([])).Message);
        Assert.Contains("All 2 observations have count 0", Assert.Throws<ArgumentException>(() =>
            Ski().Fit([SkiCentre.T0(0), SkiCentre.S0(0)])).Message);
    }

    [Fact]
    public void A_positive_count_on_cells_of_probability_zero_is_rejected()
    {
        var table = new CoarsenedCategorical(SkiCentre.Options() with { Coefficients = [1, 5, 3, 0] });
        var error = Assert.Throws<ArgumentException>(() =>
            table.Fit([SkiCentre.T0(3), CoarsenedObservation.Cell(SkiCentre.T1S1, 2)]));
        Assert.Contains("Observation 1 (count 2) has probability 0", error.Message);

        var started = new CoarsenedCategorical(SkiCentre.Options() with { InitialGroupParameters = [1, 0] });
        Assert.Contains("Observation 0 (count 1) has probability 0", Assert.Throws<ArgumentException>(() =>
            started.Fit([SkiCentre.T1(1)])).Message);
    }
}
