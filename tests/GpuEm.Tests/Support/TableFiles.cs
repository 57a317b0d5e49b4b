using Apache.Arrow;
using Apache.Arrow.Compression;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using Parquet;
using Parquet.Schema;

namespace GpuEm.Tests.Support;

/// <summary>A column of a test table: its name, CLR type (float, double, int, long, byte or
/// string) and values, null where missing.</summary>
internal sealed record TableColumn(string Name, Type Type, object?[] Values)
{
    public bool HasNulls => Values.Any(v => v is null);

    /// <summary>The columns of an n × d float32 array, named c0, c1, …; NaN cells are nulls.</summary>
    public static TableColumn[] Of(float[,] data, string[]? names = null) =>
        Enumerable.Range(0, data.GetLength(1)).Select(j => new TableColumn(
            names?[j] ?? $"c{j}", typeof(float),
            Enumerable.Range(0, data.GetLength(0)).Select(i => float.IsNaN(data[i, j]) ? null : (object?)data[i, j]).ToArray())).ToArray();
}

/// <summary>Parquet (Parquet.Net) and Arrow IPC (Apache.Arrow) files written from columns, in
/// groups of rows, for tests of the table sources and the CLI's table inputs.</summary>
internal static class TableFiles
{
    /// <summary>A Parquet file with one row group per <paramref name="groupRows"/> rows.</summary>
    public static async Task<string> WriteParquetAsync(string path, IReadOnlyList<TableColumn> columns, int groupRows)
    {
        DataField[] fields = columns.Select(c => c.Type == typeof(string)
            ? new DataField<string>(c.Name)
            : new DataField(c.Name, c.Type, isNullable: c.HasNulls)).ToArray();
        int rows = columns[0].Values.Length;
        await using (FileStream stream = File.Create(path))
        await using (ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream))
        {
            for (int start = 0; start < rows; start += groupRows)
            {
                int count = Math.Min(groupRows, rows - start);
                using ParquetRowGroupWriter group = writer.CreateRowGroup();
                for (int j = 0; j < columns.Count; j++)
                {
                    object?[] values = columns[j].Values[start..(start + count)];
                    DataField field = fields[j];
                    bool nullable = columns[j].HasNulls;
                    Task written = columns[j].Type switch
                    {
                        Type t when t == typeof(string) => group.WriteAsync(field, values.Cast<string?>().ToArray()!),
                        Type t when t == typeof(float) => Write<float>(group, field, values, nullable),
                        Type t when t == typeof(double) => Write<double>(group, field, values, nullable),
                        Type t when t == typeof(int) => Write<int>(group, field, values, nullable),
                        Type t when t == typeof(long) => Write<long>(group, field, values, nullable),
                        Type t when t == typeof(byte) => Write<byte>(group, field, values, nullable),
                        _ => throw new NotSupportedException(columns[j].Type.Name),
                    };
                    await written;
                }
            }
        }
        return path;
    }

    private static Task Write<T>(ParquetRowGroupWriter group, DataField field, object?[] values, bool nullable)
        where T : struct =>
        nullable
            ? group.WriteAsync<T>(field, values.Select(v => (T?)v).ToArray())
            : group.WriteAsync<T>(field, values.Select(v => (T)v!).ToArray());

    /// <summary>An Arrow IPC file with one record batch per <paramref name="batchRows"/> rows,
    /// LZ4-compressed when <paramref name="compressed"/> (as pyarrow's feather writer does).</summary>
    public static string WriteArrow(string path, IReadOnlyList<TableColumn> columns, int batchRows, bool compressed = false)
    {
        var schemaBuilder = new Schema.Builder();
        foreach (TableColumn column in columns)
            schemaBuilder.Field(f => f.Name(column.Name).DataType(ArrowType(column.Type)).Nullable(column.HasNulls || column.Type == typeof(string)));
        Schema schema = schemaBuilder.Build();
        var options = compressed
            ? new IpcOptions { CompressionCodec = CompressionCodecType.Lz4Frame, CompressionCodecFactory = new CompressionCodecFactory() }
            : new IpcOptions();
        int rows = columns[0].Values.Length;
        using FileStream stream = File.Create(path);
        using var writer = new ArrowFileWriter(stream, schema, leaveOpen: false, options);
        for (int start = 0; start < rows; start += batchRows)
        {
            int count = Math.Min(batchRows, rows - start);
            IArrowArray[] arrays = columns.Select(c => Array(c, c.Values[start..(start + count)])).ToArray();
            using var batch = new RecordBatch(schema, arrays, count);
            writer.WriteRecordBatch(batch);
        }
        writer.WriteEnd();
        return path;
    }

    private static IArrowType ArrowType(Type type) =>
        type == typeof(float) ? FloatType.Default
        : type == typeof(double) ? DoubleType.Default
        : type == typeof(int) ? Int32Type.Default
        : type == typeof(long) ? Int64Type.Default
        : type == typeof(byte) ? UInt8Type.Default
        : type == typeof(string) ? StringType.Default
        : throw new NotSupportedException(type.Name);

    private static IArrowArray Array(TableColumn column, object?[] values)
    {
        if (column.Type == typeof(string))
        {
            var strings = new StringArray.Builder();
            foreach (object? v in values)
                strings.Append((string?)v);
            return strings.Build();
        }
        return column.Type switch
        {
            Type t when t == typeof(float) => Build<float, FloatArray, FloatArray.Builder>(new FloatArray.Builder(), values),
            Type t when t == typeof(double) => Build<double, DoubleArray, DoubleArray.Builder>(new DoubleArray.Builder(), values),
            Type t when t == typeof(int) => Build<int, Int32Array, Int32Array.Builder>(new Int32Array.Builder(), values),
            Type t when t == typeof(long) => Build<long, Int64Array, Int64Array.Builder>(new Int64Array.Builder(), values),
            Type t when t == typeof(byte) => Build<byte, UInt8Array, UInt8Array.Builder>(new UInt8Array.Builder(), values),
            _ => throw new NotSupportedException(column.Type.Name),
        };
    }

    private static TArray Build<T, TArray, TBuilder>(PrimitiveArrayBuilder<T, TArray, TBuilder> builder, object?[] values)
        where T : struct
        where TArray : IArrowArray
        where TBuilder : class, IArrowArrayBuilder<TArray>
    {
        foreach (object? v in values)
        {
            if (v is null)
                builder.AppendNull();
            else
                builder.Append((T)v);
        }
        return builder.Build(default);
    }
}
