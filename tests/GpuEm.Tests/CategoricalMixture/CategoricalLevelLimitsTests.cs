using GpuEm.Models.CategoricalMixture;
using GpuEm.Tests.Cli;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.CategoricalMixtures;

/// <summary>
/// A level of 2·10⁹ (an id, not a category code) is an argument error that says to recode, not
/// an OverflowException from sizing the one-hot rows (n × Σ L_j floats).
/// </summary>
public sealed class CategoricalLevelLimitsTests : TempFolderTests
{
    public CategoricalLevelLimitsTests()
        : base("gpuem-levels-")
    {
    }

    private static CategoricalMixtureOptions Options => new() { ComponentCount = 2, Backend = Backend.Reference };

    [Fact]
    public void A_level_of_two_billion_is_an_argument_error_that_says_to_recode()
    {
        int[,] data = { { 0, 2_000_000_000 }, { 1, 0 }, { 0, 1 } };
        ArgumentException ex = Assert.Throws<ArgumentException>(() => new CategoricalMixture(Options).Fit(data));
        Assert.Contains("column 1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("recode", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_largest_int_as_a_level_is_an_argument_error()
    {
        int[,] data = { { 0, int.MaxValue }, { 1, 0 } };
        Assert.Throws<ArgumentException>(() => new CategoricalMixture(Options).Fit(data));
    }

    [Fact]
    public void An_inferred_level_far_past_the_row_count_is_refused_before_the_one_hot_rows_are_allocated()
    {
        // One row holding 715827883 allocated 2.8 GB of indicators before (fuzz test).
        long before = GC.GetAllocatedBytesForCurrentThread();
        ArgumentException ex = Assert.Throws<ArgumentException>(() =>
            new CategoricalMixture(Options).Fit(new[,] { { 715_827_883 }, { 0 } }));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 24, "refused after allocating");
        Assert.Contains("implies 715827884 levels for 2 rows", ex.Message, StringComparison.Ordinal);
        Assert.Contains("recode", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Inferred_levels_up_to_the_slack_are_taken_for_a_small_sample()
    {
        // 3 rows with codes up to 4,095 (4,096 levels): a small sample of a many-level column.
        var model = new CategoricalMixture(Options).Fit(new[,] { { 4095 }, { 0 }, { 7 } });
        Assert.Equal(4096, model.LevelCounts[0]);
    }

    [Fact]
    public void Level_counts_of_two_billion_are_an_argument_error()
    {
        int[,] data = { { 0, 1 }, { 1, 0 } };
        Assert.Throws<ArgumentException>(() =>
            new CategoricalMixture(Options).Fit(data, [2_000_000_000, 2_000_000_000]));
    }

    [Fact]
    public void Cli_categorical_with_a_level_of_two_billion_prints_one_error_line()
    {
        string input = PathOf("levels.csv");
        File.WriteAllText(input, "0,2000000000\n1,0\n0,1\n");
        (int code, string stdout, string stderr) = InProcess.Run("categorical", "--input", input, "--k", "2", "--backend", "reference");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("recode", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
