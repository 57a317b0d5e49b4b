namespace GpuEm.Data;

/// <summary>An in-memory array as a source (not copied; never written).</summary>
public sealed class ArrayDataSource : IDataSource, IMemorySource
{
    private readonly ReadOnlyMemory<float> _values;

    /// <summary>Wraps row-major values.</summary>
    /// <param name="values">n · d values.</param>
    /// <param name="rows">n.</param>
    /// <param name="columns">d.</param>
    public ArrayDataSource(ReadOnlyMemory<float> values, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if ((long)rows * columns != values.Length)
            throw new ArgumentException($"{values.Length} values do not make {rows} rows × {columns} columns.", nameof(values));
        _values = values;
        RowCount = rows;
        ColumnCount = columns;
    }

    /// <summary>Copies a 2-D array (row-major) and wraps the copy.</summary>
    /// <param name="values">n × d values.</param>
    public ArrayDataSource(float[,] values)
        : this(Flatten(values), values.GetLength(0), values.GetLength(1))
    {
    }

    /// <inheritdoc/>
    public long RowCount { get; }

    /// <inheritdoc/>
    public int ColumnCount { get; }

    /// <inheritdoc/>
    public string Description => $"array ({RowCount} × {ColumnCount})";

    ReadOnlyMemory<float>? IMemorySource.InPlace(long firstRow, int rowCount)
    {
        DataSource.CheckRange(this, firstRow, rowCount, rowCount * ColumnCount);
        return _values.Slice((int)firstRow * ColumnCount, rowCount * ColumnCount);
    }

    /// <inheritdoc/>
    public void ReadRows(long firstRow, int rowCount, Span<float> destination)
    {
        DataSource.CheckRange(this, firstRow, rowCount, destination.Length);
        _values.Span.Slice((int)(firstRow * ColumnCount), rowCount * ColumnCount).CopyTo(destination);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private static float[] Flatten(float[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var flat = new float[values.Length];
        int d = values.GetLength(1);
        for (int i = 0; i < values.GetLength(0); i++)
            for (int j = 0; j < d; j++)
                flat[i * d + j] = values[i, j];
        return flat;
    }
}
