using GpuEm.Data;
using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;
using TableColumn = GpuEm.Tests.Support.TableColumn;

namespace GpuEm.Tests.DataSources;

/// <summary>
/// Parquet and Arrow IPC files as sources: written here with the libraries that read them
/// (several row groups or record batches, nulls, mixed numeric types, a string column), read back
/// as exactly the float32 matrix the values convert to, and fitted exactly as the same array.
/// </summary>
public sealed class TableDataSourceTests : TempFolderTests
{
    public TableDataSourceTests()
        : base("gpuem-tables-")
    {
    }

    private const int Rows = 25;

    // x float, y double (nulls), n int32 (beyond float32's 2^24), m int64 (nulls), b uint8, s string.
    private static TableColumn[] Mixed() =>
    [
        new("x", typeof(float), Enumerable.Range(0, Rows).Select(i => (object?)(0.1f * i - 1)).ToArray()),
        new("y", typeof(double), Enumerable.Range(0, Rows).Select(i => i % 4 == 1 ? null : (object?)(Math.PI * i)).ToArray()),
        new("n", typeof(int), Enumerable.Range(0, Rows).Select(i => (object?)(16_777_217 + 3 * i - 40)).ToArray()),
        new("m", typeof(long), Enumerable.Range(0, Rows).Select(i => i % 5 == 2 ? null : (object?)((1L << 40) * i - 7)).ToArray()),
        new("b", typeof(byte), Enumerable.Range(0, Rows).Select(i => (object?)(byte)(250 - i)).ToArray()),
        new("s", typeof(string), Enumerable.Range(0, Rows).Select(i => (object?)$"row {i}").ToArray()),
    ];

    // The row-major float32 matrix of the chosen columns: each value cast to float, nulls NaN.
    private static float[] Expected(TableColumn[] columns, params string[] names)
    {
        var values = new List<float>();
        for (int i = 0; i < Rows; i++)
            foreach (string name in names)
                values.Add(columns.Single(c => c.Name == name).Values[i] switch
                {
                    null => float.NaN,
                    float f => f,
                    double v => (float)v,
                    int v => v,
                    long v => v,
                    byte v => v,
                    _ => throw new InvalidOperationException(),
                });
        return values.ToArray();
    }

