using System.Globalization;

namespace GpuEm.Data;

/// <summary>
/// A headerless (or one-header-line) numeric CSV file, streamed: opening counts the rows and
/// checks that every line has the same number of cells; rows are parsed (invariant culture) as
/// they are read. Sequential chunked reads continue where the last one ended; a jump back
/// rescans from the start. Errors name the line and the column (1-based).
/// </summary>
public sealed class CsvDataSource : IDataSource
{
    private readonly string _path;
    private readonly string _name;
    private readonly CsvOptions _options;
    private StreamReader? _reader;
    private long _nextRow;
    private int _lineNumber;

    private CsvDataSource(string path, CsvOptions options, long rows, int columns)
    {
        _path = path;
        _name = Path.GetFileName(path);
        _options = options;
        RowCount = rows;
        ColumnCount = columns;
    }

    /// <inheritdoc/>
    public long RowCount { get; }

    /// <inheritdoc/>
    public int ColumnCount { get; }

    /// <inheritdoc/>
    public string Description => $"{_name} (CSV, {RowCount} × {ColumnCount})";

    /// <summary>Opens a CSV file: one pass to count rows and check their length.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Header, separator, empty cells; null: defaults.</param>
    /// <returns>The source.</returns>
    /// <exception cref="InvalidDataException">Ragged rows or no data rows; the message names the line.</exception>
    public static CsvDataSource Open(string path, CsvOptions? options = null)
    {
        options ??= new CsvOptions();
        string name = Path.GetFileName(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The data file {path} does not exist.", path);
        long rows = 0;
        int columns = -1;
        int lineNumber = 0;
        bool headerSkipped = !options.HasHeader;
        foreach (string line in File.ReadLines(path))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            if (!headerSkipped)
            {
                headerSkipped = true;
                continue;
            }
            int cells = line.Count(c => c == options.Separator) + 1;
            if (columns < 0)
                columns = cells;
            else if (cells != columns)
                throw new InvalidDataException($"{name} line {lineNumber}: {cells} columns, but the first row has {columns}.");
            rows++;
        }
        if (rows == 0)
            throw new InvalidDataException($"{name} holds no data rows.");
        return new CsvDataSource(path, options, rows, columns);
    }

    /// <inheritdoc/>
    public void ReadRows(long firstRow, int rowCount, Span<float> destination)
    {
        DataSource.CheckRange(this, firstRow, rowCount, destination.Length);
        if (_reader is null || firstRow < _nextRow)
            Rewind();
        bool headerPending = _nextRow == 0 && _lineNumber == 0 && _options.HasHeader;
        int written = 0;
        while (_nextRow < firstRow + rowCount)
        {
            string? line = _reader!.ReadLine() ?? throw new InvalidDataException($"{_name} changed while it was read (line {_lineNumber + 1} is missing).");
            _lineNumber++;
            if (string.IsNullOrWhiteSpace(line))
                continue;
            if (headerPending)
            {
                headerPending = false;
                continue;
            }
            if (_nextRow >= firstRow)
            {
                Parse(line, destination.Slice(written * ColumnCount, ColumnCount));
                written++;
            }
            _nextRow++;
        }
    }

    private void Parse(string line, Span<float> row)
    {
        string[] cells = line.Split(_options.Separator);
        if (cells.Length != ColumnCount)
            throw new InvalidDataException($"{_name} line {_lineNumber}: {cells.Length} columns, but the first row has {ColumnCount}.");
        for (int j = 0; j < cells.Length; j++)
        {
            string cell = cells[j].Trim();
            if (cell.Length == 0 && _options.EmptyAsMissing)
            {
                row[j] = float.NaN;
                continue;
            }
            if (!float.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out float value))
                throw new InvalidDataException($"{_name} line {_lineNumber}, column {j + 1}: '{Clip(cell)}' is not a number.");
            row[j] = value;
        }
    }

    // A cell echoed in an error, cut to 40 characters: a megabyte of junk is not repeated whole.
    private static string Clip(string cell) => cell.Length <= 40 ? cell : string.Concat(cell.AsSpan(0, 40), "…");

    private void Rewind()
    {
        _reader?.Dispose();
        _reader = new StreamReader(_path);
        _nextRow = 0;
        _lineNumber = 0;
    }

    /// <inheritdoc/>
    public void Dispose() => _reader?.Dispose();
}
