using System.Buffers;
using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using System.Text.RegularExpressions;

namespace GpuEm.Data;

/// <summary>
/// A memory-mapped file of little-endian float32 or float64 rows behind a header: NumPy .npy
/// files (<see cref="OpenNpy"/>) and headerless raw float32 files (<see cref="OpenRaw"/>). The file
/// is never read whole: float32 files are used in place (the OS pages them in), float64 files are
/// converted to float32 chunk by chunk as they are read.
/// </summary>
public sealed partial class MappedDataSource : IDataSource, IMemorySource
{
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly long _offset;
    private readonly bool _double;
    private readonly unsafe float* _floats;

    private unsafe MappedDataSource(string path, long offset, long rows, int columns, bool isDouble, string kind)
    {
        _offset = offset;
        _double = isDouble;
        RowCount = rows;
        ColumnCount = columns;
        Description = $"{Path.GetFileName(path)} ({kind}, {rows} × {columns})";
        _file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        if (!isDouble)
        {
            byte* pointer = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            _floats = (float*)(pointer + _view.PointerOffset + offset);
        }
    }

    /// <inheritdoc/>
    public long RowCount { get; }

    /// <inheritdoc/>
    public int ColumnCount { get; }

    /// <inheritdoc/>
    public string Description { get; }

    unsafe ReadOnlyMemory<float>? IMemorySource.InPlace(long firstRow, int rowCount)
    {
        if (_floats is null)
            return null;
        DataSource.CheckRange(this, firstRow, rowCount, rowCount * ColumnCount);
        return new MappedMemory(_floats + firstRow * ColumnCount, rowCount * ColumnCount).Memory;
    }

