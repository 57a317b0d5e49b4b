using GpuEm.Kernels.Common;
using ILGPU;
using ILGPU.Algorithms;

namespace GpuEm.Kernels.GaussianMixture;

/// <summary>
/// Per-point E-step of a Gaussian mixture in the precision-Cholesky form: for component k,
/// log p(x, k) = logNorm_k − ½‖(x − μ_k)·L_k‖², with L_k the upper-triangular Cholesky factor of
/// the precision (P = L Lᵀ) and logNorm_k = log w_k + Σ log diag L_k − ½ d log 2π.
/// </summary>
public static class GaussianKernels
{
    /// <summary>Micro-tile edge: each thread of the tiled full E-step computes 4 × 4 outputs.</summary>
    public const int MicroTile = 4;

    /// <summary>
    /// Shared memory one group of <see cref="EStepFullKernel"/> needs, in floats, for a group of
    /// <paramref name="tileWidth"/> × <paramref name="tileHeight"/> threads.
    /// </summary>
    /// <param name="tileWidth">Threads along the columns of the product (also the depth of a step).</param>
    /// <param name="tileHeight">Threads along the points.</param>
    /// <returns>The number of floats.</returns>
    public static int FullSharedFloats(int tileWidth, int tileHeight)
    {
        int points = MicroTile * tileHeight;
        return tileWidth * (points + 1) + tileWidth * MicroTile * tileWidth + points * (tileWidth + 1);
    }

