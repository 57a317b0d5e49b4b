using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.KMeans;

/// <summary>
/// Managed float64 k-means assignment on all cores (deterministic chunked reduction). Distances are
/// ranked by ‖c‖² − 2 x·c with 4 centres per 256-bit vector (a blocked "GEMM" fused with the
/// arg-min); the winner's distance is then recomputed as Σ (x − c)² so the inertia carries no
/// cancellation. Ties go to the lowest index. A float32 pass
/// (<see cref="KMeansFloat32Prefilter"/>, 8 centres per vector) ranks first and settles every
/// point whose winning margin clears its rounding-error bound; only the others are ranked in
/// float64, so the labels are the float64 ones.
/// </summary>
/// <param name="data">The rows.</param>
/// <param name="prefilter">False: rank every point in float64 (for tests of the prefilter).</param>
internal sealed class ReferenceKMeansEngine(DataMatrix data, bool prefilter = true) : ReferenceEngine, IKMeansEngine
{
    private const int Lanes = 4;
    private readonly int[] _labels = Enumerable.Repeat(-1, data.Rows).ToArray();
    private readonly float[] _distances = new float[data.Rows];

    public KMeansStatistics Expect(KMeansParameters p)
    {
        var layout = new CentreBlocks(p);
        KMeansFloat32Prefilter? first = prefilter ? new KMeansFloat32Prefilter(p) : null;
        var total = new KMeansStatistics(p.K, p.D, p.Centres);
        ChunkedReduction.Run(
            data.Rows,
            () => new KMeansStatistics(p.K, p.D, p.Centres),
            partial => partial.Clear(),
            (partial, start, end) => Accumulate(p, layout, first, partial, start, end),
            total.Add);
        return total;
    }

    public int[] Labels() => (int[])_labels.Clone();

    public float[] Distances() => (float[])_distances.Clone();

    public double[] SeedKMeansPlusPlus(int k, Random random, PhaseProgress? progress = null) =>
        Seeding.KMeansPlusPlus(data, k, random, progress);