    private async Task<IDataSource> Open(string format, TableColumn[] columns, int groupRows, string[]? chosen = null) => format switch
    {
        "parquet" => ParquetDataSource.Open(await TableFiles.WriteParquetAsync(PathOf("t.parquet"), columns, groupRows), chosen),
        "arrow" => ArrowDataSource.Open(TableFiles.WriteArrow(PathOf("t.arrow"), columns, groupRows), chosen),
        "feather" => ArrowDataSource.Open(TableFiles.WriteArrow(PathOf("t.feather"), columns, groupRows, compressed: true), chosen),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    [Theory]
    [InlineData("parquet")]
    [InlineData("arrow")]
    [InlineData("feather")]
    public async Task Numeric_columns_read_as_float32_with_nulls_as_NaN_in_any_chunking(string format)
    {
        TableColumn[] columns = Mixed();
        string[] names = ["x", "y", "n", "m", "b"];
        using IDataSource source = await Open(format, columns, groupRows: 10, names);
        Assert.Equal((25L, 5), (source.RowCount, source.ColumnCount));
        float[] expected = Expected(columns, names);
        Assert.Equal(6 + 5, expected.Count(float.IsNaN)); // y: rows 1, 5, …, 21; m: rows 2, 7, …, 22
        foreach (int chunk in new[] { 1, 7, 10, 25 })
            Assert.Equal(expected, SourceReads.InChunks(source, chunk));
        var row = new float[5];
        source.ReadRows(3, 1, row); // a jump back to an earlier row group
        Assert.Equal(expected[15..20], row);
        Assert.Equal(expected, DataSource.ReadAll(source).ToArray());
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("arrow")]
    public async Task Chosen_columns_come_in_the_order_chosen(string format)
    {
        TableColumn[] columns = Mixed();
        using IDataSource source = await Open(format, columns, groupRows: 8, ["m", "x"]);
        Assert.Equal(Expected(columns, "m", "x"), SourceReads.InChunks(source, 6));
        IReadOnlyList<string> names = source is ParquetDataSource p ? p.ColumnNames : ((ArrowDataSource)source).ColumnNames;
        Assert.Equal(["m", "x"], names);
        Assert.Contains(format == "parquet" ? "(Parquet, 25 × 2)" : "(Arrow, 25 × 2)", source.Description);
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("arrow")]
    public async Task A_string_column_or_a_missing_name_fails_naming_the_column(string format)
    {
        TableColumn[] columns = Mixed();
        var all = await Assert.ThrowsAsync<InvalidDataException>(() => Open(format, columns, 10));
        Assert.Contains("the column 's' is a string column, not numeric", all.Message);
        Assert.Contains("--columns", all.Message);
        Assert.Contains("'x', 'y', 'n', 'm', 'b'", all.Message);
        var chosen = await Assert.ThrowsAsync<InvalidDataException>(() => Open(format, columns, 10, ["x", "s"]));
        Assert.Contains("'s'", chosen.Message);
        var absent = await Assert.ThrowsAsync<ArgumentException>(() => Open(format, columns, 10, ["X"]));
        Assert.Contains("has no column 'X' (names are case-sensitive: did you mean 'x'?)", absent.Message);
        var twice = await Assert.ThrowsAsync<ArgumentException>(() => Open(format, columns, 10, ["x", "x"]));
        Assert.Contains("'x'", twice.Message);
    }

    [Fact]
    public void Files_that_are_not_tables_fail_clearly()
    {
        File.WriteAllText(PathOf("no.parquet"), "a,b\n1,2\n");
        Assert.Contains("not a readable Parquet file", Assert.Throws<InvalidDataException>(() => ParquetDataSource.Open(PathOf("no.parquet"))).Message);
        File.WriteAllText(PathOf("no.arrow"), "a,b\n1,2\n");
        Assert.Contains("not an Arrow IPC file", Assert.Throws<InvalidDataException>(() => ArrowDataSource.Open(PathOf("no.arrow"))).Message);
        File.WriteAllBytes(PathOf("stream.arrow"), [0xFF, 0xFF, 0xFF, 0xFF, 0x10, 0, 0, 0]);
        Assert.Contains("IPC stream", Assert.Throws<InvalidDataException>(() => ArrowDataSource.Open(PathOf("stream.arrow"))).Message);
        Assert.Throws<FileNotFoundException>(() => ParquetDataSource.Open(PathOf("absent.parquet")));
        Assert.Throws<FileNotFoundException>(() => ArrowDataSource.Open(PathOf("absent.arrow")));
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("feather")]
    public async Task A_Gaussian_fit_through_a_table_equals_the_fit_on_the_array(string format)
    {
        (float[,] data, _, _) = Synthetic.Mixture(300, 3, 2, seed: 131);
        var options = new GaussianMixtureOptions { ComponentCount = 2, CovarianceType = CovarianceType.Diagonal, Backend = Backend.Reference };
        GaussianMixtureModel memory = new GaussianMixture(options).Fit(data);
        using IDataSource source = await Open(format, TableColumn.Of(data), groupRows: 64);
        GaussianMixtureModel table = new GaussianMixture(options).Fit(source);
        Assert.Equal(memory.Means, table.Means);
        Assert.Equal(memory.LogLikelihood, table.LogLikelihood);
        Assert.Equal(memory.Predict(data), table.Predict(source));
    }

    [Theory]
    [InlineData("parquet")]
    [InlineData("arrow")]
    public async Task Nulls_are_missing_values_that_a_marginalizing_fit_reads_as_NaN(string format)
    {
        (float[,] data, _, _) = Synthetic.Mixture(200, 3, 2, seed: 132);
        for (int i = 5; i < 200; i += 9)
            data[i, i % 3] = float.NaN;
        var options = new GaussianMixtureOptions
        {
            ComponentCount = 2,
            CovarianceType = CovarianceType.Diagonal,
            Backend = Backend.Reference,
            MissingValues = MissingValues.Marginalize,
        };
        GaussianMixtureModel memory = new GaussianMixture(options).Fit(data);
        using IDataSource source = await Open(format, TableColumn.Of(data), groupRows: 50);
        Assert.Equal(memory.Means, new GaussianMixture(options).Fit(source).Means);
        // Without marginalizing, a null is the error NaN is in any source.
        var strict = Assert.Throws<ArgumentException>(() => new GaussianMixture(options with { MissingValues = MissingValues.Error }).Fit(source));
        Assert.Contains("NaN", strict.Message);
    }
}
