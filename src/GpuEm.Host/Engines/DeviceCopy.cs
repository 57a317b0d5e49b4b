using GpuEm.Data;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Engines;

/// <summary>Copies of host data rows into device buffers.</summary>
internal static class DeviceCopy
{
    /// <summary>
    /// Copies rows [first, first + rows) of <paramref name="data"/> to the start of
    /// <paramref name="target"/>, one copy per segment of the data they touch.
    /// </summary>
    public static void Rows(ArrayView<float> target, DataMatrix data, int first, int rows)
    {
        foreach ((int offset, ReadOnlyMemory<float> piece) in data.Pieces(first, rows))
            target.SubView((long)offset * data.Columns, piece.Length).CopyFromCPU(piece.Span);
    }
}
