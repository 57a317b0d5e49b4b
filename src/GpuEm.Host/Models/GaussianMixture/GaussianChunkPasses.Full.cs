using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using GpuEm.Engines;

namespace GpuEm.Models.GaussianMixture;

// The full and tied pass: y = (x − μ) U with U's rows as vectors (tied: one U, (x − s) U once per
// row).
internal static partial class GaussianChunkPasses
{
    /// <summary>Parameters of full/tied components with d padded to a multiple of 4.</summary>
    internal sealed class FullLayout
    {
        public FullLayout(GaussianParameters p)
        {
            D = p.D;
            K = p.K;
            Columns = (p.D + Lanes - 1) / Lanes;
            int padded = Columns * Lanes;
            Means = new double[p.K * padded];
            Factors = new Vector256<double>[p.K * p.D * Columns];
            Span<double> lane = stackalloc double[Lanes];
            for (int c = 0; c < p.K; c++)
            {
                for (int j = 0; j < p.D; j++)
                    Means[c * padded + j] = p.Means[c * p.D + j];
                int source = p.Type == CovarianceType.Full ? c * p.D * p.D : 0;
                for (int i = 0; i < p.D; i++)
                    for (int jb = 0; jb < Columns; jb++)
                    {
                        for (int l = 0; l < Lanes; l++)
                        {
                            int j = jb * Lanes + l;
                            lane[l] = j < p.D ? p.PrecisionCholesky[source + i * p.D + j] : 0;
                        }
                        Factors[(c * p.D + i) * Columns + jb] = Vector256.Create<double>(lane);
                    }
            }
            LogNorm = p.LogNorm;
            Tied = p.Type == CovarianceType.Tied;
            if (Tied)
            {
                // One factor U for every component: y_c = (x − μ_c)U = (x − s)U − (μ_c − s)U, so
                // (x − s)U is computed once per point. s, the mean of the means, keeps both terms
                // small, so their difference cancels nothing that matters (data far from the
                // origin included).
                Shift = new double[padded];
                for (int c = 0; c < p.K; c++)
                    for (int j = 0; j < p.D; j++)
                        Shift[j] += p.Means[c * p.D + j] / p.K;
                MeanProjections = new Vector256<double>[p.K * Columns];
                for (int c = 0; c < p.K; c++)
                    for (int jb = 0; jb < Columns; jb++)
                    {
                        for (int l = 0; l < Lanes; l++)
                        {
                            int j = jb * Lanes + l;
                            double sum = 0;
                            if (j < p.D)
                                for (int i = 0; i <= j; i++)
                                    sum += (p.Means[c * p.D + i] - Shift[i]) * p.PrecisionCholesky[i * p.D + j];
                            lane[l] = sum;
                        }
                        MeanProjections[c * Columns + jb] = Vector256.Create<double>(lane);
                    }
            }
        }

        /// <summary>True for a tied covariance (one factor shared by the components).</summary>
        public bool Tied { get; }

        /// <summary>Tied only: s, the mean of the component means, padded.</summary>
        public double[]? Shift { get; }

        /// <summary>Tied only: (μ_c − s)U as vectors, [c·Columns + jb].</summary>
        public Vector256<double>[]? MeanProjections { get; }

        public int D { get; }

        public int K { get; }

        /// <summary>Vectors per padded row.</summary>
        public int Columns { get; }

        public double[] Means { get; }

        /// <summary>U_c row i as vectors: [(c·d + i)·Columns + jb].</summary>
        public Vector256<double>[] Factors { get; }

        public double[] LogNorm { get; }
    }

