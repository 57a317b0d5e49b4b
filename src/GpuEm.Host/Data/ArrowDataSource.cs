using System.Numerics;
using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;

namespace GpuEm.Data;

/// <summary>
/// The numeric columns of an Arrow IPC file (<c>.arrow</c>, Feather v2 <c>.feather</c>; LZ4 or
/// Zstandard compressed as pyarrow writes them, or not), streamed record batch by record batch
/// (Apache.Arrow): opening reads the schema and counts the rows of each batch, one batch at a
/// time; a read decodes the batches it touches into row-major float32 and keeps the last one, so
/// a fit holds one batch in memory, never the file. Floating-point and integer columns are
/// converted to float32 (rounded to nearest); nulls become NaN, which a model reads as a missing
/// value where it supports them (Gaussian mixtures with <c>MissingValues.Marginalize</c>) and
/// rejects, naming the row and column, where it does not, as it does NaN in a CSV file.
/// </summary>
public sealed class ArrowDataSource : IDataSource
{
    private static readonly Dictionary<ArrowTypeId, string> NumericTypes = new()
    {
        [ArrowTypeId.HalfFloat] = "float16",
        [ArrowTypeId.Float] = "float",
        [ArrowTypeId.Double] = "double",
        [ArrowTypeId.Int8] = "int8",
        [ArrowTypeId.UInt8] = "uint8",
        [ArrowTypeId.Int16] = "int16",
        [ArrowTypeId.UInt16] = "uint16",
        [ArrowTypeId.Int32] = "int32",
        [ArrowTypeId.UInt32] = "uint32",
        [ArrowTypeId.Int64] = "int64",
        [ArrowTypeId.UInt64] = "uint64",
    };

    private readonly ArrowFileReader _reader;
    private readonly int[] _columns;
    private readonly RowGroupCache _batches;
    private readonly string _name;

    private ArrowDataSource(string path, ArrowFileReader reader, int[] columns, string[] names, long[] batchRows)
    {
        _reader = reader;
        _columns = columns;
        _name = Path.GetFileName(path);
        ColumnNames = names;
        _batches = new RowGroupCache(_name, batchRows, columns.Length, Decode, "record batch");
    }

    /// <inheritdoc/>
    public long RowCount => _batches.RowCount;

    /// <inheritdoc/>
    public int ColumnCount => _columns.Length;

    /// <summary>The names of the columns read, in the order of the rows' values.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <inheritdoc/>
    public string Description => $"{_name} (Arrow, {RowCount} × {ColumnCount})";

