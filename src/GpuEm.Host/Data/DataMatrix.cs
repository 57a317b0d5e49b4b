using System.Runtime.InteropServices;

namespace GpuEm.Data;

/// <summary>
/// Validated, read-only data for a fit or a prediction: row-major n × d floats and optional
/// per-point weights. Never writes to the caller's arrays.
/// </summary>
internal sealed class DataMatrix
{
    private DataMatrix(ReadOnlyMemory<float> values, int rows, int columns, float[]? weights)
    {
        Values = values;
        Rows = rows;
        Columns = columns;
        Weights = weights;
        TotalWeight = weights is null ? rows : weights.Sum(w => (double)w);
    }

    /// <summary>Row-major n × d values.</summary>
    public ReadOnlyMemory<float> Values { get; }

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Per-point weights (a private copy), or null when every point weighs 1.</summary>
    public float[]? Weights { get; }

    /// <summary>Σ weights (n without weights).</summary>
    public double TotalWeight { get; }

    /// <summary>
    /// Per-point component labels (a private copy; −1 = unknown), or null when no point is
    /// labelled. A labelled point's responsibilities are fixed to its component.
    /// </summary>
    public int[]? Labels { get; private init; }

    /// <summary>The label of a row, −1 when unknown.</summary>
    public int Label(int row) => Labels is null ? -1 : Labels[row];

    /// <summary>
    /// This data with partial labels (copied and validated: n values in [−1, k)); an array of
    /// only −1 gives no labels.
    /// </summary>
    public DataMatrix WithLabels(int[] labels, int componentCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != Rows)
            throw new ArgumentException(
                $"There are {labels.Length} labels for {Rows} rows; give one label per row (−1 = unknown).", nameof(labels));
        for (int row = 0; row < labels.Length; row++)
            if (labels[row] < -1 || labels[row] >= componentCount)
                throw new ArgumentException(
                    $"Label {labels[row]} at row {row} is out of range; labels are −1 (unknown) or a component " +
                    $"index in [0, {componentCount}).", nameof(labels));
        int[]? copy = labels.Any(l => l >= 0) ? (int[])labels.Clone() : null;
        return new DataMatrix(Values, Rows, Columns, Weights) { Labels = copy };
    }

    public ReadOnlySpan<float> Row(int row) => Values.Span.Slice(row * Columns, Columns);

    public double Weight(int row) => Weights is null ? 1.0 : Weights[row];

    /// <summary>Copies a 2-D array (the copy is row-major and private) and validates it.</summary>
    public static DataMatrix From(float[,] data, float[]? weights, string name = "data")
    {
        ArgumentNullException.ThrowIfNull(data, name);
        int rows = data.GetLength(0);
        int columns = data.GetLength(1);
        var copy = new float[rows * columns];
        if (copy.Length > 0)
            MemoryMarshal.CreateReadOnlySpan(ref data[0, 0], copy.Length).CopyTo(copy);
        return From(copy, rows, columns, weights, name);
    }

    /// <summary>Wraps row-major memory (not copied: it is only read) and validates it.</summary>
    public static DataMatrix From(
        ReadOnlyMemory<float> data, int rows, int columns, float[]? weights, string name = "data")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (rows == 0 || columns == 0)
            throw new ArgumentException($"The {name} is empty ({rows} × {columns}); it needs at least one row and one column.", name);
        if ((long)rows * columns != data.Length)
            throw new ArgumentException(
                $"The {name} holds {data.Length} values, but {rows} rows × {columns} columns need {(long)rows * columns}.", name);
        CheckFinite(data.Span, columns, name);
        float[]? weightCopy = weights is null ? null : CheckWeights(weights, rows);
        return new DataMatrix(data, rows, columns, weightCopy);
    }

    /// <summary>Throws when the dimension differs from the one the model was fitted on.</summary>
    public DataMatrix RequireColumns(int expected)
    {
        if (Columns != expected)
            throw new ArgumentException(
                $"The data has {Columns} columns but the model was fitted on {expected}.", "data");
        return this;
    }

    private static void CheckFinite(ReadOnlySpan<float> values, int columns, string name)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                throw new ArgumentException(
                    $"The {name} holds {values[i]} at row {i / columns}, column {i % columns} (zero-based); " +
                    "every value must be finite. Remove or impute that entry.", name);
            }
        }
    }

    private static float[] CheckWeights(float[] weights, int rows)
    {
        if (weights.Length != rows)
            throw new ArgumentException(
                $"There are {weights.Length} sample weights for {rows} rows; give one weight per row.", nameof(weights));
        double total = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            float w = weights[i];
            if (!float.IsFinite(w) || w < 0)
                throw new ArgumentException(
                    $"Sample weight {w} at row {i} is invalid; weights must be finite and non-negative.", nameof(weights));
            total += w;
        }
        if (total <= 0)
            throw new ArgumentException("The sample weights are all zero; at least one must be positive.", nameof(weights));
        return (float[])weights.Clone();
    }
}
