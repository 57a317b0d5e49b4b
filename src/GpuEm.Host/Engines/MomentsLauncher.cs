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

    private readonly AcceleratorHandle _handle;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _entries;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _totals;
    private readonly MomentsParams _params;
    private readonly KernelConfig _config;
    private readonly int _blocks;

    /// <summary>Prepares a launch over n points, k components and the given entry table.</summary>
    /// <param name="handle">The accelerator.</param>
    /// <param name="pointCount">n.</param>
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
        int groupSize = Math.Min(128, accelerator.MaxNumThreadsPerGroup);
        int entryTiles = (EntryCount + groupSize * MomentsKernels.EntriesPerThread - 1)
            / (groupSize * MomentsKernels.EntriesPerThread);
        int sharedBudgetFloats = (int)Math.Min(accelerator.MaxSharedMemoryPerGroup / 2, 16384) / sizeof(float);
        int tilePoints = Math.Clamp(sharedBudgetFloats / (dimension + 2), 1, 64);
        long slots = (long)componentCount * EntryCount;
        int maxBlocks = (int)Math.Clamp(PartialBudgetBytes / (slots * sizeof(double)), 1, 256);
        _blocks = Math.Clamp((pointCount + 1023) / 1024, 1, maxBlocks);
        int pointsPerBlock = (pointCount + _blocks - 1) / _blocks;
        _blocks = (pointCount + pointsPerBlock - 1) / pointsPerBlock;
        _params = new MomentsParams(
            pointCount, dimension, componentCount, EntryCount, pointsPerBlock, tilePoints, entryTiles,
            useLabels ? 1 : 0);
        _config = new KernelConfig(
            new Index2D(_blocks, componentCount * entryTiles),
            new Index2D(groupSize, 1),
            SharedMemoryConfig.RequestDynamic<float>(MomentsKernels.SharedFloats(tilePoints, dimension)));
        _entries = accelerator.Allocate1D(entries);
        _partials = accelerator.Allocate1D<double>(_blocks * slots);
        _totals = accelerator.Allocate1D<double>(slots);
    }

    public int EntryCount { get; }

    /// <summary>Runs the reduction; the k × E totals are read back into <paramref name="totals"/>.</summary>
    public void Run(
        ArrayView<float> data,
        ArrayView<float> responsibilities,
        ArrayView<int> labels,
        ArrayView<float> weights,
        ArrayView<float> shifts,
        double[] totals)
    {
        var moments = _handle.Kernel("moments", a => a.LoadStreamKernel<
            ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>,
            ArrayView<int>, ArrayView<double>, MomentsParams>(MomentsKernels.WeightedMomentsKernel));
        var combine = _handle.Kernel("combine", a => a.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<double>, ArrayView<double>, int>(MomentsKernels.CombinePartialsKernel));
        moments(_config, data, responsibilities, labels, weights, shifts, _entries.View, _partials.View, _params);
        combine((int)_totals.Length, _partials.View, _totals.View, _blocks);
        _totals.View.CopyToCPU(totals);
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
