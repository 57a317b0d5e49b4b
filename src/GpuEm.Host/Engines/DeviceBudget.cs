using GpuEm.Data;
using ILGPU.Runtime;

namespace GpuEm.Engines;

/// <summary>
/// How many rows of data an engine keeps on the device at once. Everything fits: all rows, uploaded
/// once per fit. Otherwise the rows stream through the device in chunks every iteration; the
/// chunk size follows the budget: the smaller of the user's device-memory limit and the device's
/// free memory (CUDA: 90 % of what the driver reports free; other devices: 3/4 of their memory).
/// </summary>
internal static class DeviceBudget
{
    /// <summary>The share of a non-CUDA device's memory a fit plans to use.</summary>
    private const double DefaultShare = 0.75;

    /// <summary>The share of a CUDA device's free memory a fit plans to use.</summary>
    private const double FreeShare = 0.9;

    /// <summary>What the device can give a fit now, in bytes.</summary>
    public static long DeviceBytes(Accelerator accelerator) => accelerator is ILGPU.Runtime.Cuda.CudaAccelerator cuda
        ? (long)(cuda.GetFreeMemory() * FreeShare)
        : (long)(accelerator.MemorySize * DefaultShare);

    /// <summary>
    /// Rows per device chunk: all rows when they fit with the <paramref name="resident"/>
    /// footprint, else as many as the <paramref name="streamed"/> footprint (two slots) allows.
    /// </summary>
    public static int ChunkRows(
        Accelerator accelerator, long? limit, int rows, (long PerRow, long Fixed) resident, (long PerRow, long Fixed) streamed)
    {
        int all = ChunkRows(accelerator, limit, rows, resident.PerRow, resident.Fixed);
        return all == rows ? all : ChunkRows(accelerator, limit, rows, streamed.PerRow, streamed.Fixed);
    }

    /// <summary>
    /// The device chunks of whole units (rows, sequences, documents): one chunk of everything
    /// when the items fit with the <paramref name="resident"/> footprint, else chunks within the
    /// <paramref name="streamed"/> footprint, never splitting a unit. Footprints are per item
    /// (row or non-zero).
    /// </summary>
    public static ChunkPlan Plan(
        Accelerator accelerator, long? limit, UnitLayout units, (long PerRow, long Fixed) resident, (long PerRow, long Fixed) streamed)
    {
        long items = Math.Max(1, units.ItemCount);
        int all = ChunkRows(accelerator, limit, items, resident.PerRow, resident.Fixed);
        int most = all == items ? all : ChunkRows(accelerator, limit, items, streamed.PerRow, streamed.Fixed);
        return units.Cut(most);
    }

    /// <summary>Rows per device chunk (≥ 1, ≤ <paramref name="rows"/>).</summary>
    /// <param name="accelerator">The device.</param>
    /// <param name="limit">The user's limit in bytes, or null.</param>
    /// <param name="rows">n.</param>
    /// <param name="bytesPerRow">Device bytes each resident row needs (data, per-point outputs).</param>
    /// <param name="fixedBytes">Device bytes that do not scale with the rows (parameters, partials).</param>
    public static int ChunkRows(Accelerator accelerator, long? limit, long rows, long bytesPerRow, long fixedBytes)
    {
        long device = DeviceBytes(accelerator);
        long budget = limit is null ? device : Math.Min(limit.Value, device);
        long available = budget - fixedBytes;
        if (available < bytesPerRow)
            throw new InvalidOperationException(
                $"The device memory budget ({budget:N0} bytes{(limit is null || limit.Value > device ? ", what the device has free" : ", DeviceMemoryLimit")}) " +
                $"cannot hold one row ({bytesPerRow:N0} bytes) beside the model's {fixedBytes:N0} bytes; raise " +
                "DeviceMemoryLimit or use the reference backend.");
        long chunk = Math.Min(rows, available / bytesPerRow);
        // A conservative cap of 2³¹/64 rows (33 M) per chunk, not yet checked on a GPU: larger data
        // streams in chunks of that size even when the device could hold it.
        return (int)Math.Max(1, Math.Min(chunk, int.MaxValue / 64));
    }
}
