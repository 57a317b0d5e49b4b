using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace GpuEm.Models.Topics;

/// <summary>
/// One document's variational E-step in float64 (Blei, Ng and Jordan 2003, as scikit-learn's
/// <c>_update_doc_distribution</c>): with φ_wk ∝ exp E[log θ_k] · exp E[log β_kw],
/// γ_k ← α_k + Σ_w n_w φ_wk, repeated until the mean |Δγ_k| is below the tolerance. Shared by the
/// reference engine and the fitted model's fold-in.
/// </summary>
internal ref struct LdaDocument
{
    private readonly int _k;
    private readonly Span<double> _expTheta;
    private readonly Span<double> _elogTheta;
    private Span<double> _norm;
    private Span<double> _ratio;
    private Span<double> _block;

    /// <summary>Scratch for documents of up to <paramref name="maxNonZeros"/> non-zeros (it grows when a longer one comes).</summary>
    public LdaDocument(int topics, int maxNonZeros)
    {
        _k = topics;
        _expTheta = new double[topics];
        _elogTheta = new double[topics];
        int capacity = Math.Max(1, maxNonZeros);
        _norm = new double[capacity];
        _ratio = new double[capacity];
        _block = new double[(long)capacity * topics];
    }

    /// <summary>The fresh start of a document's γ: α_k + n_d / K (Blei's lda-c).</summary>
    public static void Start(ReadOnlySpan<float> counts, ReadOnlySpan<double> alpha, Span<double> gamma)
    {
        double tokens = 0;
        foreach (float c in counts)
            tokens += c;
        for (int k = 0; k < gamma.Length; k++)
            gamma[k] = alpha[k] + tokens / gamma.Length;
    }

    /// <summary>exp E[log θ_k] at the γ <see cref="Infer"/> left.</summary>
    public readonly ReadOnlySpan<double> ExpTheta => _expTheta;

    /// <summary>E[log θ_k] at that γ.</summary>
    public readonly ReadOnlySpan<double> ElogTheta => _elogTheta;

    /// <summary>φnorm of each non-zero at that γ: Σ_k exp E[log θ_k] exp E[log β_kw].</summary>
    public readonly ReadOnlySpan<double> Norm => _norm;

    /// <summary>
    /// Updates <paramref name="gamma"/> (K values, the start) for the document's non-zeros and
    /// returns the updates made; afterwards <see cref="ExpTheta"/>, <see cref="ElogTheta"/> and
    /// <see cref="Norm"/> hold the values at the final γ. An empty document gets γ = α. The
    /// document's rows of exp E[log β] are first gathered topic-major (K × n, as scikit-learn's
    /// <c>exp_topic_word_d</c>), so both products of an update stream through contiguous memory.
    /// </summary>
    public int Infer(
        ReadOnlySpan<int> terms, ReadOnlySpan<float> counts, double[] expElogBeta, ReadOnlySpan<double> alpha,
        Span<double> gamma, int maxIterations, double tolerance)
    {
        int n = terms.Length, k = _k;
        if (_norm.Length < n)
        {
            _norm = new double[n];
            _ratio = new double[n];
            _block = new double[(long)n * k];
        }
        int iterations = 0;
        if (n == 0)
        {
            alpha.CopyTo(gamma);
            Expect(gamma);
            return 0;
        }
        Span<double> block = _block[..(n * k)];
        for (int i = 0; i < n; i++)
        {
            ReadOnlySpan<double> row = expElogBeta.AsSpan(terms[i] * k, k);
            for (int c = 0; c < k; c++)
                block[c * n + i] = row[c];
        }
        Span<double> norm = _norm[..n], ratio = _ratio[..n];
        Expect(gamma);
        while (iterations < maxIterations)
        {
            Norms(block, _expTheta, norm);
            for (int i = 0; i < n; i++)
                ratio[i] = counts[i] / norm[i];
            double change = 0;
            for (int c = 0; c < k; c++)
            {
                double value = alpha[c] + _expTheta[c] * Dot(ratio, block.Slice(c * n, n));
                change += Math.Abs(value - gamma[c]);
                gamma[c] = value;
            }
            iterations++;
            if (change / k < tolerance || iterations == maxIterations)
                break;
            ExpectedThetaOnly(gamma, _expTheta);
        }
        Expect(gamma);
        Norms(block, _expTheta, norm);
        return iterations;
    }

    // norm_i = Σ_k expθ_k B[k, i] over the topic-major block, sixteen non-zeros in registers at a
    // time (each norm summed in topic order, so every norm is the same whatever its position).
    private static void Norms(ReadOnlySpan<double> block, ReadOnlySpan<double> expTheta, Span<double> norm)
    {
        int n = norm.Length, k = expTheta.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref double b = ref MemoryMarshal.GetReference(block);
            ref double e = ref MemoryMarshal.GetReference(expTheta);
            ref double o = ref MemoryMarshal.GetReference(norm);
            for (; i + 16 <= n; i += 16)
            {
                Vector256<double> a0 = Vector256<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
                nuint at = (nuint)i;
                for (int c = 0; c < k; c++, at += (nuint)n)
                {
                    var s = Vector256.Create(Unsafe.Add(ref e, c));
                    a0 = Vector256.FusedMultiplyAdd(s, Vector256.LoadUnsafe(ref b, at), a0);
                    a1 = Vector256.FusedMultiplyAdd(s, Vector256.LoadUnsafe(ref b, at + 4), a1);
                    a2 = Vector256.FusedMultiplyAdd(s, Vector256.LoadUnsafe(ref b, at + 8), a2);
                    a3 = Vector256.FusedMultiplyAdd(s, Vector256.LoadUnsafe(ref b, at + 12), a3);
                }
                a0.StoreUnsafe(ref o, (nuint)i);
                a1.StoreUnsafe(ref o, (nuint)i + 4);
                a2.StoreUnsafe(ref o, (nuint)i + 8);
                a3.StoreUnsafe(ref o, (nuint)i + 12);
            }
            for (; i + 4 <= n; i += 4)
            {
                Vector256<double> a = Vector256<double>.Zero;
                nuint at = (nuint)i;
                for (int c = 0; c < k; c++, at += (nuint)n)
                    a = Vector256.FusedMultiplyAdd(Vector256.Create(Unsafe.Add(ref e, c)), Vector256.LoadUnsafe(ref b, at), a);
                a.StoreUnsafe(ref o, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            double a = 0;
            for (int c = 0; c < k; c++)
                a = Math.FusedMultiplyAdd(expTheta[c], block[c * n + i], a);
            norm[i] = a;
        }
    }

    private readonly void Expect(ReadOnlySpan<double> gamma) => Expectations(gamma, _elogTheta, _expTheta);

    /// <summary>
    /// E[log θ_k] = ψ(γ_k) − ψ(Σ γ) and its exp, four topics at a time where 256-bit vectors run
    /// (<see cref="Digamma(Vector256{double})"/>, .NET's vector exp), else by
    /// <see cref="TopicMath.Digamma(double)"/> and <see cref="Math.Exp"/>.
    /// </summary>
    public static void Expectations(ReadOnlySpan<double> gamma, Span<double> elog, Span<double> exp)
    {
        double total = DigammaOfSum(gamma, out bool vectors);
        int c = 0;
        if (vectors)
        {
            var shift = Vector256.Create(total);
            for (; c + 4 <= gamma.Length; c += 4)
            {
                Vector256<double> e = Digamma(Vector256.Create(gamma.Slice(c, 4))) - shift;
                e.CopyTo(elog.Slice(c, 4));
                Vector256.Exp(e).CopyTo(exp.Slice(c, 4));
            }
        }
        for (; c < gamma.Length; c++)
        {
            elog[c] = TopicMath.Digamma(gamma[c]) - total;
            exp[c] = Math.Exp(elog[c]);
        }
    }

    /// <summary>
    /// exp(ψ(γ_k) − ψ(Σ γ)) alone (the γ updates need no more): exp ψ(x) = (x + 6)·exp(series −
    /// 1/(2(x + 6)) − Σ_{i&lt;6} 1/(x + i)), one exp and no log per value, four at a time.
    /// </summary>
    private static void ExpectedThetaOnly(ReadOnlySpan<double> gamma, Span<double> exp)
    {
        double total = DigammaOfSum(gamma, out bool vectors);
        int c = 0;
        if (vectors)
        {
            var shift = Vector256.Create(total);
            for (; c + 4 <= gamma.Length; c += 4)
            {
                Vector256<double> rest = Shifted(Vector256.Create(gamma.Slice(c, 4)), out Vector256<double> y);
                (y * Vector256.Exp(rest - shift)).CopyTo(exp.Slice(c, 4));
            }
        }
        for (; c < gamma.Length; c++)
            exp[c] = Math.Exp(TopicMath.Digamma(gamma[c]) - total);
    }

    // ψ(Σ γ); vectors: whether the four-at-a-time forms apply (256-bit vectors, every γ below 1e40).
    private static double DigammaOfSum(ReadOnlySpan<double> gamma, out bool vectors)
    {
        double sum = 0, largest = 0;
        for (int k = 0; k < gamma.Length; k++)
        {
            sum += gamma[k];
            largest = Math.Max(largest, gamma[k]);
        }
        vectors = Vector256.IsHardwareAccelerated && largest < 1e40;
        return TopicMath.Digamma(sum);
    }

    // ψ(x) − log(x + 6) for four x in (0, 1e40), y = x + 6: the asymptotic series at y ≥ 6 minus
    // Σ_{i<6} 1/(x + i), the reciprocals added as one fraction.
    private static Vector256<double> Shifted(Vector256<double> x, out Vector256<double> y)
    {
        Vector256<double> one = Vector256<double>.One, numerator = Vector256<double>.Zero, denominator = one;
        for (int i = 0; i < 6; i++)
        {
            numerator = numerator * x + denominator;
            denominator *= x;
            x += one;
        }
        y = x;
        Vector256<double> r = one / x, f = r * r;
        Vector256<double> series = f * (Vector256.Create(-1.0 / 12) + f * (Vector256.Create(1.0 / 120) + f * (Vector256.Create(-1.0 / 252)
            + f * (Vector256.Create(1.0 / 240) + f * Vector256.Create(-1.0 / 132)))));
        return series - Vector256.Create(0.5) * r - numerator / denominator;
    }

    /// <summary>
    /// ψ of four values in (0, 1e40): ψ(x) = ψ(x + 6) − Σ_{i&lt;6} 1/(x + i), the reciprocals as one
    /// fraction, then the asymptotic series at x + 6 ≥ 6 (as <see cref="TopicMath.Digamma(double)"/>,
    /// within a few ulps of it).
    /// </summary>
    public static Vector256<double> Digamma(Vector256<double> x)
    {
        Vector256<double> rest = Shifted(x, out Vector256<double> y);
        return Vector256.Log(y) + rest;
    }

    /// <summary>Σ a_k b_k in 256-bit vectors where they fit, four partial sums in flight (added in a fixed order).</summary>
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        int k = 0, n = a.Length;
        double sum = 0;
        if (Vector256.IsHardwareAccelerated && n >= 4)
        {
            ref double x = ref MemoryMarshal.GetReference(a);
            ref double y = ref MemoryMarshal.GetReference(b);
            Vector256<double> s0 = Vector256<double>.Zero, s1 = s0, s2 = s0, s3 = s0;
            for (; k + 16 <= n; k += 16)
            {
                nuint at = (nuint)k;
                s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, at), Vector256.LoadUnsafe(ref y, at), s0);
                s1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, at + 4), Vector256.LoadUnsafe(ref y, at + 4), s1);
                s2 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, at + 8), Vector256.LoadUnsafe(ref y, at + 8), s2);
                s3 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, at + 12), Vector256.LoadUnsafe(ref y, at + 12), s3);
            }
            for (; k + 4 <= n; k += 4)
                s0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref x, (nuint)k), Vector256.LoadUnsafe(ref y, (nuint)k), s0);
            sum = Vector256.Sum((s0 + s1) + (s2 + s3));
        }
        for (; k < n; k++)
            sum += a[k] * b[k];
        return sum;
    }

    /// <summary>y += s·x.</summary>
    public static void Axpy(double s, ReadOnlySpan<double> x, Span<double> y)
    {
        int k = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vs = new Vector<double>(s);
            ReadOnlySpan<Vector<double>> vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            Span<Vector<double>> vy = MemoryMarshal.Cast<double, Vector<double>>(y);
            for (int v = 0; v < vx.Length; v++)
                vy[v] = Vector.FusedMultiplyAdd(vs, vx[v], vy[v]);
            k = vx.Length * Vector<double>.Count;
        }
        for (; k < x.Length; k++)
            y[k] += s * x[k];
    }
}
