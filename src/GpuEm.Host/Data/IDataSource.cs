namespace GpuEm.Data;

/// <summary>
/// Rows of a data set, read in chunks: in-memory arrays, NumPy .npy files, raw float32 files, CSV
/// files, Parquet files (<see cref="ParquetDataSource"/>) and Arrow IPC / Feather v2 files
/// (<see cref="ArrowDataSource"/>). Fit and Predict accept any of them.
/// </summary>
public interface IDataSource : IDisposable
{
    /// <summary>n, the number of rows.</summary>
    long RowCount { get; }

    /// <summary>d, the number of columns.</summary>
    int ColumnCount { get; }

    /// <summary>What the source is, for messages (file name, type, shape).</summary>
    string Description { get; }

    /// <summary>
    /// Copies rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rowCount"/>)
    /// as row-major float32 into <paramref name="destination"/> (at least rowCount · d values).
    /// </summary>
    /// <param name="firstRow">The first row, zero-based.</param>
    /// <param name="rowCount">How many rows.</param>
    /// <param name="destination">The target.</param>
    void ReadRows(long firstRow, int rowCount, Span<float> destination);
}
