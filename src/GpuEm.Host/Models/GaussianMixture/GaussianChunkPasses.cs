using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using GpuEm.Engines;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// The reference engine's fused E-step + statistics over a chunk of rows, in float64 with
/// 256-bit SIMD. Diagonal and spherical: components in blocks of 4 lanes (means and precisions
/// transposed, so a broadcast x_j meets 4 components at once and no horizontal sums are needed).
/// Full and tied: y = (x − μ) U with U's rows as vectors, skipping the zero lower blocks.
/// Both use differences (x − μ), never the expanded x² − 2xμ + μ² form, so nothing cancels.
/// </summary>
internal static class GaussianChunkPasses
{
    private const int Lanes = 4;

    /// <summary>Rows the diagonal pass takes at a time.</summary>
    private const int Batch = 4;

    [ThreadStatic]
    private static Vector256<double>[]? _scratch;

    /// <summary>A per-thread scratch of at least <paramref name="length"/> vectors, cleared.</summary>
    private static Span<Vector256<double>> Scratch(int length)
    {
        if (_scratch is null || _scratch.Length < length)
            _scratch = new Vector256<double>[length];
        Span<Vector256<double>> span = _scratch.AsSpan(0, length);
        span.Clear();
        return span;
    }

    /// <summary>Parameters of diagonal/spherical components, 4 per vector.</summary>
    internal sealed class DiagonalLayout
    {
        public DiagonalLayout(GaussianParameters p)
        {
            D = p.D;
            K = p.K;
            Blocks = (p.K + Lanes - 1) / Lanes;
            Means = new Vector256<double>[Blocks * D];
            Precisions = new Vector256<double>[Blocks * D];
            LogNorm = new Vector256<double>[Blocks];
            Span<double> mean = stackalloc double[Lanes];
            Span<double> precision = stackalloc double[Lanes];
            Span<double> norm = stackalloc double[Lanes];
            for (int b = 0; b < Blocks; b++)
            {
                for (int j = 0; j < D; j++)
                {
                    for (int l = 0; l < Lanes; l++)
                    {
                        int c = b * Lanes + l;
                        bool real = c < p.K;
                        mean[l] = real ? p.Means[c * D + j] : 0;
                        precision[l] = !real ? 0
                            : p.Type == CovarianceType.Spherical ? p.PrecisionCholesky[c]
                            : p.PrecisionCholesky[c * D + j];
                    }
                    Means[b * D + j] = Vector256.Create<double>(mean);
                    Precisions[b * D + j] = Vector256.Create<double>(precision);
                }
                for (int l = 0; l < Lanes; l++)
                {
                    int c = b * Lanes + l;
                    // Padding lanes: log p = −∞, so their responsibility is exactly 0 (FastExp underflows to 0).
                    norm[l] = c < p.K ? p.LogNorm[c] : double.NegativeInfinity;
                }
                LogNorm[b] = Vector256.Create<double>(norm);
            }
        }

        public int D { get; }

        public int K { get; }

        public int Blocks { get; }

        public Vector256<double>[] Means { get; }

        public Vector256<double>[] Precisions { get; }

        public Vector256<double>[] LogNorm { get; }
    }