    // Group g (tileWidth·tileHeight threads, thread t = ty·tileWidth + tx) handles the
    // P = 4·tileHeight points g·P … g·P + P − 1. Per component, Y = (X − μ_k)·L_k is computed as a
    // blocked matrix product: column tiles of J = 4·tileWidth, depth steps of tileWidth rows of
    // L_k (only the rows i ≤ the tile's last column: L_k is upper-triangular), the centred points
    // and the factor rows staged in shared memory, each thread accumulating the 4 × 4 outputs of
    // points ty + r·tileHeight and columns tx + c·tileWidth in registers. The squares of a tile's
    // outputs are reduced per point through shared memory; thread t < P owns point g·P + t: it
    // writes log p(x, k) into resp[point, :] (as scratch), then normalizes the row as
    // EStepDiagonalKernel does. Reads data, means, factors, logNorm, weights and labels; writes
    // responsibilities and pointLogLikelihood.
    /// <summary>E-step for full (and tied) covariances, tiled; see the remarks in code.</summary>
    /// <param name="data">Row-major n × d.</param>
    /// <param name="weights">Per-point weights (read when UseWeights is 1).</param>
    /// <param name="labels">Per-point labels, −1 = unknown (read when UseLabels is 1).</param>
    /// <param name="means">Row-major k × d.</param>
    /// <param name="precisionCholesky">k × d × d, row-major upper-triangular factors.</param>
    /// <param name="logNorm">k normalizing terms.</param>
    /// <param name="responsibilities">Output, row-major n × k.</param>
    /// <param name="pointLogLikelihood">Output, n.</param>
    /// <param name="p">Shapes and tiling.</param>
    public static void EStepFullKernel(
        ArrayView<float> data,
        ArrayView<float> weights,
        ArrayView<int> labels,
        ArrayView<float> means,
        ArrayView<float> precisionCholesky,
        ArrayView<float> logNorm,
        ArrayView<float> responsibilities,
        ArrayView<float> pointLogLikelihood,
        GaussianTiledParams p)
    {
        int d = p.Dimension;
        int width = p.TileWidth;
        int height = p.TileHeight;
        int thread = Group.IdxX;
        int tx = thread % width;
        int ty = thread / width;
        int points = MicroTile * height;
        int columns = MicroTile * width;
        int depth = width;
        int aStride = points + 1; // odd stride: the transposed stores hit distinct banks
        int redStride = width + 1;
        ArrayView<float> shared = SharedMemory.GetDynamic<float>();
        ArrayView<float> a = shared.SubView(0, depth * aStride);
        ArrayView<float> b = shared.SubView(depth * aStride, depth * columns);
        ArrayView<float> red = shared.SubView(depth * aStride + depth * columns, points * redStride);

        int first = Grid.IdxX * points;
        int mine = first + thread;
        bool owner = thread < points && mine < p.PointCount;
        long respRow = (long)mine * p.ComponentCount;
        float max = float.NegativeInfinity;
        // Barriers: the component, column-tile (j0) and depth (i0) loops depend only on p, so
        // every thread of the group runs the same iterations and reaches all four barriers;
        // the owner / thread < points branches hold none. Needs Group.DimX = TileWidth ×
        // TileHeight (the launcher's group) so that ty < TileHeight indexes red and a.
        for (int component = 0; component < p.ComponentCount; component++)
        {
            long factor = (long)component * d * d;
            int mean = component * d;
            float squared = 0f;
            for (int j0 = 0; j0 < d; j0 += columns)
            {
                float c00 = 0f, c01 = 0f, c02 = 0f, c03 = 0f;
                float c10 = 0f, c11 = 0f, c12 = 0f, c13 = 0f;
                float c20 = 0f, c21 = 0f, c22 = 0f, c23 = 0f;
                float c30 = 0f, c31 = 0f, c32 = 0f, c33 = 0f;
                int depthEnd = XMath.Min(d, j0 + columns);
                for (int i0 = 0; i0 < depthEnd; i0 += depth)
                {
                    // Staging without a division: the group is width × height threads and
                    // depth = width, so the elements idx = thread + m·Group.DimX of the flat loops
                    // (idx / depth, idx / columns) are exactly these rows and columns.
                    for (int local = ty; local < points; local += height)
                    {
                        int point = first + local;
                        int i = i0 + tx;
                        a[tx * aStride + local] = point < p.PointCount && i < d
                            ? data[(long)point * d + i] - means[mean + i]
                            : 0f;
                    }
                    for (int row = ty; row < MicroTile * width; row += height)
                    {
                        int ii = row / MicroTile;
                        int jj = (row - ii * MicroTile) * width + tx;
                        int i = i0 + ii;
                        int j = j0 + jj;
                        b[ii * columns + jj] = i < d && j < d ? precisionCholesky[factor + (long)i * d + j] : 0f;
                    }
                    Group.Barrier(); // all threads: a and b are staged before the product reads them
                    for (int ii = 0; ii < depth; ii++)
                    {
                        int ao = ii * aStride + ty;
                        float a0 = a[ao], a1 = a[ao + height], a2 = a[ao + 2 * height], a3 = a[ao + 3 * height];
                        int bo = ii * columns + tx;
                        float b0 = b[bo], b1 = b[bo + width], b2 = b[bo + 2 * width], b3 = b[bo + 3 * width];
                        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
                    }
                    Group.Barrier(); // all threads: a and b are read before the next depth step restages them
                }
                red[ty * redStride + tx] = c00 * c00 + c01 * c01 + c02 * c02 + c03 * c03;
                red[(ty + height) * redStride + tx] = c10 * c10 + c11 * c11 + c12 * c12 + c13 * c13;
                red[(ty + 2 * height) * redStride + tx] = c20 * c20 + c21 * c21 + c22 * c22 + c23 * c23;
                red[(ty + 3 * height) * redStride + tx] = c30 * c30 + c31 * c31 + c32 * c32 + c33 * c33;
                Group.Barrier(); // all threads: the squares are in red before the owners add them
                if (thread < points)
                {
                    for (int x = 0; x < width; x++)
                        squared += red[thread * redStride + x];
                }
                Group.Barrier(); // all threads (outside the if): red is read before the next tile rewrites it
            }
            if (owner)
            {
                float logProb = logNorm[component] - 0.5f * squared;
                responsibilities[respRow + component] = logProb;
                max = XMath.Max(max, logProb);
            }
        }
        if (owner)
            Normalize(mine, respRow, max, weights, labels, responsibilities, pointLogLikelihood, p.UseWeights, p.UseLabels, p.ComponentCount);
    }