    /// <summary>Fused E-step and full statistics (around the means) for rows [start, end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Full(FullLayout layout, Data.DataMatrix data, int start, int end, GaussianStatistics partial)
    {
        int d = layout.D;
        int k = layout.K;
        int nb = layout.Columns;
        int padded = nb * Lanes;
        // Scratch: z per component (k·nb), y (nb), S1 (k·nb), S2 (k·d·nb).
        Span<Vector256<double>> scratch = Scratch(k * nb + nb + k * nb + k * d * nb);
        Span<Vector256<double>> z = scratch[..(k * nb)];
        Span<Vector256<double>> y = scratch.Slice(k * nb, nb);
        Span<Vector256<double>> s1 = scratch.Slice(k * nb + nb, k * nb);
        Span<Vector256<double>> s2 = scratch.Slice(2 * k * nb + nb, k * d * nb);
        Span<double> logp = k <= StackScratch.MaxDoubles ? stackalloc double[k] : new double[k];
        Span<double> n = k <= StackScratch.MaxDoubles ? stackalloc double[k] : new double[k];
        n.Clear();
        Span<double> x = padded <= StackScratch.MaxDoubles ? stackalloc double[padded] : new double[padded];
        x.Clear();
        Span<double> shifted = padded <= StackScratch.MaxDoubles ? stackalloc double[padded] : new double[padded];
        shifted.Clear();
        // z again as plain doubles, to broadcast z_i without extracting a lane.
        Span<double> zs = padded * k <= 4096 ? stackalloc double[padded * k] : new double[padded * k];
        ReadOnlySpan<Vector256<double>> factors = layout.Factors;
        int[]? labels = data.Labels;
        bool[]? incomplete = data.Incomplete;
        double logLikelihood = 0;
        double totalWeight = 0;
        // Full factors with d > 16: the ‖z U_c‖² of the next 4 complete rows are computed
        // together (SquaredNorms4), each vector of U_c loaded once for the 4; the rows then run
        // one at a time as before, reading them from ahead.
        bool lookAhead = !layout.Tied && nb > 4;
        Span<double> ahead = !lookAhead ? default : Batch * k <= 1024 ? stackalloc double[Batch * k] : new double[Batch * k];
        Span<double> aheadRows = !lookAhead ? default
            : Batch * padded <= 1024 ? stackalloc double[Batch * padded] : new double[Batch * padded];
        Span<double> aheadCentred = !lookAhead ? default
            : Batch * padded <= 1024 ? stackalloc double[Batch * padded] : new double[Batch * padded];
        Span<int> aheadIndex = stackalloc int[Batch];
        int aheadCount = 0;
        int aheadNext = 0;

        for (int row = start; row < end; row++)
        {
            // Rows with missing entries take MissingValueGaussian's path.
            if (incomplete is not null && incomplete[row])
                continue;
            if (lookAhead && aheadNext == aheadCount)
            {
                aheadCount = 0;
                aheadNext = 0;
                for (int next = row; next < end && aheadCount < Batch; next++)
                {
                    if (incomplete is null || !incomplete[next])
                        aheadIndex[aheadCount++] = next;
                }
                if (aheadCount == Batch)
                    SquaredNorms4(layout, data, aheadIndex, aheadRows, aheadCentred, ahead);
                else
                    aheadCount = aheadNext = 0;
            }
            int aheadSlot = aheadNext < aheadCount ? aheadNext++ : -1;
            ReadOnlySpan<float> source = data.Row(row);
            for (int j = 0; j < d; j++)
                x[j] = source[j];
            double max = double.NegativeInfinity;
            if (layout.Tied)
            {
                for (int j = 0; j < d; j++)
                    shifted[j] = x[j] - layout.Shift![j];
                Project(shifted, factors[..(d * nb)], d, nb, y);
            }
            for (int c = 0; c < k; c++)
            {
                Span<Vector256<double>> zc = z.Slice(c * nb, nb);
                ReadOnlySpan<double> mu = layout.Means.AsSpan(c * padded, padded);
                Span<double> zcs = zs.Slice(c * padded, padded);
                for (int jb = 0; jb < nb; jb++)
                {
                    zc[jb] = Vector256.Create<double>(x.Slice(jb * Lanes, Lanes)) - Vector256.Create<double>(mu.Slice(jb * Lanes, Lanes));
                    zc[jb].CopyTo(zcs.Slice(jb * Lanes, Lanes));
                }
                double squared;
                if (layout.Tied)
                {
                    Vector256<double> squares = Vector256<double>.Zero;
                    ReadOnlySpan<Vector256<double>> projected = layout.MeanProjections.AsSpan(c * nb, nb);
                    for (int jb = 0; jb < nb; jb++)
                    {
                        Vector256<double> diff = y[jb] - projected[jb];
                        squares = Vector256.FusedMultiplyAdd(diff, diff, squares);
                    }
                    squared = Vector256.Sum(squares);
                }
                else if (aheadSlot >= 0)
                {
                    squared = ahead[aheadSlot * k + c];
                }
                else
                {
                    ReadOnlySpan<Vector256<double>> u = factors.Slice(c * d * nb, d * nb);
                    squared = Vector256.Sum(nb <= 4 ? SquaredNormSmall(zcs, u, d, nb) : SquaredNorm(zcs, u, d, nb, y));
                }
                double lp = layout.LogNorm[c] - 0.5 * squared;
                logp[c] = lp;
                max = Math.Max(max, lp);
            }
            double w = data.Weight(row);
            totalWeight += w;
            double scale;
            int label = labels is null ? -1 : labels[row];
            if (label < 0)
            {
                double total = ExpInPlace(logp, max);
                logLikelihood += w * (max + Math.Log(total));
                scale = w / total;
            }
            else
            {
                // A labelled point: its component is known, its term is log p(x, label).
                logLikelihood += w * logp[label];
                logp.Clear();
                logp[label] = 1;
                scale = w;
            }
            for (int c = 0; c < k; c++)
            {
                double r = logp[c] * scale;
                if (r == 0)
                    continue;
                n[c] += r;
                Span<Vector256<double>> zc = z.Slice(c * nb, nb);
                Span<double> zcs = zs.Slice(c * padded, padded);
                Span<Vector256<double>> a1 = s1.Slice(c * nb, nb);
                Span<Vector256<double>> a2 = s2.Slice(c * d * nb, d * nb);
                Vector256<double> rv = Vector256.Create(r);
                for (int jb = 0; jb < nb; jb++)
                    a1[jb] = Vector256.FusedMultiplyAdd(rv, zc[jb], a1[jb]);
                // Upper triangle by blocks: row i, column blocks jb ≥ i/4 (the lower entries of
                // the diagonal block are accumulated too and overwritten by MirrorUpper).
                for (int i = 0; i < d; i++)
                {
                    Vector256<double> rzi = Vector256.Create(r * zcs[i]);
                    Span<Vector256<double>> rowSums = a2.Slice(i * nb, nb);
                    for (int jb = i / Lanes; jb < nb; jb++)
                        rowSums[jb] = Vector256.FusedMultiplyAdd(rzi, zc[jb], rowSums[jb]);
                }
            }
        }

        for (int c = 0; c < k; c++)
        {
            partial.Weight[c] += n[c];
            for (int j = 0; j < d; j++)
                partial.Sum1[c * d + j] += s1[c * nb + j / Lanes].GetElement(j % Lanes);
            for (int i = 0; i < d; i++)
                for (int j = i; j < d; j++)
                    partial.Sum2[(c * d + i) * d + j] += s2[(c * d + i) * nb + j / Lanes].GetElement(j % Lanes);
        }
        partial.LogLikelihood += logLikelihood;
        partial.TotalWeight += totalWeight;
    }

