using GpuEm.Data;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Engines;

/// <summary>
/// The rows of a fit on the device, by chunk. Resident data (one chunk) is uploaded once at
/// construction. Streamed data has two device slots: while chunk c's kernels run on the default
/// stream from one slot, <see cref="Start"/> copies chunk c + 1 into the other on a second
/// stream, through two page-locked staging buffers (the host reads one piece from the data while
/// the previous piece is being copied), so reading, copying and computing overlap.
/// </summary>
/// <remarks>
/// Order of use per pass: <c>Start(0)</c>; for each chunk c: <c>Wait()</c>, launch c's kernels
/// on <c>Slot(c)</c>, <c>Start(c + 1)</c>. <c>Wait()</c> also waits for the kernels queued
/// before it (chunk c − 1's, which read the slot that <c>Start(c + 1)</c> refills), so results may
/// stay on the device until the end of the pass; chunk c's kernels still overlap c + 1's copy.
/// </remarks>
internal sealed class ChunkStream : IDisposable
{
    /// <summary>Floats per staging piece by default (16 MiB).</summary>
    internal const int DefaultStagingValues = 1 << 22;

    private readonly Accelerator _accelerator;
    private readonly DataMatrix _data;
    private readonly float[]? _weights;
    private readonly int[]? _labels;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>[] _values;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>[] _weightSlots;
    private readonly MemoryBuffer1D<int, Stride1D.Dense>[] _labelSlots;
    private readonly AcceleratorStream? _copies;
    private readonly PageLockedArray1D<float>[] _staging = [];
    private readonly int _stagingRows;
    private readonly ChunkPlan _plan;

    /// <summary>Allocates the slots; uploads everything when it is one chunk.</summary>
    /// <param name="accelerator">The device (the caller holds its lock).</param>
    /// <param name="data">The rows.</param>
    /// <param name="chunkRows">Rows per chunk (all rows: resident).</param>
    /// <param name="weights">Per-row weights to stream beside the rows, or null.</param>
    /// <param name="labels">Per-row labels to stream beside the rows (read at each upload), or null.</param>
    /// <param name="stagingValues">Floats per page-locked staging piece.</param>
    public ChunkStream(
        Accelerator accelerator, DataMatrix data, int chunkRows, float[]? weights, int[]? labels,
        int stagingValues = DefaultStagingValues)
        : this(accelerator, data, UnitLayout.Rows(data.Rows).Cut(chunkRows), weights, labels, stagingValues)
    {
    }

    /// <summary>Allocates the slots for a plan of whole units (rows, sequences); uploads
    /// everything when it is one chunk.</summary>
    /// <param name="accelerator">The device (the caller holds its lock).</param>
    /// <param name="data">The rows.</param>
    /// <param name="plan">The chunks, in rows (<see cref="UnitLayout.Cut"/> over the data's units).</param>
    /// <param name="weights">Per-row weights to stream beside the rows, or null.</param>
    /// <param name="labels">Per-row labels to stream beside the rows (read at each upload), or null.</param>
    /// <param name="stagingValues">Floats per page-locked staging piece.</param>
    public ChunkStream(
        Accelerator accelerator, DataMatrix data, ChunkPlan plan, float[]? weights, int[]? labels,
        int stagingValues = DefaultStagingValues)
    {
        _accelerator = accelerator;
        _data = data;
        _weights = weights;
        _labels = labels;
        _plan = plan;
        ChunkRows = plan.MaxItems;
        ChunkCount = plan.Count;
        int slots = ChunkCount == 1 ? 1 : 2;
        _values = new MemoryBuffer1D<float, Stride1D.Dense>[slots];
        _weightSlots = new MemoryBuffer1D<float, Stride1D.Dense>[slots];
        _labelSlots = new MemoryBuffer1D<int, Stride1D.Dense>[slots];
        for (int slot = 0; slot < slots; slot++)
        {
            _values[slot] = accelerator.Allocate1D<float>((long)ChunkRows * data.Columns);
            _weightSlots[slot] = accelerator.Allocate1D<float>(weights is null ? 1 : ChunkRows);
            _labelSlots[slot] = accelerator.Allocate1D<int>(labels is null ? 1 : ChunkRows);
        }
        if (ChunkCount == 1)
        {
            DeviceCopy.Rows(_values[0].View, data, 0, data.Rows);
            if (weights is not null)
                _weightSlots[0].View.CopyFromCPU(weights);
            if (labels is not null)
                _labelSlots[0].View.CopyFromCPU(labels);
            return;
        }
        _copies = accelerator.CreateStream();
        _stagingRows = Math.Clamp(stagingValues / data.Columns, 1, ChunkRows);
        _staging =
        [
            accelerator.AllocatePageLocked1D<float>((long)_stagingRows * data.Columns, uninitialized: true),
            accelerator.AllocatePageLocked1D<float>((long)_stagingRows * data.Columns, uninitialized: true),
        ];
    }