    // One thread per point: log p(x, k) = logNorm_k − ½ Σ_j ((x_j − μ_kj)·L_kjj)² for every
    // component into resp[point, :] (as scratch), log-sum-exp over k, then
    // resp[point, k] = w·exp(log p − lse) and pointLogLikelihood[point] = w·lse (a labelled point:
    // resp one-hot, pointLogLikelihood = w·log p(x, label)). Reads data[point, :], means, the
    // diagonal factors, logNorm, weights[point] and labels[point]. Spherical covariances use this
    // kernel with the factor repeated along the diagonal. Used when the fused kernel's statistics
    // do not fit a group's shared memory (GaussianFusedKernels).
    /// <summary>E-step for diagonal (and spherical) covariances.</summary>
    /// <param name="point">The point this thread handles.</param>
    /// <param name="data">Row-major n × d.</param>
    /// <param name="weights">Per-point weights (read when UseWeights is 1).</param>
    /// <param name="labels">Per-point labels, −1 = unknown (read when UseLabels is 1).</param>
    /// <param name="means">Row-major k × d.</param>
    /// <param name="precisionDiagonal">k × d, square roots of the precisions.</param>
    /// <param name="logNorm">k normalizing terms.</param>
    /// <param name="responsibilities">Output, row-major n × k.</param>
    /// <param name="pointLogLikelihood">Output, n.</param>
    /// <param name="p">Shapes.</param>
    public static void EStepDiagonalKernel(
        Index1D point,
        ArrayView<float> data,
        ArrayView<float> weights,
        ArrayView<int> labels,
        ArrayView<float> means,
        ArrayView<float> precisionDiagonal,
        ArrayView<float> logNorm,
        ArrayView<float> responsibilities,
        ArrayView<float> pointLogLikelihood,
        GaussianEStepParams p)
    {
        // Bounds: point < n: ILGPU's implicitly grouped launch returns the threads past the
        // extent (PTX: setp.ge, @p ret).
        int d = p.Dimension;
        long row = (long)point.X * d;
        long respRow = (long)point.X * p.ComponentCount;
        float max = float.NegativeInfinity;
        for (int component = 0; component < p.ComponentCount; component++)
        {
            int offset = component * d;
            float squared = 0f;
            for (int dim = 0; dim < d; dim++)
            {
                float y = (data[row + dim] - means[offset + dim]) * precisionDiagonal[offset + dim];
                squared += y * y;
            }
            float logProb = logNorm[component] - 0.5f * squared;
            responsibilities[respRow + component] = logProb;
            max = XMath.Max(max, logProb);
        }
        Normalize(point, respRow, max, weights, labels, responsibilities, pointLogLikelihood, p.UseWeights, p.UseLabels, p.ComponentCount);
    }

    private static void Normalize(
        int point,
        long respRow,
        float max,
        ArrayView<float> weights,
        ArrayView<int> labels,
        ArrayView<float> responsibilities,
        ArrayView<float> pointLogLikelihood,
        int useWeights,
        int useLabels,
        int componentCount)
    {
        float weight = useWeights != 0 ? weights[point] : 1f;
        int label = useLabels != 0 ? labels[point] : -1;
        if (label >= 0)
        {
            pointLogLikelihood[point] = weight * responsibilities[respRow + label];
            for (int component = 0; component < componentCount; component++)
                responsibilities[respRow + component] = component == label ? weight : 0f;
            return;
        }
        float lse = LogSumExp.NormalizeRow(responsibilities, respRow, componentCount, max, weight);
        pointLogLikelihood[point] = weight * lse;
    }
}