    /// <summary>
    /// Opens an Arrow IPC file: reads its schema, checks the chosen columns, and counts the rows of
    /// its record batches (one pass, a batch at a time).
    /// </summary>
    /// <param name="path">The file (the IPC file format: .arrow, Feather v2 .feather).</param>
    /// <param name="columns">The columns to read, by name (case-sensitive), in this order; null:
    /// every column, each of which must then be numeric.</param>
    /// <returns>The source; dispose it to close the file.</returns>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not an Arrow IPC file (an IPC stream or Feather v1
    /// file says so), no rows, or a chosen column that is not numeric (strings, dates, booleans,
    /// lists, dictionaries); the message names it.</exception>
    /// <exception cref="ArgumentException">A name in <paramref name="columns"/> that the file lacks,
    /// or one given twice.</exception>
    public static ArrowDataSource Open(string path, IReadOnlyList<string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = Path.GetFileName(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The data file {path} does not exist.", path);
        CheckMagic(path, name);
        var reader = new ArrowFileReader(File.OpenRead(path), allocator: null, new CompressionCodecFactory(), leaveOpen: false);
        try
        {
            Schema schema;
            int batchCount;
            try
            {
                schema = reader.Schema;
                batchCount = reader.RecordBatchCountAsync().AsTask().GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or InvalidOperationException or NotSupportedException)
            {
                throw new InvalidDataException($"{name} is not a readable Arrow IPC file: {ex.Message}", ex);
            }
            TableColumn[] table = schema.FieldsList.Select(f => NumericTypes.TryGetValue(f.DataType.TypeId, out string? type)
                ? new TableColumn(f.Name, type, true)
                : new TableColumn(f.Name, TypeName(f.DataType), false)).ToArray();
            int[] chosen = TableColumns.Choose(name, table, columns, nameof(columns));
            var batchRows = new long[batchCount];
            for (int b = 0; b < batchCount; b++)
            {
                using RecordBatch batch = ReadBatch(reader, b, name);
                batchRows[b] = batch.Length;
            }
            if (batchRows.Sum() == 0)
                throw new InvalidDataException($"{name} holds no data rows.");
            return new ArrowDataSource(path, reader, chosen, chosen.Select(i => table[i].Name).ToArray(), batchRows);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void ReadRows(long firstRow, int rowCount, Span<float> destination)
    {
        DataSource.CheckRange(this, firstRow, rowCount, destination.Length);
        _batches.Read(firstRow, rowCount, destination);
    }

    /// <inheritdoc/>
    public void Dispose() => _reader.Dispose();

    // The IPC file format starts with "ARROW1"; the stream format and Feather v1 get their own advice.
    private static void CheckMagic(string path, string name)
    {
        byte[] head = new byte[8];
        int read;
        using (FileStream stream = File.OpenRead(path))
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        ReadOnlySpan<byte> start = head.AsSpan(0, read);
        if (start.StartsWith("ARROW1"u8))
            return;
        if (start.StartsWith("FEA1"u8))
            throw new InvalidDataException(
                $"{name} is a Feather v1 file; GpuEm reads Feather v2 (Arrow IPC) files. Rewrite it with pyarrow.feather.write_feather(table, path).");
        if (start.StartsWith(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }))
            throw new InvalidDataException(
                $"{name} is an Arrow IPC stream; GpuEm reads the IPC file format (random access by record batch). Write it with pyarrow.ipc.new_file or pyarrow.feather.write_feather.");
        throw new InvalidDataException($"{name} is not an Arrow IPC file (it does not start with ARROW1).");
    }

    private static RecordBatch ReadBatch(ArrowFileReader reader, int index, string name)
    {
        try
        {
            return reader.ReadRecordBatchAsync(index).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidDataException($"{name}: record batch {index} could not be read: {ex.Message}", ex);
        }
    }

    private static string TypeName(IArrowType type) => type.TypeId switch
    {
        ArrowTypeId.String or ArrowTypeId.LargeString or ArrowTypeId.StringView => "a string column",
        ArrowTypeId.Boolean => "boolean",
        ArrowTypeId.Dictionary => "dictionary-encoded (categorical)",
        _ => type.Name,
    };

    // Record batch b into row-major float32 (nulls: NaN).
    private void Decode(int batchIndex, int rows, float[] values)
    {
        using RecordBatch batch = ReadBatch(_reader, batchIndex, _name);
        for (int column = 0; column < _columns.Length; column++)
        {
            IArrowArray array = batch.Column(_columns[column]);
            switch (array)
            {
                case PrimitiveArray<float> a: Copy(a, rows, column, values); break;
                case PrimitiveArray<double> a: Copy(a, rows, column, values); break;
                case PrimitiveArray<Half> a: Copy(a, rows, column, values); break;
                case PrimitiveArray<sbyte> a: Copy(a, rows, column, values); break;
                case PrimitiveArray<byte> a: Copy(a, rows, column, values); break;
                case PrimitiveArray<short> a: Copy(a, rows, column, values); break;
                case PrimitiveArray<ushort> a: Copy(a, rows, column, values); break;
                case PrimitiveArray<int> a: Copy(a, rows, column, values); break;
                case PrimitiveArray<uint> a: Copy(a, rows, column, values); break;
                case PrimitiveArray<long> a: Copy(a, rows, column, values); break;
                case PrimitiveArray<ulong> a: Copy(a, rows, column, values); break;
                default:
                    throw new InvalidDataException($"{_name}: record batch {batchIndex} holds the column {ColumnNames[column]} as {array.Data.DataType.Name}, not a number.");
            }
        }
    }

    private void Copy<T>(PrimitiveArray<T> array, int rows, int column, float[] values)
        where T : struct, IEquatable<T>, INumberBase<T>
    {
        int d = _columns.Length;
        ReadOnlySpan<T> source = array.Values;
        bool nulls = array.NullCount > 0;
        for (int i = 0; i < rows; i++)
            values[i * d + column] = nulls && array.IsNull(i) ? float.NaN : float.CreateTruncating(source[i]);
    }
}
