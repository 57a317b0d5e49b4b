namespace GpuEm.Data;

/// <summary>
/// The rows of a table stored in groups of consecutive rows (Parquet row groups, Arrow record
/// batches), read one group at a time: a read decodes each group it touches into row-major
/// float32 and keeps the last one, so the sequential chunked reads of a fit decode every group
/// once per pass and hold one group in memory, never the file.
/// </summary>
internal sealed class RowGroupCache
{
    private readonly long[] _starts;
    private readonly int[] _groups;
    private readonly int _columns;
    private readonly Action<int, int, float[]> _decode;
    private int _cached = -1;
    private float[] _values = [];

    /// <summary>The groups of a table, in order.</summary>
    /// <param name="fileName">For messages.</param>
    /// <param name="groupRows">Rows of each group in the file (empty groups are skipped).</param>
    /// <param name="columns">d.</param>
    /// <param name="decode">Decodes group g (its index in the file) of r rows into r · d row-major values.</param>
    /// <param name="groupName">"row group", "record batch".</param>
    public RowGroupCache(string fileName, IReadOnlyList<long> groupRows, int columns, Action<int, int, float[]> decode, string groupName)
    {
        var starts = new List<long> { 0 };
        var groups = new List<int>();
        for (int g = 0; g < groupRows.Count; g++)
        {
            if (groupRows[g] == 0)
                continue;
            // One group is decoded into one array.
            if (groupRows[g] * columns > Array.MaxLength)
                throw new InvalidDataException(
                    $"{fileName}: {groupName} {g} holds {groupRows[g]:N0} rows × {columns} columns, more values than one array can; " +
                    $"write the file with smaller {groupName}s.");
            groups.Add(g);
            starts.Add(starts[^1] + groupRows[g]);
        }
        _starts = starts.ToArray();
        _groups = groups.ToArray();
        _columns = columns;
        _decode = decode;
        RowCount = _starts[^1];
    }

    /// <summary>n, the rows of all groups.</summary>
    public long RowCount { get; }

    /// <summary>Copies rows [firstRow, firstRow + rowCount) (checked by the caller) row-major into the destination.</summary>
    public void Read(long firstRow, int rowCount, Span<float> destination)
    {
        long row = firstRow;
        int written = 0;
        while (written < rowCount)
        {
            int group = GroupOf(row);
            Load(group);
            int offset = (int)(row - _starts[group]);
            int take = (int)Math.Min(rowCount - written, _starts[group + 1] - row);
            _values.AsSpan(offset * _columns, take * _columns).CopyTo(destination.Slice(written * _columns));
            written += take;
            row += take;
        }
    }

    // The (non-empty) group holding a row: the last start ≤ row.
    private int GroupOf(long row)
    {
        if (_cached >= 0 && row >= _starts[_cached] && row < _starts[_cached + 1])
            return _cached;
        int index = Array.BinarySearch(_starts, row);
        return index >= 0 ? index : ~index - 1;
    }

    private void Load(int group)
    {
        if (group == _cached)
            return;
        int rows = (int)(_starts[group + 1] - _starts[group]);
        if (_values.Length < rows * _columns)
            _values = new float[rows * _columns];
        _cached = -1; // a failed decode leaves no half-filled group behind
        _decode(_groups[group], rows, _values);
        _cached = group;
    }
}
