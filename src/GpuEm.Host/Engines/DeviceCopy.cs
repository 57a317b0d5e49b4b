using GpuEm.Data;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Engines;

/// <summary>Copies of host data rows into device buffers, and the float32 forms of host parameters.</summary>
internal static class DeviceCopy
{
    /// <summary>values[first, first + count) as float32, for an upload.</summary>
    public static float[] ToFloat(double[] values, int first, int count)
    {
        var result = new float[count];
        for (int i = 0; i < count; i++)
            result[i] = (float)values[first + i];
        return result;
    }

    /// <summary>All of <paramref name="values"/> as float32.</summary>
    public static float[] ToFloat(double[] values) => ToFloat(values, 0, values.Length);

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
