using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;

namespace GpuEm.Kernels.Common;

/// <summary>
/// Reductions shared by every model whose sufficient statistics are weighted moments of the data:
/// Σ r, Σ r·(x − c) and Σ r·(x − c)(x − c)ᵀ per component, with c a per-component shift.
/// </summary>
public static class MomentsKernels
{
    /// <summary>Moment entries each thread accumulates in registers.</summary>
    public const int EntriesPerThread = 4;

    /// <summary>
    /// Shared memory one group needs, in floats, for <paramref name="tilePoints"/> staged points
    /// of dimension <paramref name="dimension"/>: per point its weight, 1 and the d shifted
    /// coordinates.
    /// </summary>
    /// <param name="tilePoints">Points staged at a time.</param>
    /// <param name="dimension">Columns d.</param>
    /// <returns>The number of floats.</returns>
    public static int SharedFloats(int tilePoints, int dimension) => tilePoints * (dimension + 2);

    // Group (block, component·EntryTiles + tile): thread t owns entries tile·G·4 + t + s·G (s < 4)
    // of that component; the group stages TilePoints points of its block at a time in shared memory
    // as rows (r, 1, x − c), then each thread adds r·z_i·z_j for its entries in float64. Reads data,
    // responsibilities or labels+weights, shifts and the entry table; writes
    // partials[(block·k + component)·E + entry]. Entry (i, j) indexes the augmented z = (1, x − c):
    // (0, 0) is Σ r, (0, j) is Σ r·(x_j − c_j), (i, j) is Σ r·(x_i − c_i)(x_j − c_j).
    /// <summary>Accumulates weighted moments per (point block, component); see the remarks in code.</summary>
    /// <param name="data">Row-major data, n × d.</param>
    /// <param name="responsibilities">Row-major n × k weighted responsibilities (unused with labels).</param>
    /// <param name="labels">Per-point labels (used with labels).</param>
    /// <param name="weights">Per-point sample weights (used with labels).</param>
    /// <param name="shifts">Per-component shift c, k × d.</param>
    /// <param name="entries">Entry table, E × 2 indexes into the augmented vector.</param>
    /// <param name="partials">Output, blocks × k × E.</param>
    /// <param name="p">Shapes and tiling.</param>
    public static void WeightedMomentsKernel(
        ArrayView<float> data,
        ArrayView<float> responsibilities,
        ArrayView<int> labels,
        ArrayView<float> weights,
        ArrayView<float> shifts,
        ArrayView<int> entries,
        ArrayView<double> partials,
        MomentsParams p)
    {
        int block = Grid.IdxX;
        int component = Grid.IdxY / p.EntryTiles;
        int tile = Grid.IdxY - component * p.EntryTiles;
        int thread = Group.IdxX;
        int groupSize = Group.DimX;
        int width = p.Dimension + 2;
        var staged = SharedMemory.GetDynamic<float>();

        int firstEntry = tile * groupSize * EntriesPerThread + thread;
        int e0 = firstEntry;
        int e1 = firstEntry + groupSize;
        int e2 = firstEntry + 2 * groupSize;
        int e3 = firstEntry + 3 * groupSize;
        // Entries past E read entry 0 and are never written back.
        int i0 = e0 < p.EntryCount ? entries[2 * e0] + 1 : 1, j0 = e0 < p.EntryCount ? entries[2 * e0 + 1] + 1 : 1;
        int i1 = e1 < p.EntryCount ? entries[2 * e1] + 1 : 1, j1 = e1 < p.EntryCount ? entries[2 * e1 + 1] + 1 : 1;
        int i2 = e2 < p.EntryCount ? entries[2 * e2] + 1 : 1, j2 = e2 < p.EntryCount ? entries[2 * e2 + 1] + 1 : 1;
        int i3 = e3 < p.EntryCount ? entries[2 * e3] + 1 : 1, j3 = e3 < p.EntryCount ? entries[2 * e3 + 1] + 1 : 1;
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;

        int start = block * p.PointsPerBlock;
        int end = start + p.PointsPerBlock;
        if (end > p.PointCount)
            end = p.PointCount;

        // Barriers: start, end and TilePoints depend only on the group (block) and p, so every
        // thread of the group runs the same tiles and reaches both barriers of each; the
        // per-thread loops and branches around them hold no barrier.
        for (int tileStart = start; tileStart < end; tileStart += p.TilePoints)
        {
            for (int idx = thread; idx < p.TilePoints * width; idx += groupSize)
            {
                int row = idx / width;
                int col = idx - row * width;
                int point = tileStart + row;
                float value = 0f;
                if (point < end)
                {
                    if (col == 0)
                    {
                        value = p.UseLabels != 0
                            ? (labels[point] == component ? weights[point] : 0f)
                            : responsibilities[(long)point * p.ComponentCount + component];
                    }
                    else if (col == 1)
                    {
                        value = 1f;
                    }
                    else
                    {
                        int dim = col - 2;
                        value = data[(long)point * p.Dimension + dim]
                            - shifts[component * p.Dimension + dim];
                    }
                }
                staged[idx] = value;
            }
            Group.Barrier(); // all threads: the tile is staged before any thread reads it

            for (int row = 0; row < p.TilePoints; row++)
            {
                int o = row * width;
                float r = staged[o];
                a0 += r * staged[o + i0] * staged[o + j0];
                a1 += r * staged[o + i1] * staged[o + j1];
                a2 += r * staged[o + i2] * staged[o + j2];
                a3 += r * staged[o + i3] * staged[o + j3];
            }
            Group.Barrier(); // all threads: every read of the tile is done before it is restaged
        }

        long baseIndex = ((long)block * p.ComponentCount + component) * p.EntryCount;
        if (e0 < p.EntryCount) partials[baseIndex + e0] = a0;
        if (e1 < p.EntryCount) partials[baseIndex + e1] = a1;
        if (e2 < p.EntryCount) partials[baseIndex + e2] = a2;
        if (e3 < p.EntryCount) partials[baseIndex + e3] = a3;
    }

