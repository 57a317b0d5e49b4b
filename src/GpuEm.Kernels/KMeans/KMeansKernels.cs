using ILGPU;

namespace GpuEm.Kernels.KMeans;

/// <summary>Kernels of k-means (hard-assignment EM).</summary>
public static class KMeansKernels
{
    /// <summary>Shared memory one group needs, in floats.</summary>
    /// <param name="tileCentres">Centres staged at a time.</param>
    /// <param name="dimension">Columns d.</param>
    /// <returns>The number of floats.</returns>
    public static int SharedFloats(int tileCentres, int dimension) => tileCentres * dimension;

    // One thread per point (group g covers points g·G … g·G + G − 1): the group stages TileCentres
    // centres at a time in shared memory; each thread computes ‖x − c‖² to each (differences, not
    // ‖x‖² − 2x·c + ‖c‖², which cancels catastrophically in float32 for data far from the origin)
    // and keeps the nearest (lowest index on ties). Writes labels[point],
    // distances[point] = w·min ‖x − c‖² and changed[point] = 1 when the label differs from the
    // one labels[point] held before (else 0).
    /// <summary>Assigns every point to its nearest centre.</summary>
    /// <param name="data">Row-major n × d.</param>
    /// <param name="weights">Per-point weights (read when UseWeights is 1).</param>
    /// <param name="centres">Row-major k × d.</param>
    /// <param name="labels">Output, n.</param>
    /// <param name="distances">Output, n.</param>
    /// <param name="changed">Output, n: 1 where the label changed.</param>
    /// <param name="p">Shapes.</param>
    public static void AssignKernel(
        ArrayView<float> data,
        ArrayView<float> weights,
        ArrayView<float> centres,
        ArrayView<int> labels,
        ArrayView<float> distances,
        ArrayView<float> changed,
        KMeansAssignParams p)
    {
        int point = Grid.IdxX * Group.DimX + Group.IdxX;
        bool active = point < p.PointCount;
        int d = p.Dimension;
        long row = (long)(active ? point : 0) * d;
        var staged = SharedMemory.GetDynamic<float>();
        float best = float.PositiveInfinity;
        int label = 0;
        // Barriers: the centre tiles depend only on p, and threads past the last point stay in
        // the loop (active = false, never an early return), so every thread of the group
        // reaches both barriers of each tile; the if (active) block holds none.
        for (int first = 0; first < p.ClusterCount; first += p.TileCentres)
        {
            int count = p.ClusterCount - first;
            if (count > p.TileCentres)
                count = p.TileCentres;
            for (int idx = Group.IdxX; idx < count * d; idx += Group.DimX)
                staged[idx] = centres[first * d + idx];
            Group.Barrier(); // all threads: the tile of centres is staged before any thread reads it
            if (active)
            {
                for (int c = 0; c < count; c++)
                {
                    float sum = 0f;
                    for (int dim = 0; dim < d; dim++)
                    {
                        float diff = data[row + dim] - staged[c * d + dim];
                        sum += diff * diff;
                    }
                    if (sum < best)
                    {
                        best = sum;
                        label = first + c;
                    }
                }
            }
            Group.Barrier(); // all threads: every read of the tile is done before it is restaged
        }
        if (active)
        {
            changed[point] = labels[point] == label ? 0f : 1f;
            labels[point] = label;
            distances[point] = p.UseWeights != 0 ? weights[point] * best : best;
        }
    }

    // One thread per point: trial[point] = min(closest[point], w·‖x − candidate‖²), where
    // hasClosest = 0 means no centre yet (closest is not read). Reads data[point, :], the d
    // candidate coordinates and weights[point]; writes trial[point]. One step of k-means++ seeding.
    /// <summary>Distance of every point to its nearest chosen centre, if the candidate were added.</summary>
    /// <param name="point">The point this thread handles.</param>
    /// <param name="data">Row-major n × d.</param>
    /// <param name="weights">Per-point weights (all 1 without weights).</param>
    /// <param name="candidate">The candidate centre, d values.</param>
    /// <param name="closest">Current w·D² per point.</param>
    /// <param name="trial">Output, w·D² per point with the candidate.</param>
    /// <param name="dimension">d.</param>
    /// <param name="hasClosest">1 when <paramref name="closest"/> holds distances.</param>
    public static void CandidateDistanceKernel(
        Index1D point,
        ArrayView<float> data,
        ArrayView<float> weights,
        ArrayView<float> candidate,
        ArrayView<float> closest,
        ArrayView<float> trial,
        int dimension,
        int hasClosest)
    {
        // Bounds: point < n: ILGPU's implicitly grouped launch returns the threads past the
        // extent (PTX: setp.ge, @p ret).
        long row = (long)point.X * dimension;
        float sum = 0f;
        for (int dim = 0; dim < dimension; dim++)
        {
            float diff = data[row + dim] - candidate[dim];
            sum += diff * diff;
        }
        float weighted = weights[point] * sum;
        trial[point] = hasClosest != 0 && closest[point] < weighted ? closest[point] : weighted;
    }
}
