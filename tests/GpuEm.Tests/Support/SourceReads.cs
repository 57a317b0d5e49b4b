using GpuEm.Data;

namespace GpuEm.Tests.Support;

/// <summary>Reading a data source the way the engines do: front to back in chunks.</summary>
internal static class SourceReads
{
    /// <summary>Every value of <paramref name="source"/>, row-major, read <paramref name="chunk"/> rows at a time.</summary>
    public static float[] InChunks(IDataSource source, int chunk)
    {
        var all = new float[source.RowCount * source.ColumnCount];
        for (long first = 0; first < source.RowCount; first += chunk)
        {
            int rows = (int)Math.Min(chunk, source.RowCount - first);
            source.ReadRows(first, rows, all.AsSpan((int)(first * source.ColumnCount)));
        }
        return all;
    }
}
