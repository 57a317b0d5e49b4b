using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Algorithms.ScanReduceOperations;

namespace GpuEm.Kernels.GaussianMixture;

/// <summary>
/// One pass per iteration for diagonal (and spherical) mixtures: the E-step and the sufficient
/// statistics read each point once, and the responsibilities never leave the group.
/// </summary>
public static class GaussianFusedKernels
{
    /// <summary>Statistics per component: Σ r, Σ r·(x − μ) (d values), Σ r·(x − μ)² (d values).</summary>
    /// <param name="dimension">d.</param>
    /// <returns>2d + 1.</returns>
    public static int EntriesPerComponent(int dimension) => 2 * dimension + 1;

    /// <summary>
    /// Partial sums each group writes: k·(2d + 1) statistics, then the weighted log-likelihood.
    /// </summary>
    /// <param name="dimension">d.</param>
    /// <param name="componentCount">k.</param>
    /// <returns>k·(2d + 1) + 1.</returns>
    public static int SlotCount(int dimension, int componentCount) =>
        componentCount * EntriesPerComponent(dimension) + 1;

    /// <summary>
    /// Shared memory one group needs, in doubles: the k·(2d + 1) accumulators, then (as floats)
    /// the staged points (odd row stride ≥ d), their k log-joints and two values per point.
    /// </summary>
    /// <param name="tilePoints">Points staged at a time.</param>
    /// <param name="dimension">d.</param>
    /// <param name="componentCount">k.</param>
    /// <returns>The number of doubles.</returns>
    public static int SharedDoubles(int tilePoints, int dimension, int componentCount)
    {
        long floats = (long)tilePoints * ((dimension | 1) + componentCount + 2);
        return (int)(SlotCount(dimension, componentCount) - 1 + (floats + 1) / 2);
    }

