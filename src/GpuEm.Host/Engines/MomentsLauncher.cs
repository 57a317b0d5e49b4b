using GpuEm.Kernels.Common;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Engines;

/// <summary>
/// Launches <see cref="MomentsKernels.WeightedMomentsKernel"/> and the combine across point
/// blocks for one fit: sizes the grid and owns the partial-sum buffers (allocated once per fit).
/// Shared by every model whose statistics are weighted moments (mixtures, k-means).
/// </summary>
internal sealed class MomentsLauncher : IDisposable
{
    /// <summary>Upper bound on the partial sums kept on the device, in bytes.</summary>
    private const long PartialBudgetBytes = 64L << 20;

    /// <summary>Threads per group of the moments reduction (fewer on a device that has fewer).</summary>
    private const int MaxGroupSize = 128;

    private const string MomentsKey = "moments";

    /// <summary>The combine kernel: one thread per slot, auto-grouped.</summary>
    internal static KernelLaunch CombineLaunch { get; } = new(
        "combine", KernelLaunch.Method(typeof(MomentsKernels), nameof(MomentsKernels.CombinePartialsKernel)), null, 0);

    private readonly AcceleratorHandle _handle;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _entries;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _totals;
    private readonly int _pointCount;
    private readonly int _dimension;
    private readonly int _componentCount;
    private readonly int _groupSize;
    private readonly int _entryTiles;
    private readonly int _tilePoints;
    private readonly bool _useLabels;
    private readonly int _blocks;

    /// <summary>Prepares launches over at most n points, k components and the given entry table.</summary>
    /// <param name="handle">The accelerator.</param>
    /// <param name="pointCount">n: the rows of <see cref="Run"/>, the most rows of <see cref="Accumulate"/>.</param>
    /// <param name="dimension">d.</param>
    /// <param name="componentCount">k.</param>
    /// <param name="entries">Pairs (i, j) into the augmented z = (1, x − c), E × 2.</param>
    /// <param name="useLabels">Hard labels (k-means) instead of responsibilities.</param>
    public MomentsLauncher(
        AcceleratorHandle handle, int pointCount, int dimension, int componentCount, int[] entries, bool useLabels)
    {
        _handle = handle;
        Accelerator accelerator = handle.Accelerator;
        EntryCount = entries.Length / 2;
        _pointCount = pointCount;
        _dimension = dimension;
        _componentCount = componentCount;
        _useLabels = useLabels;
        (_groupSize, _tilePoints) = Plan(handle.Limits, dimension);
        _entryTiles = (EntryCount + _groupSize * MomentsKernels.EntriesPerThread - 1)
            / (_groupSize * MomentsKernels.EntriesPerThread);
        long slots = (long)componentCount * EntryCount;
        int maxBlocks = (int)Math.Clamp(PartialBudgetBytes / (slots * sizeof(double)), 1, 256);
        _blocks = Math.Clamp((pointCount + 1023) / 1024, 1, maxBlocks);
        _entries = accelerator.Allocate1D(entries);
        _partials = accelerator.Allocate1D<double>(_blocks * slots);
        _totals = accelerator.Allocate1D<double>(slots);
    }

    public int EntryCount { get; }

    /// <summary>
    /// The moments kernel's group size and the points it stages at a time: a tile of at most 64
    /// points within half the device's shared memory and at most 16 KiB.
    /// </summary>
    internal static (int GroupSize, int TilePoints) Plan(DeviceLimits limits, int dimension)
    {
        int groupSize = Math.Min(MaxGroupSize, limits.MaxThreadsPerGroup);
        int sharedBudgetFloats = (int)Math.Min(limits.MaxSharedBytesPerGroup / 2, 16384) / sizeof(float);
        return (groupSize, Math.Clamp(sharedBudgetFloats / (dimension + 2), 1, 64));
    }

    /// <summary>The kernels this launcher launches for data of <paramref name="dimension"/> columns.</summary>
    internal static IEnumerable<KernelLaunch> Launches(DeviceLimits limits, int dimension)
    {
        (int groupSize, int tilePoints) = Plan(limits, dimension);
        yield return new KernelLaunch(
            MomentsKey, KernelLaunch.Method(typeof(MomentsKernels), nameof(MomentsKernels.WeightedMomentsKernel)),
            groupSize, (long)MomentsKernels.SharedFloats(tilePoints, dimension) * sizeof(float));
        yield return CombineLaunch;
    }