    /// <summary>
    /// Opens a NumPy .npy file (format 1.0, 2.0 or 3.0) of dtype '&lt;f4' or '&lt;f8', C order, shape
    /// (n, d) or (n,) (then d = 1). float64 values are rounded to float32 on read.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The source; dispose it to unmap the file.</returns>
    /// <exception cref="InvalidDataException">Not an .npy file, an unsupported dtype or order, or a
    /// file shorter than its header says.</exception>
    public static MappedDataSource OpenNpy(string path)
    {
        string name = Path.GetFileName(path);
        var info = new FileInfo(path);
        long fileLength = info.Exists ? info.Length : throw new FileNotFoundException($"The data file {path} does not exist.", path);
        byte[] start;
        using (FileStream stream = File.OpenRead(path))
        {
            start = new byte[Math.Min(fileLength, 65536 + 12)];
            stream.ReadExactly(start);
        }
        if (start.Length < 10 || start[0] != 0x93 || start[1] != (byte)'N' || start[2] != (byte)'U' || start[3] != (byte)'M'
            || start[4] != (byte)'P' || start[5] != (byte)'Y')
            throw new InvalidDataException($"{name} is not a NumPy .npy file (its first bytes are not \\x93NUMPY).");
        int major = start[6];
        // long: a 2.0/3.0 length is a uint32, and one of 2³¹ or more must not turn negative.
        long headerLength;
        int headerStart;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(start.AsSpan(8));
            headerStart = 10;
        }
        else if (major is 2 or 3)
        {
            if (start.Length < 12)
                throw new InvalidDataException($"{name}: the .npy header is truncated.");
            headerLength = BinaryPrimitives.ReadUInt32LittleEndian(start.AsSpan(8));
            headerStart = 12;
        }
        else
        {
            throw new InvalidDataException($"{name}: .npy format version {major}.{start[7]} is not supported (1.0, 2.0 or 3.0).");
        }
        if (headerStart + headerLength > start.Length)
            throw new InvalidDataException($"{name}: the .npy header ({headerLength} bytes) is truncated or too long.");
        string header = System.Text.Encoding.UTF8.GetString(start, headerStart, (int)headerLength);
        string descr = Match(DescrPattern(), header, "descr", name);
        string order = Match(OrderPattern(), header, "fortran_order", name);
        string shape = Match(ShapePattern(), header, "shape", name);
        if (order == "True")
            throw new InvalidDataException(
                $"{name} is in Fortran (column-major) order; GpuEm reads C order. Save it with np.save(path, np.ascontiguousarray(x)).");
        bool isDouble = descr switch
        {
            "<f4" => false,
            "<f8" => true,
            _ => throw new InvalidDataException(
                $"{name} has dtype '{descr}'; GpuEm reads little-endian float32 ('<f4') or float64 ('<f8'). Convert it with x.astype(np.float32)."),
        };
        long[] dims = shape.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(dim => long.TryParse(dim, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long value)
                ? value
                : throw new InvalidDataException($"{name} has shape ({shape}); '{dim}' is not a dimension."))
            .ToArray();
        if (dims.Length is < 1 or > 2)
            throw new InvalidDataException($"{name} has shape ({shape}); GpuEm reads (n, d) or (n,).");
        long rows = dims[0];
        long columns = dims.Length == 2 ? dims[1] : 1;
        if (rows < 1 || columns < 1 || columns > int.MaxValue)
            throw new InvalidDataException($"{name} has shape ({shape}); it needs at least one row and one column.");
        long offset = headerStart + headerLength;
        // Checked: a corrupt shape must not wrap around to a small size.
        long needed;
        try
        {
            needed = checked(offset + rows * columns * (isDouble ? 8 : 4));
        }
        catch (OverflowException)
        {
            throw new InvalidDataException($"{name} has shape ({shape}), more bytes than a file can hold.");
        }
        if (fileLength < needed)
            throw new InvalidDataException($"{name} is truncated: its shape ({shape}) needs {needed:N0} bytes, the file has {fileLength:N0}.");
        return new MappedDataSource(path, offset, rows, (int)columns, isDouble, isDouble ? "float64 .npy" : "float32 .npy");
    }

    /// <summary>Opens a headerless file of little-endian float32 values, row-major, d per row.</summary>
    /// <param name="path">The file.</param>
    /// <param name="columns">d.</param>
    /// <returns>The source; dispose it to unmap the file.</returns>
    /// <exception cref="InvalidDataException">The length is not a positive multiple of 4·d bytes.</exception>
    public static MappedDataSource OpenRaw(string path, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        var info = new FileInfo(path);
        if (!info.Exists)
            throw new FileNotFoundException($"The data file {path} does not exist.", path);
        long rowBytes = 4L * columns;
        if (info.Length == 0 || info.Length % rowBytes != 0)
            throw new InvalidDataException(
                $"{info.Name} has {info.Length:N0} bytes, not a positive multiple of {rowBytes} (4 bytes × {columns} columns): wrong --columns, or a truncated file.");
        return new MappedDataSource(path, 0, info.Length / rowBytes, columns, isDouble: false, "raw float32");
    }

    /// <inheritdoc/>
    public unsafe void ReadRows(long firstRow, int rowCount, Span<float> destination)
    {
        DataSource.CheckRange(this, firstRow, rowCount, destination.Length);
        int count = rowCount * ColumnCount;
        if (_floats is not null)
        {
            new ReadOnlySpan<float>(_floats + firstRow * ColumnCount, count).CopyTo(destination);
            return;
        }
        double[] buffer = new double[count];
        _view.ReadArray(_offset + firstRow * ColumnCount * 8L, buffer, 0, count);
        for (int i = 0; i < count; i++)
            destination[i] = (float)buffer[i];
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_double)
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }

    private static string Match(Regex pattern, string header, string key, string name)
    {
        System.Text.RegularExpressions.Match m = pattern.Match(header);
        return m.Success ? m.Groups[1].Value : throw new InvalidDataException($"{name}: the .npy header has no readable '{key}' ({header.Trim()}).");
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']*)'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*(True|False)")]
    private static partial Regex OrderPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();

    // The mapped floats as Memory<float>, valid while the view is held.
    private sealed unsafe class MappedMemory(float* pointer, int length) : MemoryManager<float>
    {
        public override Span<float> GetSpan() => new(pointer, length);

        public override MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}
