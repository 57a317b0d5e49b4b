using GpuEm.Data;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// Validated binary data: row-major n × d indicators (0 or 1; 0 where missing), the observed mask
/// (1 = observed, 0 = missing; null when nothing is missing) and the optional sample weights.
/// The indicators are held in a <see cref="DataMatrix"/>, which validates shape and weights.
/// </summary>
internal sealed class BinaryData
{
    private BinaryData(DataMatrix indicators, float[]? mask)
    {
        Indicators = indicators;
        Mask = mask;
    }

    /// <summary>Row-major n × d values in {0, 1}; missing entries hold 0.</summary>
    public DataMatrix Indicators { get; }

    /// <summary>Row-major n × d, 1 = observed and 0 = missing; null when every entry is observed.</summary>
    public float[]? Mask { get; }

    public int Rows => Indicators.Rows;

    public int Columns => Indicators.Columns;

    public double TotalWeight => Indicators.TotalWeight;

    /// <summary>The observed mask of a row; empty when every entry is observed.</summary>
    public ReadOnlySpan<float> MaskRow(int row) =>
        Mask is null ? ReadOnlySpan<float>.Empty : Mask.AsSpan(row * Columns, Columns);

    /// <summary>
    /// Copies and validates a 2-D array of 0, 1 and NaN (missing). Anything else, and a row with
    /// every entry missing, is an error naming the row (and column).
    /// </summary>
    public static BinaryData From(float[,] data, float[]? weights)
    {
        ArgumentNullException.ThrowIfNull(data);
        ReadOnlySpan<float> flat = data.Length == 0
            ? ReadOnlySpan<float>.Empty
            : System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(ref data[0, 0], data.Length);
        return From(flat, data.GetLength(0), data.GetLength(1), weights, "data", 0);
    }

    /// <summary>Reads a whole source (rows of 0, 1 and NaN) and validates it as the array overload does.</summary>
    public static BinaryData From(IDataSource source, float[]? weights)
    {
        ArgumentNullException.ThrowIfNull(source);
        int rows = checked((int)source.RowCount);
        float[] values = DataSource.ReadRange(source, 0, rows);
        return From(values, rows, source.ColumnCount, weights, source.Description, 0);
    }

    /// <summary>
    /// Validates row-major values; errors name the row as <paramref name="firstRow"/> + its index
    /// and the parameter <paramref name="name"/> (a source's description, for the command line).
    /// </summary>
    public static BinaryData From(ReadOnlySpan<float> data, int rows, int columns, float[]? weights, string name, long firstRow)
    {
        var values = new float[rows * columns];
        float[]? mask = null;
        for (int row = 0; row < rows; row++)
        {
            int observed = 0;
            for (int column = 0; column < columns; column++)
            {
                float value = data[row * columns + column];
                if (float.IsNaN(value))
                {
                    if (mask is null)
                    {
                        mask = new float[values.Length];
                        Array.Fill(mask, 1f);
                    }
                    mask[row * columns + column] = 0f;
                    continue;
                }
                if (value != 0f && value != 1f)
                    throw new ArgumentException(
                        $"The data holds {value} at row {firstRow + row}, column {column} (zero-based); a Bernoulli mixture " +
                        "takes 0 or 1, and NaN for a missing entry. Binarize that column first.", name);
                values[row * columns + column] = value;
                observed++;
            }
            if (observed == 0 && columns > 0)
                throw new ArgumentException(
                    $"Row {firstRow + row} has every entry missing (NaN); it carries no information. Remove that row.",
                    name);
        }
        return new BinaryData(DataMatrix.From(values, rows, columns, weights), mask);
    }
}
