namespace GpuEm.Data;

/// <summary>A source whose rows already lie in memory as row-major float32.</summary>
internal interface IMemorySource
{
    /// <summary>
    /// Rows [firstRow, firstRow + rowCount) in place (fewer than 2³¹ values), or null when they
    /// must be converted.
    /// </summary>
    ReadOnlyMemory<float>? InPlace(long firstRow, int rowCount);
}