    /// <summary>Runs the reduction; the k × E totals are read back into <paramref name="totals"/>.</summary>
    public void Run(
        ArrayView<float> data,
        ArrayView<float> responsibilities,
        ArrayView<int> labels,
        ArrayView<float> weights,
        ArrayView<float> shifts,
        double[] totals)
    {
        Accumulate(_pointCount, data, responsibilities, labels, weights, shifts, first: true);
        Read(totals);
    }

    /// <summary>
    /// Runs the reduction over the first <paramref name="rows"/> rows and adds its k × E totals
    /// to those on the device (<paramref name="first"/>: replaces them); nothing is read back.
    /// </summary>
    public void Accumulate(
        int rows,
        ArrayView<float> data,
        ArrayView<float> responsibilities,
        ArrayView<int> labels,
        ArrayView<float> weights,
        ArrayView<float> shifts,
        bool first)
    {
        var moments = _handle.Kernel(MomentsKey, a => a.LoadStreamKernel<
            ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>,
            ArrayView<int>, ArrayView<double>, MomentsParams>(MomentsKernels.WeightedMomentsKernel));
        (int pointsPerBlock, int blocks) = SplitRows(rows, _blocks);
        var parameters = new MomentsParams(
            rows, _dimension, _componentCount, EntryCount, pointsPerBlock, _tilePoints, _entryTiles,
            _useLabels ? 1 : 0);
        var config = new KernelConfig(
            new Index2D(blocks, _componentCount * _entryTiles),
            new Index2D(_groupSize, 1),
            SharedMemoryConfig.RequestDynamic<float>(MomentsKernels.SharedFloats(_tilePoints, _dimension)));
        moments(config, data, responsibilities, labels, weights, shifts, _entries.View, _partials.View, parameters);
        Combine(_handle, _partials.View, _totals.View, blocks, first);
    }

    /// <summary>
    /// Cuts <paramref name="rows"/> into at most <paramref name="maxBlocks"/> equal point blocks
    /// (the last may hold fewer): the points per block and the blocks actually used.
    /// </summary>
    internal static (int PointsPerBlock, int Blocks) SplitRows(int rows, int maxBlocks)
    {
        int pointsPerBlock = (rows + maxBlocks - 1) / maxBlocks;
        return (pointsPerBlock, (rows + pointsPerBlock - 1) / pointsPerBlock);
    }

    /// <summary>Reads the k × E totals back (the launcher's one synchronization with the host).</summary>
    public void Read(double[] totals) => _totals.View.CopyToCPU(totals);

    /// <summary>
    /// Adds blocks × slots partial sums in block order into the slots of <paramref name="totals"/>,
    /// replacing them when <paramref name="first"/>, else adding to them.
    /// </summary>
    internal static void Combine(
        AcceleratorHandle handle, ArrayView<double> partials, ArrayView<double> totals, int blocks, bool first)
    {
        var combine = handle.Kernel(CombineLaunch.Key, a => a.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<double>, ArrayView<double>, int, int>(MomentsKernels.CombinePartialsKernel));
        combine((int)totals.Length, partials, totals, blocks, first ? 0 : 1);
    }

    /// <summary>Entry table for full second moments: every (i, j), i ≤ j, of the augmented z.</summary>
    public static int[] FullEntries(int dimension)
    {
        var list = new List<int>();
        for (int i = 0; i <= dimension; i++)
            for (int j = i; j <= dimension; j++)
            {
                list.Add(i);
                list.Add(j);
            }
        return list.ToArray();
    }

    /// <summary>Entry table for Σ r, Σ r·z and, with <paramref name="squares"/>, Σ r·z².</summary>
    public static int[] DiagonalEntries(int dimension, bool squares)
    {
        var list = new List<int> { 0, 0 };
        for (int j = 1; j <= dimension; j++)
        {
            list.Add(0);
            list.Add(j);
        }
        if (squares)
        {
            for (int j = 1; j <= dimension; j++)
            {
                list.Add(j);
                list.Add(j);
            }
        }
        return list.ToArray();
    }

    public void Dispose()
    {
        _entries.Dispose();
        _partials.Dispose();
        _totals.Dispose();
    }
}
