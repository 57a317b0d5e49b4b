using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using GpuEm.Engines;

namespace GpuEm.Models.GaussianMixture;

// The diagonal and spherical pass: components in blocks of 4 lanes, rows in batches of 4.
internal static partial class GaussianChunkPasses
{
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
            // Rows with missing entries take MissingValueGaussian's path.
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

    private static double HorizontalMax(Vector256<double> v) =>
        Math.Max(Math.Max(v.GetElement(0), v.GetElement(1)), Math.Max(v.GetElement(2), v.GetElement(3)));
}