    /// <summary>
    /// Fused E-step and diagonal statistics (around the means) for rows [start, end), 4 complete
    /// rows at a time: each mean, precision and accumulator vector loaded serves the 4 rows (at
    /// d = k = 64 they are 64 KiB each, beyond L1). Each accumulator still takes the rows in
    /// row order, so the sums are bit-identical to a row-at-a-time pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Diagonal(
        DiagonalLayout layout, Data.DataMatrix data, int start, int end, GaussianStatistics partial)
    {
        int d = layout.D;
        int blocks = layout.Blocks;
        // Scratch: broadcast x of a batch (Batch·d), S1 and S2 (blocks·d each), N (blocks),
        // log p and then r of a batch (Batch·blocks).
        Span<Vector256<double>> scratch = Scratch(Batch * d + 2 * blocks * d + blocks + Batch * blocks);
        Span<Vector256<double>> x = scratch[..(Batch * d)];
        Span<Vector256<double>> s1 = scratch.Slice(Batch * d, blocks * d);
        Span<Vector256<double>> s2 = scratch.Slice(Batch * d + blocks * d, blocks * d);
        Span<Vector256<double>> n = scratch.Slice(Batch * d + 2 * blocks * d, blocks);
        Span<Vector256<double>> logp = scratch.Slice(Batch * d + 2 * blocks * d + blocks, Batch * blocks);
        Span<int> batch = stackalloc int[Batch];
        int[]? labels = data.Labels;
        bool[]? incomplete = data.Incomplete;
        double logLikelihood = 0;
        double totalWeight = 0;

        int row = start;
        while (row < end)
        {
            // Rows with missing entries take MarginalGaussian's path.
            int count = 0;
            for (; row < end && count < Batch; row++)
            {
                if (incomplete is null || !incomplete[row])
                    batch[count++] = row;
            }
            for (int p = 0; p < count; p++)
            {
                ReadOnlySpan<float> source = data.Row(batch[p]);
                Span<Vector256<double>> xp = x.Slice(p * d, d);
                for (int j = 0; j < d; j++)
                    xp[j] = Vector256.Create((double)source[j]);
            }
            if (count == Batch)
            {
                DiagonalLogJoints4(layout, x, logp);
            }
            else
            {
                for (int p = 0; p < count; p++)
                    DiagonalLogJoints(layout, x.Slice(p * d, d), logp.Slice(p * blocks, blocks));
            }
            for (int p = 0; p < count; p++)
            {
                double w = data.Weight(batch[p]);
                totalWeight += w;
                int label = labels is null ? -1 : labels[batch[p]];
                logLikelihood += ToResponsibilities(logp.Slice(p * blocks, blocks), w, label);
            }
            if (count == Batch)
            {
                DiagonalAccumulate4(layout, x, logp, s1, s2, n);
            }
            else
            {
                for (int p = 0; p < count; p++)
                    DiagonalAccumulate(layout, x.Slice(p * d, d), logp.Slice(p * blocks, blocks), s1, s2, n);
            }
        }

        for (int b = 0; b < blocks; b++)
        {
            for (int l = 0; l < Lanes; l++)
            {
                int c = b * Lanes + l;
                if (c >= layout.K)
                    break;
                partial.Weight[c] += n[b].GetElement(l);
                for (int j = 0; j < d; j++)
                {
                    partial.Sum1[c * d + j] += s1[b * d + j].GetElement(l);
                    partial.Sum2[c * d + j] += s2[b * d + j].GetElement(l);
                }
            }
        }
        partial.LogLikelihood += logLikelihood;
        partial.TotalWeight += totalWeight;
    }

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
        Span<double> logp = stackalloc double[k];
        Span<double> n = stackalloc double[k];
        n.Clear();
        Span<double> x = stackalloc double[padded];
        x.Clear();
        Span<double> shifted = stackalloc double[padded];
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
            // Rows with missing entries take MarginalGaussian's path.
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

    // log p(x, c) for the components of each block: LogNorm − ½ Σ_j ((x_j − μ_j)·L_j)², two FMA
    // chains (even and odd j) halving the latency the single sum would be bound by.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DiagonalLogJoints(DiagonalLayout layout, ReadOnlySpan<Vector256<double>> x, Span<Vector256<double>> logp)
    {
        int d = layout.D;
        for (int b = 0; b < layout.Blocks; b++)
        {
            ReadOnlySpan<Vector256<double>> mu = layout.Means.AsSpan(b * d, d);
            ReadOnlySpan<Vector256<double>> pr = layout.Precisions.AsSpan(b * d, d);
            Vector256<double> q0 = Vector256<double>.Zero;
            Vector256<double> q1 = Vector256<double>.Zero;
            int j = 0;
            for (; j + 1 < d; j += 2)
            {
                Vector256<double> y0 = (x[j] - mu[j]) * pr[j];
                Vector256<double> y1 = (x[j + 1] - mu[j + 1]) * pr[j + 1];
                q0 = Vector256.FusedMultiplyAdd(y0, y0, q0);
                q1 = Vector256.FusedMultiplyAdd(y1, y1, q1);
            }
            if (j < d)
            {
                Vector256<double> y = (x[j] - mu[j]) * pr[j];
                q0 = Vector256.FusedMultiplyAdd(y, y, q0);
            }
            logp[b] = layout.LogNorm[b] - 0.5 * (q0 + q1);
        }
    }

    // DiagonalLogJoints for 4 rows (x: 4 × d, logp: 4 × blocks) with the same arithmetic per row:
    // each μ_j and L_j is loaded once for the 4 rows.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DiagonalLogJoints4(DiagonalLayout layout, ReadOnlySpan<Vector256<double>> x, Span<Vector256<double>> logp)
    {
        int d = layout.D;
        int blocks = layout.Blocks;
        ReadOnlySpan<Vector256<double>> x0 = x[..d];
        ReadOnlySpan<Vector256<double>> x1 = x.Slice(d, d);
        ReadOnlySpan<Vector256<double>> x2 = x.Slice(2 * d, d);
        ReadOnlySpan<Vector256<double>> x3 = x.Slice(3 * d, d);
        for (int b = 0; b < blocks; b++)
        {
            ReadOnlySpan<Vector256<double>> mu = layout.Means.AsSpan(b * d, d);
            ReadOnlySpan<Vector256<double>> pr = layout.Precisions.AsSpan(b * d, d);
            Vector256<double> q00 = Vector256<double>.Zero, q01 = Vector256<double>.Zero;
            Vector256<double> q10 = Vector256<double>.Zero, q11 = Vector256<double>.Zero;
            Vector256<double> q20 = Vector256<double>.Zero, q21 = Vector256<double>.Zero;
            Vector256<double> q30 = Vector256<double>.Zero, q31 = Vector256<double>.Zero;
            int j = 0;
            for (; j + 1 < d; j += 2)
            {
                Vector256<double> m0 = mu[j], p0 = pr[j], m1 = mu[j + 1], p1 = pr[j + 1];
                Vector256<double> y;
                y = (x0[j] - m0) * p0; q00 = Vector256.FusedMultiplyAdd(y, y, q00);
                y = (x0[j + 1] - m1) * p1; q01 = Vector256.FusedMultiplyAdd(y, y, q01);
                y = (x1[j] - m0) * p0; q10 = Vector256.FusedMultiplyAdd(y, y, q10);
                y = (x1[j + 1] - m1) * p1; q11 = Vector256.FusedMultiplyAdd(y, y, q11);
                y = (x2[j] - m0) * p0; q20 = Vector256.FusedMultiplyAdd(y, y, q20);
                y = (x2[j + 1] - m1) * p1; q21 = Vector256.FusedMultiplyAdd(y, y, q21);
                y = (x3[j] - m0) * p0; q30 = Vector256.FusedMultiplyAdd(y, y, q30);
                y = (x3[j + 1] - m1) * p1; q31 = Vector256.FusedMultiplyAdd(y, y, q31);
            }
            if (j < d)
            {
                Vector256<double> m0 = mu[j], p0 = pr[j];
                Vector256<double> y;
                y = (x0[j] - m0) * p0; q00 = Vector256.FusedMultiplyAdd(y, y, q00);
                y = (x1[j] - m0) * p0; q10 = Vector256.FusedMultiplyAdd(y, y, q10);
                y = (x2[j] - m0) * p0; q20 = Vector256.FusedMultiplyAdd(y, y, q20);
                y = (x3[j] - m0) * p0; q30 = Vector256.FusedMultiplyAdd(y, y, q30);
            }
            Vector256<double> norm = layout.LogNorm[b];
            logp[b] = norm - 0.5 * (q00 + q01);
            logp[blocks + b] = norm - 0.5 * (q10 + q11);
            logp[2 * blocks + b] = norm - 0.5 * (q20 + q21);
            logp[3 * blocks + b] = norm - 0.5 * (q30 + q31);
        }
    }

    // Turns one row's log-joints into w·responsibilities in place; returns its log-likelihood
    // term w·log p(x) (a labelled row: w·log p(x, label), responsibilities one-hot).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double ToResponsibilities(Span<Vector256<double>> logp, double w, int label)
    {
        double term;
        Vector256<double> scale;
        if (label < 0)
        {
            Vector256<double> max = Vector256.Create(double.NegativeInfinity);
            foreach (Vector256<double> lp in logp)
                max = Vector256.Max(max, lp);
            double m = HorizontalMax(max);
            Vector256<double> shift = Vector256.Create(m);
            Vector256<double> sum = Vector256<double>.Zero;
            for (int b = 0; b < logp.Length; b++)
            {
                logp[b] = FastExp.NonPositive(logp[b] - shift);
                sum += logp[b];
            }
            double total = Vector256.Sum(sum);
            term = w * (m + Math.Log(total));
            scale = Vector256.Create(w / total);
        }
        else
        {
            term = w * logp[label / Lanes].GetElement(label % Lanes);
            for (int b = 0; b < logp.Length; b++)
                logp[b] = b == label / Lanes ? Vector256<double>.Zero.WithElement(label % Lanes, 1.0) : Vector256<double>.Zero;
            scale = Vector256.Create(w);
        }
        for (int b = 0; b < logp.Length; b++)
            logp[b] *= scale;
        return term;
    }

    // Adds one row (responsibilities r per block) to N, S1 = Σ r·z and S2 = Σ r·z², z = x − μ.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DiagonalAccumulate(
        DiagonalLayout layout, ReadOnlySpan<Vector256<double>> x, ReadOnlySpan<Vector256<double>> r,
        Span<Vector256<double>> s1, Span<Vector256<double>> s2, Span<Vector256<double>> n)
    {
        int d = layout.D;
        for (int b = 0; b < layout.Blocks; b++)
        {
            Vector256<double> rb = r[b];
            n[b] += rb;
            ReadOnlySpan<Vector256<double>> mu = layout.Means.AsSpan(b * d, d);
            Span<Vector256<double>> a1 = s1.Slice(b * d, d);
            Span<Vector256<double>> a2 = s2.Slice(b * d, d);
            for (int j = 0; j < d; j++)
            {
                Vector256<double> z = x[j] - mu[j];
                Vector256<double> rz = rb * z;
                a1[j] += rz;
                a2[j] = Vector256.FusedMultiplyAdd(rz, z, a2[j]);
            }
        }
    }

    // DiagonalAccumulate for 4 rows: each μ_j, S1_j and S2_j is loaded and stored once, and takes
    // the rows in order (the same sums as 4 calls of DiagonalAccumulate).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void DiagonalAccumulate4(
        DiagonalLayout layout, ReadOnlySpan<Vector256<double>> x, ReadOnlySpan<Vector256<double>> r,
        Span<Vector256<double>> s1, Span<Vector256<double>> s2, Span<Vector256<double>> n)
    {
        int d = layout.D;
        int blocks = layout.Blocks;
        ReadOnlySpan<Vector256<double>> x0 = x[..d];
        ReadOnlySpan<Vector256<double>> x1 = x.Slice(d, d);
        ReadOnlySpan<Vector256<double>> x2 = x.Slice(2 * d, d);
        ReadOnlySpan<Vector256<double>> x3 = x.Slice(3 * d, d);
        for (int b = 0; b < blocks; b++)
        {
            Vector256<double> r0 = r[b], r1 = r[blocks + b], r2 = r[2 * blocks + b], r3 = r[3 * blocks + b];
            n[b] = n[b] + r0 + r1 + r2 + r3;
            ReadOnlySpan<Vector256<double>> mu = layout.Means.AsSpan(b * d, d);
            Span<Vector256<double>> a1 = s1.Slice(b * d, d);
            Span<Vector256<double>> a2 = s2.Slice(b * d, d);
            for (int j = 0; j < d; j++)
            {
                Vector256<double> m = mu[j];
                Vector256<double> z0 = x0[j] - m, z1 = x1[j] - m, z2 = x2[j] - m, z3 = x3[j] - m;
                Vector256<double> rz0 = r0 * z0, rz1 = r1 * z1, rz2 = r2 * z2, rz3 = r3 * z3;
                a1[j] = a1[j] + rz0 + rz1 + rz2 + rz3;
                a2[j] = Vector256.FusedMultiplyAdd(rz3, z3, Vector256.FusedMultiplyAdd(rz2, z2,
                    Vector256.FusedMultiplyAdd(rz1, z1, Vector256.FusedMultiplyAdd(rz0, z0, a2[j]))));
            }
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

    private static double HorizontalMax(Vector256<double> v) =>
        Math.Max(Math.Max(v.GetElement(0), v.GetElement(1)), Math.Max(v.GetElement(2), v.GetElement(3)));
}