    // Σ_jb lanes of ((x_p − μ_c) U_c)² for 4 rows p and every component c into
    // sums[p·k + c], with the arithmetic of SquaredNorm per row (the same y_p, squared and summed
    // in the same order). Column groups of 4 blocks (16 columns) are held in 16 registers, one
    // per (row, block), while the rows i of U_c run up to the group's last column; the zero
    // entries below the diagonal in a group are multiplied too (exact zeros). z (4 × padded
    // doubles) is scratch for the centred rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SquaredNorms4(
        FullLayout layout, Data.DataMatrix data, ReadOnlySpan<int> rows, Span<double> x, Span<double> z, Span<double> sums)
    {
        int d = layout.D;
        int k = layout.K;
        int nb = layout.Columns;
        int padded = nb * Lanes;
        x.Clear();
        for (int p = 0; p < Batch; p++)
        {
            ReadOnlySpan<float> source = data.Row(rows[p]);
            for (int j = 0; j < d; j++)
                x[p * padded + j] = source[j];
        }
        z.Clear();
        Span<Vector256<double>> tail = stackalloc Vector256<double>[Lanes];
        for (int c = 0; c < k; c++)
        {
            ReadOnlySpan<double> mu = layout.Means.AsSpan(c * padded, padded);
            for (int p = 0; p < Batch; p++)
                for (int jb = 0; jb < nb; jb++)
                {
                    (Vector256.Create<double>(x.Slice(p * padded + jb * Lanes, Lanes))
                        - Vector256.Create<double>(mu.Slice(jb * Lanes, Lanes))).CopyTo(z.Slice(p * padded + jb * Lanes, Lanes));
                }
            ReadOnlySpan<Vector256<double>> u = layout.Factors.AsSpan(c * d * nb, d * nb);
            Vector256<double> q0 = Vector256<double>.Zero, q1 = q0, q2 = q0, q3 = q0;
            for (int jb0 = 0; jb0 < nb; jb0 += Lanes)
            {
                int w = Math.Min(Lanes, nb - jb0);
                int last = Math.Min(d, (jb0 + w) * Lanes);
                if (w == Lanes)
                {
                    Vector256<double> a00 = Vector256<double>.Zero, a01 = a00, a02 = a00, a03 = a00;
                    Vector256<double> a10 = a00, a11 = a00, a12 = a00, a13 = a00;
                    Vector256<double> a20 = a00, a21 = a00, a22 = a00, a23 = a00;
                    Vector256<double> a30 = a00, a31 = a00, a32 = a00, a33 = a00;
                    for (int i = 0; i < last; i++)
                    {
                        ReadOnlySpan<Vector256<double>> row = u.Slice(i * nb + jb0, Lanes);
                        Vector256<double> f0 = row[0], f1 = row[1], f2 = row[2], f3 = row[3];
                        Vector256<double> b = Vector256.Create(z[i]);
                        a00 = Vector256.FusedMultiplyAdd(b, f0, a00); a01 = Vector256.FusedMultiplyAdd(b, f1, a01);
                        a02 = Vector256.FusedMultiplyAdd(b, f2, a02); a03 = Vector256.FusedMultiplyAdd(b, f3, a03);
                        b = Vector256.Create(z[padded + i]);
                        a10 = Vector256.FusedMultiplyAdd(b, f0, a10); a11 = Vector256.FusedMultiplyAdd(b, f1, a11);
                        a12 = Vector256.FusedMultiplyAdd(b, f2, a12); a13 = Vector256.FusedMultiplyAdd(b, f3, a13);
                        b = Vector256.Create(z[2 * padded + i]);
                        a20 = Vector256.FusedMultiplyAdd(b, f0, a20); a21 = Vector256.FusedMultiplyAdd(b, f1, a21);
                        a22 = Vector256.FusedMultiplyAdd(b, f2, a22); a23 = Vector256.FusedMultiplyAdd(b, f3, a23);
                        b = Vector256.Create(z[3 * padded + i]);
                        a30 = Vector256.FusedMultiplyAdd(b, f0, a30); a31 = Vector256.FusedMultiplyAdd(b, f1, a31);
                        a32 = Vector256.FusedMultiplyAdd(b, f2, a32); a33 = Vector256.FusedMultiplyAdd(b, f3, a33);
                    }
                    q0 = Vector256.FusedMultiplyAdd(a03, a03, Vector256.FusedMultiplyAdd(a02, a02,
                        Vector256.FusedMultiplyAdd(a01, a01, Vector256.FusedMultiplyAdd(a00, a00, q0))));
                    q1 = Vector256.FusedMultiplyAdd(a13, a13, Vector256.FusedMultiplyAdd(a12, a12,
                        Vector256.FusedMultiplyAdd(a11, a11, Vector256.FusedMultiplyAdd(a10, a10, q1))));
                    q2 = Vector256.FusedMultiplyAdd(a23, a23, Vector256.FusedMultiplyAdd(a22, a22,
                        Vector256.FusedMultiplyAdd(a21, a21, Vector256.FusedMultiplyAdd(a20, a20, q2))));
                    q3 = Vector256.FusedMultiplyAdd(a33, a33, Vector256.FusedMultiplyAdd(a32, a32,
                        Vector256.FusedMultiplyAdd(a31, a31, Vector256.FusedMultiplyAdd(a30, a30, q3))));
                    continue;
                }
                // The last, narrower group: each row's blocks in memory.
                for (int p = 0; p < Batch; p++)
                {
                    Span<Vector256<double>> y = tail[..w];
                    y.Clear();
                    for (int i = 0; i < last; i++)
                    {
                        Vector256<double> b = Vector256.Create(z[p * padded + i]);
                        ReadOnlySpan<Vector256<double>> row = u.Slice(i * nb + jb0, w);
                        for (int jb = 0; jb < w; jb++)
                            y[jb] = Vector256.FusedMultiplyAdd(b, row[jb], y[jb]);
                    }
                    Vector256<double> q = p == 0 ? q0 : p == 1 ? q1 : p == 2 ? q2 : q3;
                    for (int jb = 0; jb < w; jb++)
                        q = Vector256.FusedMultiplyAdd(y[jb], y[jb], q);
                    if (p == 0) q0 = q; else if (p == 1) q1 = q; else if (p == 2) q2 = q; else q3 = q;
                }
            }
            sums[c] = Vector256.Sum(q0);
            sums[k + c] = Vector256.Sum(q1);
            sums[2 * k + c] = Vector256.Sum(q2);
            sums[3 * k + c] = Vector256.Sum(q3);
        }
    }

    // ‖z U‖² lane-wise for d ≤ 16: y in four registers (four independent FMA chains); the zero
    // lower blocks of U are multiplied too, which costs less than the branches that would skip them.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector256<double> SquaredNormSmall(ReadOnlySpan<double> z, ReadOnlySpan<Vector256<double>> u, int d, int nb)
    {
        Vector256<double> y0 = Vector256<double>.Zero, y1 = y0, y2 = y0, y3 = y0;
        for (int i = 0; i < d; i++)
        {
            Vector256<double> zi = Vector256.Create(z[i]);
            ReadOnlySpan<Vector256<double>> row = u.Slice(i * nb, nb);
            y0 = Vector256.FusedMultiplyAdd(zi, row[0], y0);
            if (nb > 1)
                y1 = Vector256.FusedMultiplyAdd(zi, row[1], y1);
            if (nb > 2)
                y2 = Vector256.FusedMultiplyAdd(zi, row[2], y2);
            if (nb > 3)
                y3 = Vector256.FusedMultiplyAdd(zi, row[3], y3);
        }
        return y0 * y0 + y1 * y1 + y2 * y2 + y3 * y3;
    }

    // ‖z U‖² lane-wise for larger d: y = z U in memory (Project), then Σ y².
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static Vector256<double> SquaredNorm(
        ReadOnlySpan<double> z, ReadOnlySpan<Vector256<double>> u, int d, int nb, Span<Vector256<double>> y)
    {
        Project(z, u, d, nb, y);
        Vector256<double> squares = Vector256<double>.Zero;
        for (int jb = 0; jb < nb; jb++)
            squares = Vector256.FusedMultiplyAdd(y[jb], y[jb], squares);
        return squares;
    }

    // y = z U (lane blocks), U upper-triangular: blocks jb < i/4 of row i are zero. Each y[jb] is
    // updated once per row i, with the other blocks' updates in between hiding the FMA latency.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Project(ReadOnlySpan<double> z, ReadOnlySpan<Vector256<double>> u, int d, int nb, Span<Vector256<double>> y)
    {
        y.Clear();
        for (int i = 0; i < d; i++)
        {
            Vector256<double> zi = Vector256.Create(z[i]);
            ReadOnlySpan<Vector256<double>> row = u.Slice(i * nb, nb);
            for (int jb = i / Lanes; jb < nb; jb++)
                y[jb] = Vector256.FusedMultiplyAdd(zi, row[jb], y[jb]);
        }
    }

    /// <summary>values[c] = exp(values[c] − max) in place, 4 at a time; returns their sum.</summary>
    private static double ExpInPlace(Span<double> values, double max)
    {
        Vector256<double> shift = Vector256.Create(max);
        Vector256<double> sum = Vector256<double>.Zero;
        int c = 0;
        for (; c + Lanes <= values.Length; c += Lanes)
        {
            Vector256<double> e = FastExp.NonPositive(Vector256.Create<double>(values.Slice(c, Lanes)) - shift);
            e.CopyTo(values.Slice(c, Lanes));
            sum += e;
        }
        double total = Vector256.Sum(sum);
        for (; c < values.Length; c++)
        {
            values[c] = Math.Exp(values[c] - max);
            total += values[c];
        }
        return total;
    }
}