    // Accumulates into chunk-local sums first: the partials of different threads were allocated
    // next to each other, and updating them per point made the threads fight over cache lines.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Accumulate(
        KMeansParameters p, CentreBlocks layout, KMeansFloat32Prefilter? prefilter, KMeansStatistics partial, int start, int end)
    {
        int d = p.D;
        ReadOnlySpan<float> rows = data.Block(start, end - start);
        float[]? weights = data.Weights;
        // Four broadcast rows in float64 and in float32 (256·d bytes): on the stack for small d,
        // else one heap array per chunk.
        bool small = 4 * d * 32 <= StackScratch.MaxBytes;
        Span<Vector256<double>> xs = small ? stackalloc Vector256<double>[4 * d] : new Vector256<double>[4 * d];
        Span<Vector256<float>> fs = small ? stackalloc Vector256<float>[4 * d] : new Vector256<float>[4 * d];
        Span<Vector256<double>> x0 = xs[..d], x1 = xs.Slice(d, d), x2 = xs.Slice(2 * d, d), x3 = xs.Slice(3 * d, d);
        Span<Vector256<float>> f0 = fs[..d], f1 = fs.Slice(d, d), f2 = fs.Slice(2 * d, d), f3 = fs.Slice(3 * d, d);
        Span<double> bounds = stackalloc double[4];
        Span<int> labels = stackalloc int[4];
        Span<int> undecided = stackalloc int[4];
        Span<int> ranked = stackalloc int[4];
        var counts = new double[p.K];
        var sums = new double[p.K * d];
        double inertia = 0;
        long changed = 0;
        int row = start;
        // Four points at a time share every load of the centre blocks (sixteen FMA chains: with
        // AVX-512's 32 registers they stay in registers); a last group of fewer points repeats
        // its first point in the empty slots.
        for (; row < end; row += 4)
        {
            int count = Math.Min(4, end - row);
            ReadOnlySpan<float> a = rows.Slice((row - start) * d, count * d);
            if (prefilter is null)
            {
                labels.Fill(-1);
            }
            else
            {
                bounds[0] = prefilter.Prepare(a.Slice(0, d), f0);
                bounds[1] = prefilter.Prepare(a.Slice((count > 1 ? 1 : 0) * d, d), f1);
                bounds[2] = prefilter.Prepare(a.Slice((count > 2 ? 2 : 0) * d, d), f2);
                bounds[3] = prefilter.Prepare(a.Slice((count > 3 ? 3 : 0) * d, d), f3);
                prefilter.Nearest4(f0, f1, f2, f3, bounds, labels);
            }
            int open = 0;
            for (int i = 0; i < count; i++)
                if (labels[i] < 0)
                    undecided[open++] = i;
            if (open > 0)
            {
                // Near-ties: the float64 ranking decides (empty slots repeat the first point).
                for (int j = 0; j < d; j++)
                {
                    x0[j] = Vector256.Create((double)a[undecided[0] * d + j]);
                    x1[j] = Vector256.Create((double)a[undecided[open > 1 ? 1 : 0] * d + j]);
                    x2[j] = Vector256.Create((double)a[undecided[open > 2 ? 2 : 0] * d + j]);
                    x3[j] = Vector256.Create((double)a[undecided[open > 3 ? 3 : 0] * d + j]);
                }
                layout.Nearest4(x0, x1, x2, x3, ranked);
                for (int i = 0; i < open; i++)
                    labels[undecided[i]] = ranked[i];
            }
            for (int i = 0; i < count; i++)
                Record(row + i, a.Slice(i * d, d), labels[i]);
        }
        for (int c = 0; c < counts.Length; c++)
            partial.Counts[c] += counts[c];
        for (int i = 0; i < sums.Length; i++)
            partial.Sums[i] += sums[i];
        partial.Inertia += inertia;
        partial.ChangedLabels += changed;

        void Record(int index, ReadOnlySpan<float> x, int label)
        {
            ReadOnlySpan<double> centre = p.Centres.AsSpan(label * d, d);
            Span<double> sum = sums.AsSpan(label * d, d);
            double w = weights is null ? 1.0 : weights[index];
            // Eight coordinates at a time: float → double widening, then (x − c)² and w(x − c).
            Vector256<double> squares = Vector256<double>.Zero;
            Vector256<double> weight = Vector256.Create(w);
            int j = 0;
            for (; j + 8 <= d; j += 8)
            {
                (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(Vector256.Create<float>(x.Slice(j, 8)));
                Vector256<double> d0 = lower - Vector256.Create<double>(centre.Slice(j, 4));
                Vector256<double> d1 = upper - Vector256.Create<double>(centre.Slice(j + 4, 4));
                squares = Vector256.FusedMultiplyAdd(d0, d0, squares);
                squares = Vector256.FusedMultiplyAdd(d1, d1, squares);
                Vector256.FusedMultiplyAdd(weight, d0, Vector256.Create<double>(sum.Slice(j, 4))).CopyTo(sum.Slice(j, 4));
                Vector256.FusedMultiplyAdd(weight, d1, Vector256.Create<double>(sum.Slice(j + 4, 4))).CopyTo(sum.Slice(j + 4, 4));
            }
            double distance = Vector256.Sum(squares);
            for (; j < d; j++)
            {
                double diff = x[j] - centre[j];
                distance += diff * diff;
                sum[j] += w * diff;
            }
            if (_labels[index] != label)
                changed++;
            _labels[index] = label;
            _distances[index] = (float)(w * distance);
            counts[label] += w;
            inertia += w * distance;
        }
    }

    /// <summary>
    /// Centres transposed in blocks of 4 (block b, dimension j → the j-th coordinates of centres
    /// 4b … 4b + 3) and their squared norms; padding centres have an infinite norm.
    /// </summary>
    private sealed class CentreBlocks
    {
        private readonly Vector256<double>[] _coordinates;
        private readonly Vector256<double>[] _norms;
        private readonly int _blocks;
        private readonly int _d;

        public CentreBlocks(KMeansParameters p)
        {
            _d = p.D;
            _blocks = (p.K + Lanes - 1) / Lanes;
            _coordinates = new Vector256<double>[_blocks * _d];
            _norms = new Vector256<double>[_blocks];
            Span<double> lane = stackalloc double[Lanes];
            for (int b = 0; b < _blocks; b++)
            {
                for (int j = 0; j < _d; j++)
                {
                    for (int l = 0; l < Lanes; l++)
                    {
                        int c = b * Lanes + l;
                        lane[l] = c < p.K ? p.Centres[c * _d + j] : 0;
                    }
                    _coordinates[b * _d + j] = Vector256.Create<double>(lane);
                }
                for (int l = 0; l < Lanes; l++)
                {
                    int c = b * Lanes + l;
                    double norm = 0;
                    if (c < p.K)
                        for (int j = 0; j < _d; j++)
                            norm += p.Centres[c * _d + j] * p.Centres[c * _d + j];
                    lane[l] = c < p.K ? norm : double.PositiveInfinity;
                }
                _norms[b] = Vector256.Create<double>(lane);
            }
        }

        /// <summary>
        /// argmin over c of ‖c‖² − 2 x·c (lowest index on ties) for four points, each broadcast
        /// (x[j] in every lane), into <paramref name="labels"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Nearest4(
            ReadOnlySpan<Vector256<double>> x0, ReadOnlySpan<Vector256<double>> x1,
            ReadOnlySpan<Vector256<double>> x2, ReadOnlySpan<Vector256<double>> x3, Span<int> labels)
        {
            Vector256<double> inf = Vector256.Create(double.PositiveInfinity);
            Vector256<double> best0 = inf, best1 = inf, best2 = inf, best3 = inf;
            Vector256<double> index0 = Vector256<double>.Zero, index1 = index0, index2 = index0, index3 = index0;
            ReadOnlySpan<Vector256<double>> c = _coordinates;
            int d = _d;
            int b = 0;
            for (; b + 2 <= _blocks; b += 2)
            {
                Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
                Vector256<double> e0 = a0, e1 = a0, e2 = a0, e3 = a0;
                ReadOnlySpan<Vector256<double>> c0 = c.Slice(b * d, d), c1 = c.Slice((b + 1) * d, d);
                for (int j = 0; j < d; j++)
                {
                    Vector256<double> u = c0[j], v = c1[j];
                    a0 = Vector256.FusedMultiplyAdd(x0[j], u, a0);
                    a1 = Vector256.FusedMultiplyAdd(x1[j], u, a1);
                    a2 = Vector256.FusedMultiplyAdd(x2[j], u, a2);
                    a3 = Vector256.FusedMultiplyAdd(x3[j], u, a3);
                    e0 = Vector256.FusedMultiplyAdd(x0[j], v, e0);
                    e1 = Vector256.FusedMultiplyAdd(x1[j], v, e1);
                    e2 = Vector256.FusedMultiplyAdd(x2[j], v, e2);
                    e3 = Vector256.FusedMultiplyAdd(x3[j], v, e3);
                }
                Vector256<double> n0 = _norms[b], n1 = _norms[b + 1];
                Keep(ref best0, ref index0, n0 - (a0 + a0), b);
                Keep(ref best1, ref index1, n0 - (a1 + a1), b);
                Keep(ref best2, ref index2, n0 - (a2 + a2), b);
                Keep(ref best3, ref index3, n0 - (a3 + a3), b);
                Keep(ref best0, ref index0, n1 - (e0 + e0), b + 1);
                Keep(ref best1, ref index1, n1 - (e1 + e1), b + 1);
                Keep(ref best2, ref index2, n1 - (e2 + e2), b + 1);
                Keep(ref best3, ref index3, n1 - (e3 + e3), b + 1);
            }
            for (; b < _blocks; b++)
            {
                Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
                ReadOnlySpan<Vector256<double>> cb = c.Slice(b * d, d);
                for (int j = 0; j < d; j++)
                {
                    a0 = Vector256.FusedMultiplyAdd(x0[j], cb[j], a0);
                    a1 = Vector256.FusedMultiplyAdd(x1[j], cb[j], a1);
                    a2 = Vector256.FusedMultiplyAdd(x2[j], cb[j], a2);
                    a3 = Vector256.FusedMultiplyAdd(x3[j], cb[j], a3);
                }
                Keep(ref best0, ref index0, _norms[b] - (a0 + a0), b);
                Keep(ref best1, ref index1, _norms[b] - (a1 + a1), b);
                Keep(ref best2, ref index2, _norms[b] - (a2 + a2), b);
                Keep(ref best3, ref index3, _norms[b] - (a3 + a3), b);
            }
            labels[0] = Reduce(best0, index0);
            labels[1] = Reduce(best1, index1);
            labels[2] = Reduce(best2, index2);
            labels[3] = Reduce(best3, index3);
        }

        // Across lanes: the smallest score, then the lowest centre index.
        private static int Reduce(Vector256<double> best, Vector256<double> bestIndex)
        {
            double bestScore = double.PositiveInfinity;
            int label = 0;
            for (int l = 0; l < Lanes; l++)
            {
                double score = best.GetElement(l);
                int index = (int)bestIndex.GetElement(l) * Lanes + l;
                if (score < bestScore || (score == bestScore && index < label))
                {
                    bestScore = score;
                    label = index;
                }
            }
            return label;
        }

        // Per lane, strictly smaller scores replace the best, so each lane keeps its earliest block.
        private static void Keep(ref Vector256<double> best, ref Vector256<double> bestIndex, Vector256<double> score, int block)
        {
            Vector256<double> better = Vector256.LessThan(score, best);
            best = Vector256.ConditionalSelect(better, score, best);
            bestIndex = Vector256.ConditionalSelect(better, Vector256.Create((double)block), bestIndex);
        }
    }
}
