using GpuEm.Engines;
using GpuEm.Kernels.GaussianMixture;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// Launches <see cref="GaussianFusedKernels.DiagonalKernel"/> for one fit: the E-step and the
/// statistics of a diagonal (or spherical) mixture in one pass over each chunk, the groups'
/// partial sums combined on the device in group order and added across the chunks of an
/// iteration in chunk order, read back once. Used when a group's k·(2d + 1) float64 accumulators
/// and a tile of at least <see cref="MinTilePoints"/> points fit its shared memory.
/// </summary>
internal sealed class FusedDiagonalLauncher : IDisposable
{
    /// <summary>The fewest points a tile may stage; below it the unfused kernels run.</summary>
    public const int MinTilePoints = 8;

    /// <summary>
    /// Shared memory the kernel's own static allocations may take beside the dynamic request:
    /// the group reduction's buffer of one double per warp (32 B at 256 threads, measured in the
    /// PTX; 256 B covers 32 warps).
    /// </summary>
    private const int StaticSharedReserveBytes = 256;

    /// <summary>
    /// Dynamic shared memory the launcher plans per group: CUDA's default limit without opt-in
    /// (48 KiB, static and dynamic together) less the kernel's static allocations.
    /// </summary>
    private const int SharedBudgetBytes = 48 * 1024 - StaticSharedReserveBytes;

    /// <summary>
    /// Groups per chunk at most: 512 (about 4 per multiprocessor of an H100 when a group uses
    /// ~46 KiB of shared memory), each taking at least 1,024 points.
    /// </summary>
    private const int MaxBlocks = 512;

    /// <summary>Upper bound on the partial sums kept on the device, in bytes.</summary>
    private const long PartialBudgetBytes = 64L << 20;

    /// <summary>Threads per group (fewer on a device that has fewer).</summary>
    private const int MaxGroupSize = 256;

    private const string Key = "gmm-fused-diag";

    private readonly AcceleratorHandle _handle;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _totals;
    private readonly int _d;
    private readonly int _k;
    private readonly int _tilePoints;
    private readonly int _groupSize;
    private readonly int _blocks;
    private readonly bool _useWeights;
    private readonly bool _useLabels;

    /// <summary>Prepares launches over chunks of at most <paramref name="chunkRows"/> rows.</summary>
    public FusedDiagonalLauncher(AcceleratorHandle handle, int chunkRows, int d, int k, bool useWeights, bool useLabels)
    {
        _handle = handle;
        _d = d;
        _k = k;
        _useWeights = useWeights;
        _useLabels = useLabels;
        _tilePoints = TilePoints(handle.Accelerator, d, k)
            ?? throw new ArgumentException("The statistics do not fit a group's shared memory.", nameof(k));
        _groupSize = GroupSize(DeviceLimits.Of(handle.Accelerator));
        SlotCount = GaussianFusedKernels.SlotCount(d, k);
        int maxBlocks = (int)Math.Clamp(PartialBudgetBytes / (SlotCount * 8L), 1, MaxBlocks);
        _blocks = Math.Clamp((chunkRows + 1023) / 1024, 1, maxBlocks);
        _partials = handle.Accelerator.Allocate1D<double>((long)_blocks * SlotCount);
        _totals = handle.Accelerator.Allocate1D<double>(SlotCount);
    }

    /// <summary>k·(2d + 1) statistics (component-major: Σ r, Σ r·(x − μ), Σ r·(x − μ)²), then Σ w·log p(x).</summary>
    public int SlotCount { get; }

    /// <summary>
    /// The largest tile (64, 32, 16 or 8 points) whose shared memory, beside the accumulators,
    /// fits the group's budget; null when none does.
    /// </summary>
    public static int? TilePoints(Accelerator accelerator, int d, int k) =>
        TilePoints(accelerator.MaxSharedMemoryPerGroup, d, k);

    /// <summary>As <see cref="TilePoints(Accelerator, int, int)"/> for a device with
    /// <paramref name="sharedBytes"/> of shared memory per group.</summary>
    public static int? TilePoints(long sharedBytes, int d, int k)
    {
        long budget = Math.Min(sharedBytes, SharedBudgetBytes);
        for (int tile = 64; tile >= MinTilePoints; tile /= 2)
            if ((long)GaussianFusedKernels.SharedDoubles(tile, d, k) * sizeof(double) <= budget)
                return tile;
        return null;
    }

    private static int GroupSize(DeviceLimits limits) => Math.Min(MaxGroupSize, limits.MaxThreadsPerGroup);

    /// <summary>
    /// The fused kernel as this launcher launches it for d columns and k components; none when
    /// the statistics do not fit (the engine then runs the unfused kernels).
    /// </summary>
    internal static IEnumerable<KernelLaunch> Launches(DeviceLimits limits, int d, int k)
    {
        if (TilePoints(limits.MaxSharedBytesPerGroup, d, k) is not int tile)
            yield break;
        yield return new KernelLaunch(
            Key, KernelLaunch.Method(typeof(GaussianFusedKernels), nameof(GaussianFusedKernels.DiagonalKernel)),
            GroupSize(limits), (long)GaussianFusedKernels.SharedDoubles(tile, d, k) * sizeof(double));
    }

    /// <summary>Device bytes that do not scale with the rows (partials and totals).</summary>
    public static long FixedBytes(int d, int k)
    {
        long slots = GaussianFusedKernels.SlotCount(d, k);
        return Math.Min(slots * 8 * MaxBlocks, Math.Max(PartialBudgetBytes, slots * 8)) + slots * 8;
    }

    /// <summary>
    /// Runs the fused pass over one chunk and adds its statistics to the device totals
    /// (<paramref name="first"/>: replaces them); nothing is read back.
    /// </summary>
    public void Accumulate(
        int rows,
        ArrayView<float> data,
        ArrayView<float> weights,
        ArrayView<int> labels,
        ArrayView<float> means,
        ArrayView<float> factors,
        ArrayView<float> logNorm,
        bool first)
    {
        var kernel = _handle.Kernel(Key, a => a.LoadStreamKernel<
            ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<double>, GaussianFusedParams>(GaussianFusedKernels.DiagonalKernel));
        (int pointsPerBlock, int blocks) = MomentsLauncher.SplitRows(rows, _blocks);
        var config = new KernelConfig(
            blocks,
            _groupSize,
            SharedMemoryConfig.RequestDynamic<double>(GaussianFusedKernels.SharedDoubles(_tilePoints, _d, _k)));
        var parameters = new GaussianFusedParams(
            rows, _d, _k, pointsPerBlock, _tilePoints, _useWeights ? 1 : 0, _useLabels ? 1 : 0);
        kernel(config, data, weights, labels, means, factors, logNorm, _partials.View, parameters);
        MomentsLauncher.Combine(_handle, _partials.View, _totals.View, blocks, first);
    }

    /// <summary>Reads the totals back (the iteration's one synchronization with the host).</summary>
    public void Read(double[] totals) => _totals.View.CopyToCPU(totals);

    public void Dispose()
    {
        _partials.Dispose();
        _totals.Dispose();
    }
}
