using System.Numerics;
using Parquet;
using Parquet.Schema;

namespace GpuEm.Data;

/// <summary>
/// The numeric columns of an Apache Parquet file, streamed row group by row group (Parquet.Net):
/// opening reads only the footer (schema and row counts); a read decodes the row groups it
/// touches, column by column, into row-major float32 and keeps the last one, so a fit holds one
/// row group in memory, never the file. Floating-point and integer columns (and decimals) are
/// converted to float32 (rounded to nearest); nulls become NaN, which a model reads as a missing
/// value where it supports them (Gaussian mixtures with <c>MissingValues.Marginalize</c>) and
/// rejects, naming the row and column, where it does not, as it does NaN in a CSV file.
/// </summary>
public sealed class ParquetDataSource : IDataSource
{
    private static readonly Dictionary<Type, string> NumericTypes = new()
    {
        [typeof(float)] = "float",
        [typeof(double)] = "double",
        [typeof(Half)] = "float16",
        [typeof(sbyte)] = "int8",
        [typeof(byte)] = "uint8",
        [typeof(short)] = "int16",
        [typeof(ushort)] = "uint16",
        [typeof(int)] = "int32",
        [typeof(uint)] = "uint32",
        [typeof(long)] = "int64",
        [typeof(ulong)] = "uint64",
        [typeof(decimal)] = "decimal",
    };

    private readonly ParquetReader _reader;
    private readonly DataField[] _fields;
    private readonly RowGroupCache _groups;
    private readonly string _name;

    private ParquetDataSource(string path, ParquetReader reader, DataField[] fields, long[] groupRows)
    {
        _reader = reader;
        _fields = fields;
        _name = Path.GetFileName(path);
        ColumnNames = fields.Select(f => f.Name).ToArray();
        _groups = new RowGroupCache(_name, groupRows, fields.Length, Decode, "row group");
    }

    /// <inheritdoc/>
    public long RowCount => _groups.RowCount;

    /// <inheritdoc/>
    public int ColumnCount => _fields.Length;

    /// <summary>The names of the columns read, in the order of the rows' values.</summary>
    public IReadOnlyList<string> ColumnNames { get; }

    /// <inheritdoc/>
    public string Description => $"{_name} (Parquet, {RowCount} × {ColumnCount})";

    /// <summary>
    /// Opens a Parquet file: reads its schema and row-group sizes, and checks the chosen columns.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">The columns to read, by name (case-sensitive), in this order; null:
    /// every column, each of which must then be numeric.</param>
    /// <returns>The source; dispose it to close the file.</returns>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="InvalidDataException">Not a Parquet file, no rows, or a chosen column that
    /// is not numeric (strings, dates, booleans, lists, structs); the message names it.</exception>
    /// <exception cref="ArgumentException">A name in <paramref name="columns"/> that the file lacks,
    /// or one given twice.</exception>
    public static ParquetDataSource Open(string path, IReadOnlyList<string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string name = Path.GetFileName(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"The data file {path} does not exist.", path);
        ParquetReader reader;
        try
        {
            reader = ParquetReader.CreateAsync(path).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is IOException or ParquetException or InvalidDataException or NotSupportedException)
        {
            throw new InvalidDataException($"{name} is not a readable Parquet file: {ex.Message}", ex);
        }
        try
        {
            Field[] top = reader.Schema.Fields.ToArray();
            TableColumn[] table = top.Select(Describe).ToArray();
            int[] chosen = TableColumns.Choose(name, table, columns, nameof(columns));
            DataField[] fields = chosen.Select(i => (DataField)top[i]).ToArray();
            long[] groupRows = Enumerable.Range(0, reader.RowGroupCount).Select(g => reader.OpenRowGroupReader(g).RowCount).ToArray();
            if (groupRows.Sum() == 0)
                throw new InvalidDataException($"{name} holds no data rows.");
            return new ParquetDataSource(path, reader, fields, groupRows);
        }
        catch
        {
            Close(reader);
            throw;
        }
    }

