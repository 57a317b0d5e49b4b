namespace GpuEm.Data;

/// <summary>One device chunk: whole units [FirstUnit, FirstUnit + UnitCount), items
/// [FirstItem, FirstItem + ItemCount).</summary>
internal readonly record struct DataChunk(int FirstUnit, int UnitCount, long FirstItem, int ItemCount);
