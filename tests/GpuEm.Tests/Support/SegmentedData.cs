using GpuEm.Data;

namespace GpuEm.Tests.Support;

/// <summary>
/// Segmented data without gigabytes of it: the rows of an array cut into segments of 2^shift
/// rows by the factory that segments large files (<see cref="DataMatrix.FromSource"/>), so the
/// values, weights and missing-value bookkeeping are those of <see cref="DataMatrix.From(float[,], float[], MissingValues, bool, string)"/>.
/// </summary>
internal static class SegmentedData
{
    public static DataMatrix From(
        float[,] data, int shift, float[]? weights = null, MissingValues missing = MissingValues.Error)
    {
        DataMatrix segmented = DataMatrix.FromSource(new ArrayDataSource(data), weights, missing, segmentShift: shift);
        if (segmented.SegmentCount < 2)
            throw new ArgumentException($"{data.GetLength(0)} rows make one segment of 2^{shift} rows; use more rows.", nameof(data));
        return segmented;
    }
}