    /// <inheritdoc/>
    public void ReadRows(long firstRow, int rowCount, Span<float> destination)
    {
        DataSource.CheckRange(this, firstRow, rowCount, destination.Length);
        _groups.Read(firstRow, rowCount, destination);
    }

    /// <inheritdoc/>
    public void Dispose() => Close(_reader);

    // ParquetReader is only IAsyncDisposable; it closes the file it opened.
    private static void Close(ParquetReader reader) => reader.DisposeAsync().AsTask().GetAwaiter().GetResult();

    // A top-level field; nested ones (lists, maps, structs) and repeated ones are not numeric columns.
    private static TableColumn Describe(Field field) => field switch
    {
        DataField { IsArray: false, MaxRepetitionLevel: 0 } data => NumericTypes.TryGetValue(data.ClrType, out string? type)
            ? new TableColumn(field.Name, type, true)
            : new TableColumn(field.Name, TypeName(data.ClrType), false),
        DataField => new TableColumn(field.Name, "a list", false),
        _ => new TableColumn(field.Name, $"a {field.SchemaType.ToString().ToLowerInvariant()}", false),
    };

    // Parquet.Net 6 reads strings as ReadOnlyMemory<char> and binary as ReadOnlyMemory<byte>.
    private static string TypeName(Type type) =>
        type == typeof(string) || type == typeof(ReadOnlyMemory<char>) ? "a string column"
        : type == typeof(byte[]) || type == typeof(ReadOnlyMemory<byte>) ? "binary"
        : type == typeof(bool) ? "boolean"
        : type.Name;

    // Row group g, column by column, into row-major float32 (nulls: NaN).
    private void Decode(int group, int rows, float[] values)
    {
        ParquetRowGroupReader reader = _reader.OpenRowGroupReader(group);
        for (int column = 0; column < _fields.Length; column++)
        {
            DataField field = _fields[column];
            switch (Type.GetTypeCode(field.ClrType))
            {
                case TypeCode.Single: Copy<float>(reader, field, rows, column, values); break;
                case TypeCode.Double: Copy<double>(reader, field, rows, column, values); break;
                case TypeCode.SByte: Copy<sbyte>(reader, field, rows, column, values); break;
                case TypeCode.Byte: Copy<byte>(reader, field, rows, column, values); break;
                case TypeCode.Int16: Copy<short>(reader, field, rows, column, values); break;
                case TypeCode.UInt16: Copy<ushort>(reader, field, rows, column, values); break;
                case TypeCode.Int32: Copy<int>(reader, field, rows, column, values); break;
                case TypeCode.UInt32: Copy<uint>(reader, field, rows, column, values); break;
                case TypeCode.Int64: Copy<long>(reader, field, rows, column, values); break;
                case TypeCode.UInt64: Copy<ulong>(reader, field, rows, column, values); break;
                case TypeCode.Decimal: Copy<decimal>(reader, field, rows, column, values); break;
                // Half (TypeCode.Object) is the one numeric type left (Describe admits no other).
                default: Copy<Half>(reader, field, rows, column, values); break;
            }
        }
    }

    private void Copy<T>(ParquetRowGroupReader reader, DataField field, int rows, int column, float[] values)
        where T : struct, INumberBase<T>
    {
        int d = _fields.Length;
        try
        {
            if (field.IsNullable)
            {
                var buffer = new T?[rows];
                reader.ReadAsync<T>(field, buffer.AsMemory(), null).GetAwaiter().GetResult();
                for (int i = 0; i < rows; i++)
                    values[i * d + column] = buffer[i] is T value ? float.CreateTruncating(value) : float.NaN;
            }
            else
            {
                var buffer = new T[rows];
                reader.ReadAsync(field, buffer.AsMemory(), null).GetAwaiter().GetResult();
                for (int i = 0; i < rows; i++)
                    values[i * d + column] = float.CreateTruncating(buffer[i]);
            }
        }
        catch (Exception ex) when (ex is IOException or ParquetException or NotSupportedException or InvalidOperationException)
        {
            throw new InvalidDataException($"{_name}: the column '{field.Name}' of a row group could not be read: {ex.Message}", ex);
        }
    }
}
