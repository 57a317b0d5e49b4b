using System.Runtime.Intrinsics;
using GpuEm.Data;
using GpuEm.Engines;

namespace GpuEm.Models.KMeans;

/// <summary>
/// Managed float64 k-means assignment on all cores (deterministic chunked reduction). Distances are
/// ranked by ‖c‖² − 2 x·c with 4 centres per 256-bit vector (a blocked "GEMM" fused with the
/// arg-min); the winner's distance is then recomputed as Σ (x − c)² so the inertia carries no
/// cancellation. Ties go to the lowest index.
/// </summary>
internal sealed class ReferenceKMeansEngine(DataMatrix data) : IKMeansEngine
{
    private const int Lanes = 4;
    private readonly int[] _labels = Enumerable.Repeat(-1, data.Rows).ToArray();
    private readonly float[] _distances = new float[data.Rows];

    public Backend Backend => Backend.Reference;

    public string DeviceName => $"CPU reference (float64, {Environment.ProcessorCount} threads)";

    public KMeansStatistics Expect(KMeansParameters p)
    {
        var layout = new CentreBlocks(p);
        var total = new KMeansStatistics(p.K, p.D, p.Centres);
        ChunkedReduction.Run(
            data.Rows,
            () => new KMeansStatistics(p.K, p.D, p.Centres),
            partial => partial.Clear(),
            (partial, start, end) => Accumulate(p, layout, partial, start, end),
            total.Add);
        return total;
    }

    public int[] Labels() => (int[])_labels.Clone();

    public float[] Distances() => (float[])_distances.Clone();

    public double[] SeedKMeansPlusPlus(int k, Random random) => Seeding.KMeansPlusPlus(data, k, random);

    // Accumulates into chunk-local sums first: the partials of different threads were allocated
    // next to each other, and updating them per point made the threads fight over cache lines.
    private void Accumulate(KMeansParameters p, CentreBlocks layout, KMeansStatistics partial, int start, int end)
    {
        int d = p.D;
        Span<double> x = stackalloc double[d];
        var broadcast = new Vector256<double>[d];
        var counts = new double[p.K];
        var sums = new double[p.K * d];
        double inertia = 0;
        long changed = 0;
        for (int row = start; row < end; row++)
        {
            ReadOnlySpan<float> source = data.Row(row);
            for (int j = 0; j < d; j++)
            {
                x[j] = source[j];
                broadcast[j] = Vector256.Create(x[j]);
            }
            int label = layout.Nearest(broadcast);
            ReadOnlySpan<double> centre = p.Centres.AsSpan(label * d, d);
            Span<double> sum = sums.AsSpan(label * d, d);
            double w = data.Weight(row);
            double distance = 0;
            for (int j = 0; j < d; j++)
            {
                double diff = x[j] - centre[j];
                distance += diff * diff;
                sum[j] += w * diff;
            }
            if (_labels[row] != label)
                changed++;
            _labels[row] = label;
            _distances[row] = (float)(w * distance);
            counts[label] += w;
            inertia += w * distance;
        }
        for (int c = 0; c < counts.Length; c++)
            partial.Counts[c] += counts[c];
        for (int i = 0; i < sums.Length; i++)
            partial.Sums[i] += sums[i];
        partial.Inertia += inertia;
        partial.ChangedLabels += changed;
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

        /// <summary>argmin over c of ‖c‖² − 2 x·c (lowest index on ties).</summary>
        /// <param name="x">The point, broadcast: x[j] in every lane.</param>
        public int Nearest(ReadOnlySpan<Vector256<double>> x)
        {
            // Four blocks at a time: four independent FMA chains hide the FMA latency that a
            // single chain per block is bound by.
            Vector256<double> best = Vector256.Create(double.PositiveInfinity);
            Vector256<double> bestIndex = Vector256<double>.Zero;
            ReadOnlySpan<Vector256<double>> c = _coordinates;
            int d = _d;
            int b = 0;
            for (; b + 4 <= _blocks; b += 4)
            {
                Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
                int o0 = b * d, o1 = o0 + d, o2 = o1 + d, o3 = o2 + d;
                for (int j = 0; j < d; j++)
                {
                    Vector256<double> xj = x[j];
                    a0 = Vector256.FusedMultiplyAdd(xj, c[o0 + j], a0);
                    a1 = Vector256.FusedMultiplyAdd(xj, c[o1 + j], a1);
                    a2 = Vector256.FusedMultiplyAdd(xj, c[o2 + j], a2);
                    a3 = Vector256.FusedMultiplyAdd(xj, c[o3 + j], a3);
                }
                Keep(ref best, ref bestIndex, _norms[b] - (a0 + a0), b);
                Keep(ref best, ref bestIndex, _norms[b + 1] - (a1 + a1), b + 1);
                Keep(ref best, ref bestIndex, _norms[b + 2] - (a2 + a2), b + 2);
                Keep(ref best, ref bestIndex, _norms[b + 3] - (a3 + a3), b + 3);
            }
            for (; b < _blocks; b++)
            {
                Vector256<double> a = Vector256<double>.Zero;
                int o = b * d;
                for (int j = 0; j < d; j++)
                    a = Vector256.FusedMultiplyAdd(x[j], c[o + j], a);
                Keep(ref best, ref bestIndex, _norms[b] - (a + a), b);
            }
            // Across lanes: the smallest score, then the lowest centre index.
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

    public void Dispose()
    {
    }
}
