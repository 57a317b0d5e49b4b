namespace GpuEm.Data;

/// <summary>The chunks of one pass over the data, in order, and the most items one holds
/// (what a device slot is sized for).</summary>
internal sealed record ChunkPlan(IReadOnlyList<DataChunk> Chunks, int MaxItems)
{
    public int Count => Chunks.Count;
}