    /// <summary>The most rows a chunk holds (what a slot is sized for).</summary>
    public int ChunkRows { get; }

    /// <summary>Chunks per pass: 1 when the data is resident.</summary>
    public int ChunkCount { get; }

    /// <summary>The first row of a chunk.</summary>
    public int FirstRow(int chunk) => (int)_plan.Chunks[chunk].FirstItem;

    /// <summary>The rows of a chunk.</summary>
    public int RowCount(int chunk) => _plan.Chunks[chunk].ItemCount;

    /// <summary>The units (rows, sequences) a chunk holds.</summary>
    public DataChunk Chunk(int chunk) => _plan.Chunks[chunk];

    /// <summary>A chunk's device views: values (row-major), weights and labels (length 1 when
    /// not streamed).</summary>
    public (ArrayView<float> Values, ArrayView<float> Weights, ArrayView<int> Labels) Slot(int chunk)
    {
        int slot = chunk % _values.Length;
        return (_values[slot].View, _weightSlots[slot].View, _labelSlots[slot].View);
    }

    /// <summary>Starts copying a chunk into its slot (nothing when resident); returns once the
    /// last piece is queued.</summary>
    public void Start(int chunk)
    {
        if (_copies is null)
            return;
        int first = FirstRow(chunk);
        int rows = RowCount(chunk);
        int slot = chunk % 2;
        int d = _data.Columns;
        ArrayView<float> target = _values[slot].View;
        int piece = 0;
        for (int offset = 0; offset < rows; offset += _stagingRows, piece++)
        {
            int take = Math.Min(_stagingRows, rows - offset);
            PageLockedArray1D<float> staging = _staging[piece % 2];
            _data.CopyRows(first + offset, take, staging.Span);
            // The previous piece's copy (from the other staging buffer) has finished after this,
            // so that buffer is free for the next piece.
            _copies.Synchronize();
            target.SubView((long)offset * d, (long)take * d)
                .CopyFrom(_copies, staging.ArrayView.SubView(0, (long)take * d));
        }
        if (_weights is not null)
            _weightSlots[slot].View.SubView(0, rows).CopyFromCPU(_copies, _weights.AsSpan(first, rows));
        if (_labels is not null)
            _labelSlots[slot].View.SubView(0, rows).CopyFromCPU(_copies, _labels.AsSpan(first, rows));
    }

    /// <summary>
    /// Waits until the chunk last started is on the device and, when streamed, until the kernels
    /// already queued on the default stream have run (the previous chunk's, whose slot the next
    /// <see cref="Start"/> refills).
    /// </summary>
    public void Wait()
    {
        if (_copies is null)
            return;
        _copies.Synchronize();
        _accelerator.DefaultStream.Synchronize();
    }

    public void Dispose()
    {
        _copies?.Synchronize();
        foreach (var buffer in _values)
            buffer.Dispose();
        foreach (var buffer in _weightSlots)
            buffer.Dispose();
        foreach (var buffer in _labelSlots)
            buffer.Dispose();
        foreach (var staging in _staging)
            staging.Dispose();
        _copies?.Dispose();
    }
}
