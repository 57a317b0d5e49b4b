namespace GpuEm.Data;

/// <summary>Helpers over <see cref="IDataSource"/>.</summary>
public static class DataSource
{
    /// <summary>Rows per chunk when a source is read whole.</summary>
    private const int ChunkRows = 65536;

    /// <summary>
    /// The whole source as row-major float32 memory: the mapped file itself for float32 .npy and
    /// raw files (no copy; valid while the source is open), otherwise a copy read in chunks. At
    /// most 2³¹ − 1 values; Fit and Predict take larger sources.
    /// </summary>
    /// <param name="source">The source.</param>
    /// <returns>n · d values.</returns>
    /// <exception cref="InvalidOperationException">n · d exceeds what one array can hold.</exception>
    public static ReadOnlyMemory<float> ReadAll(IDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        long length = source.RowCount * source.ColumnCount;
        if (length > Array.MaxLength || source.RowCount > int.MaxValue)
            throw new InvalidOperationException(
                $"{source.Description} holds {length:N0} values, more than one array can; read it in chunks with ReadRows (Fit and Predict do).");
        if (source is IMemorySource inPlace && inPlace.InPlace(0, (int)source.RowCount) is { } memory)
            return memory;
        return ReadRange(source, 0, (int)source.RowCount);
    }

    /// <summary>Rows [first, first + rows) of a source copied into a new array, read in chunks;
    /// <paramref name="read"/> (optional) hears the rows read so far after each chunk.</summary>
    internal static float[] ReadRange(IDataSource source, long first, int rows, Action<int>? read = null)
    {
        int d = source.ColumnCount;
        var values = new float[(long)rows * d];
        for (int offset = 0; offset < rows; offset += ChunkRows)
        {
            int take = Math.Min(ChunkRows, rows - offset);
            source.ReadRows(first + offset, take, values.AsSpan(offset * d, take * d));
            read?.Invoke(offset + take);
        }
        return values;
    }

    /// <summary>
    /// Labels for every row of a source, predicted chunk by chunk (the source is never read whole)
    /// by <paramref name="predict"/> over row-major chunks.
    /// </summary>
    internal static int[] PredictInChunks(IDataSource source, int dimension, Func<ReadOnlyMemory<float>, int, int[]> predict)
    {
        ArgumentNullException.ThrowIfNull(source);
        var labels = new int[checked((int)source.RowCount)];
        ForEachChunk(source, dimension, (chunk, first, rows) => predict(chunk, rows).CopyTo(labels, first));
        return labels;
    }

    /// <summary>
    /// Reads a source front to back in chunks of <see cref="ChunkRows"/> rows and hands each to
    /// <paramref name="action"/> as row-major memory with its first row and row count (the buffer
    /// is reused, so the source is never read whole).
    /// </summary>
    internal static void ForEachChunk(IDataSource source, int dimension, Action<ReadOnlyMemory<float>, long, int> action)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.ColumnCount != dimension)
            throw new ArgumentException(
                $"The data has {source.ColumnCount} columns but the model was fitted on {dimension}.", nameof(source));
        var buffer = new float[(long)Math.Min(ChunkRows, source.RowCount) * dimension];
        for (long first = 0; first < source.RowCount; first += ChunkRows)
        {
            int rows = (int)Math.Min(ChunkRows, source.RowCount - first);
            source.ReadRows(first, rows, buffer);
            try
            {
                action(buffer.AsMemory(0, rows * dimension), first, rows);
            }
            catch (Models.NonFiniteDensityException ex) when (first > 0)
            {
                // The chunk's rows count from 0; the message names the source's row.
                throw ex.Offset(first);
            }
        }
    }

    /// <summary>How messages about a chunk name it: row numbers in them count from the chunk's
    /// first row, so chunks after the first say where they start.</summary>
    internal static string ChunkName(IDataSource source, long firstRow) =>
        firstRow == 0 ? source.Description : $"chunk of {source.Description} that starts at row {firstRow}";

    /// <summary>Checks a row range against a source's size.</summary>
    internal static void CheckRange(IDataSource source, long firstRow, int rowCount, int destinationLength)
    {
        if (firstRow < 0 || rowCount < 0 || firstRow + rowCount > source.RowCount)
            throw new ArgumentOutOfRangeException(
                nameof(firstRow), $"Rows [{firstRow}, {firstRow + rowCount}) are outside {source.Description} ({source.RowCount} rows).");
        if (destinationLength < (long)rowCount * source.ColumnCount)
            throw new ArgumentException($"The destination holds {destinationLength} values; {rowCount} rows need {(long)rowCount * source.ColumnCount}.");
    }
}