    // One thread per (component, entry) slot s < slotCount: adds partials[b·slotCount + s] over the
    // blocks b in increasing order (a fixed order, so results are reproducible) and writes the sum
    // to totals[s], or adds it to totals[s] when accumulate is 1 (the chunks of a streamed
    // iteration, in chunk order, so that the host reads the totals once per iteration).
    /// <summary>Combines per-block partial sums in block order.</summary>
    /// <param name="slot">The (component, entry) slot.</param>
    /// <param name="partials">blocks × slotCount partial sums.</param>
    /// <param name="totals">slotCount totals.</param>
    /// <param name="blockCount">Number of blocks.</param>
    /// <param name="accumulate">1: add to the totals; 0: overwrite them.</param>
    public static void CombinePartialsKernel(
        Index1D slot,
        ArrayView<double> partials,
        ArrayView<double> totals,
        int blockCount,
        int accumulate)
    {
        // Bounds: slot < totals.Length (ILGPU's implicitly grouped launch returns the threads past
        // the extent: PTX setp.ge, @p ret); b·slotCount + slot < blockCount·slotCount ≤ partials.Length.
        long slotCount = totals.Length;
        double sum = 0;
        for (int b = 0; b < blockCount; b++)
            sum += partials[b * slotCount + slot];
        totals[slot] = accumulate != 0 ? totals[slot] + sum : sum;
    }

    // Group g (of a fixed grid): each thread adds values[i] for i = g·G + t, stepping by the grid
    // size, in float64; a group reduction then gives partials[g]. The host adds the partials in
    // group order.
    /// <summary>Sums a float vector into one float64 partial per group.</summary>
    /// <param name="values">Values to add.</param>
    /// <param name="partials">One partial per group.</param>
    public static void SumKernel(ArrayView<float> values, ArrayView<double> partials)
    {
        double sum = 0;
        long stride = (long)Grid.DimX * Group.DimX;
        for (long i = (long)Grid.IdxX * Group.DimX + Group.IdxX; i < values.Length; i += stride)
            sum += values[i];
        // The group reduction (barriers inside) is reached by all threads: no branch precedes it.
        double total = GroupExtensions.Reduce<double, AddDouble>(sum);
        if (Group.IsFirstThread)
            partials[Grid.IdxX] = total;
    }
}
