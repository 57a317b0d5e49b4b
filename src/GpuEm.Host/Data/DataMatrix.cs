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

    /// <summary>
    /// Per row, true when it holds a missing (NaN) entry; null when nothing is missing (then the
    /// data is validated finite). Rows skipped for being entirely missing are marked too.
    /// </summary>
    public bool[]? Incomplete { get; private init; }

    /// <summary>Rows with some but not all entries missing, ascending; empty when none.</summary>
    public int[] IncompleteRows { get; private init; } = [];

    /// <summary>Rows skipped because every entry is missing (their weight is 0).</summary>
    public int SkippedRows { get; private init; }

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
        return new DataMatrix(Values, Rows, Columns, Weights)
        {
            Labels = copy,
            Incomplete = Incomplete,
            IncompleteRows = IncompleteRows,
            SkippedRows = SkippedRows,
        };
    }

    public ReadOnlySpan<float> Row(int row) => Values.Span.Slice(row * Columns, Columns);

    public double Weight(int row) => Weights is null ? 1.0 : Weights[row];

    /// <summary>
    /// Copies a 2-D array (row-major, private) and validates it; NaN entries are missing values
    /// when <paramref name="missing"/> says to marginalize them.
    /// </summary>
    public static DataMatrix From(
        float[,] data, float[]? weights, MissingValues missing, bool skipEmptyRows = false, string name = "data")
    {
        if (missing == MissingValues.Error)
            return From(data, weights, name);
        return WithMissing(Copy(data, name), data.GetLength(0), data.GetLength(1), weights, skipEmptyRows, name);
    }

    /// <summary>As <see cref="From(float[,], float[], MissingValues, bool, string)"/> for row-major memory.</summary>
    public static DataMatrix From(
        ReadOnlyMemory<float> data, int rows, int columns, float[]? weights, MissingValues missing,
        bool skipEmptyRows = false, string name = "data") =>
        missing == MissingValues.Error
            ? From(data, rows, columns, weights, name)
            : WithMissing(data, rows, columns, weights, skipEmptyRows, name);

    private static DataMatrix WithMissing(
        ReadOnlyMemory<float> data, int rows, int columns, float[]? weights, bool skipEmptyRows, string name)
    {
        CheckShape(data, rows, columns, name);
        ReadOnlySpan<float> values = data.Span;
        var incomplete = new bool[rows];
        var incompleteRows = new List<int>();
        var skipped = new List<int>();
        for (int row = 0; row < rows; row++)
        {
            int missingCount = 0;
            for (int j = 0; j < columns; j++)
            {
                float v = values[row * columns + j];
                if (float.IsNaN(v))
                    missingCount++;
                else if (!float.IsFinite(v))
                    throw new ArgumentException(
                        $"The {name} holds {v} at row {row}, column {j} (zero-based); only NaN marks a missing value.", name);
            }
            if (missingCount == 0)
                continue;
            incomplete[row] = true;
            if (missingCount < columns)
                incompleteRows.Add(row);
            else if (skipEmptyRows)
                skipped.Add(row);
            else
                throw new ArgumentException(
                    $"Row {row} (zero-based) of the {name} has every entry missing; remove it, or set " +
                    "SkipEmptyRows to skip such rows.", name);
        }
        float[]? weightCopy = weights is null ? null : CheckWeights(weights, rows);
        if (skipped.Count > 0)
        {
            weightCopy ??= Enumerable.Repeat(1f, rows).ToArray();
            foreach (int row in skipped)
                weightCopy[row] = 0;
            if (skipped.Count == rows || weightCopy.All(w => w == 0))
                throw new ArgumentException($"Every row of the {name} with a positive weight is entirely missing.", name);
        }
        bool any = incompleteRows.Count > 0 || skipped.Count > 0;
        return new DataMatrix(data, rows, columns, weightCopy)
        {
            Incomplete = any ? incomplete : null,
            IncompleteRows = incompleteRows.ToArray(),
            SkippedRows = skipped.Count,
        };
    }

    /// <summary>
    /// The complete rows only (a private copy with their weights and labels), for engines that
    /// handle incomplete rows apart; this data itself when nothing is missing.
    /// </summary>
    public DataMatrix CompleteRows()
    {
        if (Incomplete is null)
            return this;
        int count = Incomplete.Count(i => !i);
        var values = new float[(long)count * Columns];
        float[]? weights = Weights is null ? null : new float[count];
        int[]? labels = Labels is null ? null : new int[count];
        int target = 0;
        for (int row = 0; row < Rows; row++)
        {
            if (Incomplete[row])
                continue;
            Row(row).CopyTo(values.AsSpan(target * Columns, Columns));
            if (weights is not null)
                weights[target] = Weights![row];
            if (labels is not null)
                labels[target] = Labels![row];
            target++;
        }
        return new DataMatrix(values, count, Columns, weights) { Labels = labels };
    }

    /// <summary>The weighted mean of every column, d values (observed values only where missing).</summary>
    public double[] WeightedMean()
    {
        var sums = new double[Columns];
        var weights = new double[Columns];
        for (int row = 0; row < Rows; row++)
        {
            double w = Weight(row);
            ReadOnlySpan<float> x = Row(row);
            for (int j = 0; j < Columns; j++)
            {
                if (float.IsNaN(x[j]))
                    continue;
                sums[j] += w * x[j];
                weights[j] += w;
            }
        }
        for (int j = 0; j < Columns; j++)
            sums[j] = weights[j] > 0 ? sums[j] / weights[j] : 0;
        return sums;
    }

    /// <summary>One zero row of weight 0: a placeholder for a device that needs a row to launch.</summary>
    public static DataMatrix Placeholder(int columns) => new(new float[columns], 1, columns, [0f]);

    /// <summary>
    /// A copy with every missing entry replaced by its column's (weighted) observed mean, for
    /// starting points and data-derived defaults; this data itself when nothing is missing.
    /// </summary>
    public DataMatrix ImputeColumnMeans()
    {
        if (Incomplete is null)
            return this;
        double[] means = WeightedMean();
        ReadOnlySpan<float> values = Values.Span;
        var copy = values.ToArray();
        for (int i = 0; i < copy.Length; i++)
            if (float.IsNaN(copy[i]))
            {
                int j = i % Columns;
                copy[i] = (float)means[j];
            }
        return new DataMatrix(copy, Rows, Columns, Weights) { Labels = Labels };
    }

    /// <summary>Copies a 2-D array (the copy is row-major and private) and validates it.</summary>
    public static DataMatrix From(float[,] data, float[]? weights, string name = "data")
    {
        return From(Copy(data, name), data.GetLength(0), data.GetLength(1), weights, name);
    }

    // A private row-major copy of a 2-D array.
    private static float[] Copy(float[,] data, string name)
    {
        ArgumentNullException.ThrowIfNull(data, name);
        var copy = new float[data.Length];
        if (copy.Length > 0)
            MemoryMarshal.CreateReadOnlySpan(ref data[0, 0], copy.Length).CopyTo(copy);
        return copy;
    }

    /// <summary>Wraps row-major memory (not copied: it is only read) and validates it.</summary>
    public static DataMatrix From(
        ReadOnlyMemory<float> data, int rows, int columns, float[]? weights, string name = "data")
    {
        CheckShape(data, rows, columns, name);
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

    private static void CheckShape(ReadOnlyMemory<float> data, int rows, int columns, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (rows == 0 || columns == 0)
            throw new ArgumentException($"The {name} is empty ({rows} × {columns}); it needs at least one row and one column.", name);
        if ((long)rows * columns != data.Length)
            throw new ArgumentException(
                $"The {name} holds {data.Length} values, but {rows} rows × {columns} columns need {(long)rows * columns}.", name);
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