    // Group g handles points g·PointsPerBlock … (g + 1)·PointsPerBlock − 1, TilePoints at a time:
    // the tile's rows are staged in shared memory; thread t computes the log-joints
    // logNorm_c − ½ Σ_j ((x_j − μ_cj)·L_cj)² of pairs (c, point) t, t + G, … (c-major, so a warp
    // reads the same parameters); per point the largest log-joint, then exp(· − max) per pair, then
    // per point the sum, log-sum-exp and w·lse, then r = w·exp(· − lse) per pair, all in shared
    // memory. Thread t owns the statistics e = t, t + G, … of the k·(2d + 1) (component-major:
    // Σ r, Σ r·(x_j − μ_j), Σ r·(x_j − μ_j)²) and adds the tile's points to them in float64 in
    // shared memory. At the end the group writes its statistics and its Σ w·lse (a group
    // reduction) to partials[g·(k·(2d + 1) + 1) + slot]. Reads data, weights, labels and the
    // parameters; writes partials.
    /// <summary>Fused E-step and statistics of a diagonal mixture; see the remarks in code.</summary>
    /// <param name="data">Row-major n × d.</param>
    /// <param name="weights">Per-point weights (read when UseWeights is 1).</param>
    /// <param name="labels">Per-point labels, −1 = unknown (read when UseLabels is 1).</param>
    /// <param name="means">Row-major k × d (also the shift of the statistics).</param>
    /// <param name="precisionDiagonal">k × d, square roots of the precisions.</param>
    /// <param name="logNorm">k normalizing terms.</param>
    /// <param name="partials">Output, groups × (k·(2d + 1) + 1).</param>
    /// <param name="p">Shapes and tiling.</param>
    public static void DiagonalKernel(
        ArrayView<float> data,
        ArrayView<float> weights,
        ArrayView<int> labels,
        ArrayView<float> means,
        ArrayView<float> precisionDiagonal,
        ArrayView<float> logNorm,
        ArrayView<double> partials,
        GaussianFusedParams p)
    {
        int d = p.Dimension;
        int k = p.ComponentCount;
        int entries = EntriesPerComponent(d);
        int statistics = k * entries;
        int tile = p.TilePoints;
        int stride = d | 1; // odd row stride: a warp reading one column of the tile hits distinct banks
        int thread = Group.IdxX;
        int groupSize = Group.DimX;

        ArrayView<double> shared = SharedMemory.GetDynamic<double>();
        ArrayView<double> sums = shared.SubView(0, statistics);
        ArrayView<float> floats = shared.SubView(statistics).Cast<float>();
        ArrayView<float> x = floats.SubView(0, tile * stride);
        ArrayView<float> joint = floats.SubView(tile * stride, tile * k);
        ArrayView<float> rowMax = floats.SubView(tile * stride + tile * k, tile);
        ArrayView<float> rowScale = floats.SubView(tile * stride + tile * k + tile, tile);

        for (int e = thread; e < statistics; e += groupSize)
            sums[e] = 0;
        double logLikelihood = 0;

        int start = Grid.IdxX * p.PointsPerBlock;
        int end = XMath.Min(start + p.PointsPerBlock, p.PointCount);
        // Barriers: start, end, tile and count depend only on the group and p, so every thread
        // of the group runs the same tiles and reaches all seven barriers of each; the strided
        // per-thread loops and the label / count branches between them hold none.
        for (int tileStart = start; tileStart < end; tileStart += tile)
        {
            int count = XMath.Min(tile, end - tileStart);
            for (int idx = thread; idx < tile * d; idx += groupSize)
            {
                int local = idx / d;
                int dim = idx - local * d;
                x[local * stride + dim] = local < count ? data[(long)(tileStart + local) * d + dim] : 0f;
            }
            Group.Barrier(); // all threads: the points (and, first time, the zeroed sums) are in place

            for (int idx = thread; idx < tile * k; idx += groupSize)
            {
                int component = idx / tile;
                int local = idx - component * tile;
                int offset = component * d;
                float squared = 0f;
                for (int dim = 0; dim < d; dim++)
                {
                    float y = (x[local * stride + dim] - means[offset + dim]) * precisionDiagonal[offset + dim];
                    squared += y * y;
                }
                joint[idx] = logNorm[component] - 0.5f * squared;
            }
            Group.Barrier(); // all threads: every log-joint is written before the row maxima

            // Per point: the largest log-joint; a labelled point adds w·log p(x, label) now.
            for (int local = thread; local < tile; local += groupSize)
            {
                float max = float.NegativeInfinity;
                if (local < count)
                {
                    int point = tileStart + local;
                    int label = p.UseLabels != 0 ? labels[point] : -1;
                    // label < k: DataMatrix.WithLabels checks every label at the edge.
                    if (label >= 0)
                        logLikelihood += (p.UseWeights != 0 ? weights[point] : 1f) * joint[label * tile + local];
                    for (int component = 0; component < k; component++)
                        max = XMath.Max(max, joint[component * tile + local]);
                }
                rowMax[local] = max;
            }
            Group.Barrier(); // all threads: the maxima are written before exp(· − max)

            for (int idx = thread; idx < tile * k; idx += groupSize)
            {
                int local = idx - idx / tile * tile;
                joint[idx] = local < count ? XMath.Exp(joint[idx] - rowMax[local]) : 0f;
            }
            Group.Barrier(); // all threads: the exponentials are written before the row sums

            // Per point: lse = max + log Σ exp(· − max); the responsibilities are w·e/Σ e.
            for (int local = thread; local < tile; local += groupSize)
            {
                float scale = 0f;
                if (local < count)
                {
                    int point = tileStart + local;
                    float weight = p.UseWeights != 0 ? weights[point] : 1f;
                    int label = p.UseLabels != 0 ? labels[point] : -1;
                    float sum = 0f;
                    for (int component = 0; component < k; component++)
                        sum += joint[component * tile + local];
                    if (label < 0)
                    {
                        logLikelihood += weight * (rowMax[local] + XMath.Log(sum));
                        scale = weight / sum;
                    }
                }
                rowScale[local] = scale;
            }
            Group.Barrier(); // all threads: the scales are written before the responsibilities

            for (int idx = thread; idx < tile * k; idx += groupSize)
            {
                int component = idx / tile;
                int local = idx - component * tile;
                float r = joint[idx] * rowScale[local];
                if (p.UseLabels != 0 && local < count)
                {
                    int point = tileStart + local;
                    int label = labels[point];
                    if (label >= 0)
                        r = component == label ? (p.UseWeights != 0 ? weights[point] : 1f) : 0f;
                }
                joint[idx] = r;
            }
            Group.Barrier(); // all threads: the responsibilities are final before the statistics read them

            for (int e = thread; e < statistics; e += groupSize)
            {
                int component = e / entries;
                int s = e - component * entries;
                int row = component * tile;
                double sum = sums[e];
                if (s == 0)
                {
                    for (int local = 0; local < count; local++)
                        sum += joint[row + local];
                }
                else
                {
                    int dim = s <= d ? s - 1 : s - 1 - d;
                    float mean = means[component * d + dim];
                    if (s <= d)
                    {
                        for (int local = 0; local < count; local++)
                            sum += joint[row + local] * (x[local * stride + dim] - mean);
                    }
                    else
                    {
                        for (int local = 0; local < count; local++)
                        {
                            float z = x[local * stride + dim] - mean;
                            sum += joint[row + local] * z * z;
                        }
                    }
                }
                sums[e] = sum;
            }
            Group.Barrier(); // all threads: x and joint are read before the next tile rewrites them
        }

        long slots = statistics + 1;
        long baseIndex = Grid.IdxX * slots;
        for (int e = thread; e < statistics; e += groupSize)
            partials[baseIndex + e] = sums[e];
        // The group reduction (barriers inside) is reached by all threads: it is outside every branch.
        double total = GroupExtensions.Reduce<double, AddDouble>(logLikelihood);
        if (Group.IsFirstThread)
            partials[baseIndex + statistics] = total;
    }
}
