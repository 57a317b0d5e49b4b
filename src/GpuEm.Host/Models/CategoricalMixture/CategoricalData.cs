using GpuEm.Data;

namespace GpuEm.Models.CategoricalMixture;

/// <summary>
/// Validated categorical data: row-major n × d levels (−1 = missing), the level count L_j of every
/// feature, and the same data as one-hot indicator columns (n × Σ L_j floats; a missing feature's
/// columns are all 0), which also validate and hold the sample weights.
/// </summary>
internal sealed class CategoricalData
{
    private CategoricalData(int[] values, int rows, int columns, int[] levelCounts, DataMatrix indicators, bool missing)
    {
        Values = values;
        Rows = rows;
        Columns = columns;
        Layout = new LevelLayout(levelCounts);
        Indicators = indicators;
        HasMissing = missing;
    }

    /// <summary>Row-major n × d levels, −1 where missing.</summary>
    public int[] Values { get; }

    public int Rows { get; }

    public int Columns { get; }

    public LevelLayout Layout { get; }

    /// <summary>One-hot rows, n × Σ L_j, with the sample weights.</summary>
    public DataMatrix Indicators { get; }

    public bool HasMissing { get; }

    public double TotalWeight => Indicators.TotalWeight;

    public ReadOnlySpan<int> Row(int row) => Values.AsSpan(row * Columns, Columns);

    /// <summary>
    /// Rows [first, first + rows) of a source as levels: each value a whole number ≥ −1 that an
    /// int holds, or NaN (missing, as −1); anything else is an error naming the source's row and
    /// column.
    /// </summary>
    public static int[,] Levels(IDataSource source, long first, int rows)
    {
        ArgumentNullException.ThrowIfNull(source);
        int d = source.ColumnCount;
        float[] values = DataSource.ReadRange(source, first, rows);
        var levels = new int[rows, d];
        for (int row = 0; row < rows; row++)
            for (int column = 0; column < d; column++)
            {
                float value = values[(long)row * d + column];
                if (float.IsNaN(value))
                {
                    levels[row, column] = -1;
                    continue;
                }
                if (value != MathF.Floor(value) || value < -1 || value >= int.MaxValue)
                    throw new ArgumentException(
                        $"{source.Description} holds {value} at row {first + row}, column {column} (zero-based); a categorical " +
                        "mixture takes levels 0, 1, 2, … and −1 or NaN for a missing entry.", source.Description);
                levels[row, column] = (int)value;
            }
        return levels;
    }

    /// <summary>Inferred level counts up to this many are taken even for fewer rows (small samples
    /// of a many-level column).</summary>
    internal const int InferredLevelSlack = 4096;

    /// <summary>
    /// Copies and validates a 2-D array of levels. With <paramref name="levelCounts"/> null, L_j is
    /// one more than the largest level seen in column j (at most max(n, InferredLevelSlack)).
    /// </summary>
    public static CategoricalData From(int[,] data, int[]? levelCounts, float[]? weights)
    {
        ArgumentNullException.ThrowIfNull(data);
        int rows = data.GetLength(0);
        int columns = data.GetLength(1);
        if (rows == 0 || columns == 0)
            throw new ArgumentException(
                $"The data is empty ({rows} × {columns}); it needs at least one row and one column.", nameof(data));
        int[] levels;
        if (levelCounts is null)
        {
            levels = new int[columns];
            for (int row = 0; row < rows; row++)
                for (int column = 0; column < columns; column++)
                {
                    int value = data[row, column];
                    if (value == int.MaxValue)
                        throw new ArgumentException(
                            $"The data holds {value} at row {row}, column {column} (zero-based); levels are codes " +
                            "0, 1, 2, … of the categories (recode them), or −1 for a missing entry.", nameof(data));
                    levels[column] = Math.Max(levels[column], value + 1);
                }
            for (int column = 0; column < columns; column++)
            {
                levels[column] = Math.Max(levels[column], 1);
                // Inferred levels are the largest code + 1, and each is a dense one-hot column:
                // far more levels than rows means the values are ids, not codes (one row holding
                // 715827883 would allocate 2.8 GB). Explicit level counts are taken as given.
                if (levels[column] > Math.Max(rows, InferredLevelSlack))
                    throw new ArgumentException(
                        $"The data's column {column} (zero-based) holds the code {levels[column] - 1}, which implies {levels[column]} levels for " +
                        $"{rows} rows: levels are codes 0, 1, 2, … of the categories, so recode large values (ids) to " +
                        "consecutive codes, or give the level counts explicitly.", nameof(data));
            }
        }
        else
        {
            if (levelCounts.Length != columns)
                throw new ArgumentException(
                    $"There are {levelCounts.Length} level counts for {columns} columns; give one per column.",
                    nameof(levelCounts));
            for (int column = 0; column < columns; column++)
                if (levelCounts[column] < 1)
                    throw new ArgumentException(
                        $"Level count {levelCounts[column]} of column {column} is invalid; each column needs ≥ 1 level.",
                        nameof(levelCounts));
            levels = (int[])levelCounts.Clone();
        }

        // The one-hot rows hold n × Σ L_j floats in one array: a level such as 2·10⁹ (an id, not a
        // code) would overflow the sizes, so it is refused here, naming the largest column.
        long total = 0;
        int widest = 0;
        for (int column = 0; column < columns; column++)
        {
            total += levels[column];
            if (levels[column] > levels[widest])
                widest = column;
        }
        if (total > Array.MaxLength / rows)
            throw new ArgumentException(
                $"The {rows} rows' one-hot indicators would hold {rows} × {total} values (Σ L_j over the columns; " +
                $"column {widest} alone has {levels[widest]} levels), more than one array holds ({Array.MaxLength}). " +
                "Levels are codes 0, 1, 2, … of the categories: recode large values (ids) to consecutive codes.",
                levelCounts is null ? nameof(data) : nameof(levelCounts));
        var layout = new LevelLayout(levels);
        var values = new int[rows * columns];
        var indicators = new float[(long)rows * layout.Total];
        bool missing = false;
        for (int row = 0; row < rows; row++)
        {
            int observed = 0;
            for (int column = 0; column < columns; column++)
            {
                int value = data[row, column];
                if (value < -1 || value >= levels[column])
                    throw new ArgumentException(
                        $"The data holds {value} at row {row}, column {column} (zero-based); column {column} takes " +
                        $"levels 0 … {levels[column] - 1}, or −1 for a missing entry.", nameof(data));
                values[row * columns + column] = value;
                if (value < 0)
                {
                    missing = true;
                    continue;
                }
                indicators[(long)row * layout.Total + layout.Offsets[column] + value] = 1f;
                observed++;
            }
            if (observed == 0)
                throw new ArgumentException(
                    $"Row {row} has every entry missing (−1); it carries no information. Remove that row.", nameof(data));
        }
        return new CategoricalData(
            values, rows, columns, levels, DataMatrix.From(indicators, rows, layout.Total, weights), missing);
    }
}
