using System.Numerics;
using System.Runtime.InteropServices;

namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// The float64 recursions of one sequence, shared by the reference engine and the fitted
/// model: the scaled forward-backward (Rabiner's scaling: each α̂_t sums to 1, c_t its scale,
/// log p = Σ_t log c_t + m_t with m_t the step's largest log b, so no underflow at any length)
/// with the expected transitions, and Viterbi in log space.
/// </summary>
internal static class ForwardBackward
{
    /// <summary>
    /// Forward-backward over T steps. <paramref name="logB"/> (T × K) holds log b_t(k) on entry
    /// and b_t(k)·exp(−m_t) on return; <paramref name="gamma"/> (T × K) receives the posteriors
    /// γ_t (each row sums to 1); Σ_t ξ_t(i, j) is added into <paramref name="transitions"/>
    /// (K × K; empty: skipped) and γ_0 into <paramref name="start"/> (K; empty: skipped).
    /// </summary>
    /// <returns>log p(x_0 … x_{T−1}), or −∞ with <paramref name="impossibleStep"/> the first step
    /// at which no state is possible (then γ and the sums are not touched).</returns>
    public static double Run(
        int k, int steps, double[] startProbabilities, double[] transitionMatrix, Span<double> logB, Span<double> gamma,
        Span<double> scales, Span<double> transitions, Span<double> start, out int impossibleStep)
    {
        impossibleStep = -1;
        double logLikelihood = 0;
        Span<double> alpha = gamma;
        ReadOnlySpan<double> a = transitionMatrix;
        for (int t = 0; t < steps; t++)
        {
            Span<double> b = logB.Slice(t * k, k);
            double max = double.NegativeInfinity;
            for (int j = 0; j < k; j++)
                max = Math.Max(max, b[j]);
            if (double.IsNegativeInfinity(max) || double.IsNaN(max))
            {
                impossibleStep = t;
                return double.NegativeInfinity;
            }
            for (int j = 0; j < k; j++)
                b[j] = Math.Exp(b[j] - max);
            Span<double> current = alpha.Slice(t * k, k);
            if (t == 0)
            {
                for (int j = 0; j < k; j++)
                    current[j] = startProbabilities[j] * b[j];
            }
            else
            {
                current.Clear();
                ReadOnlySpan<double> previous = alpha.Slice((t - 1) * k, k);
                for (int i = 0; i < k; i++)
                {
                    double p = previous[i];
                    if (p != 0)
                        MultiplyAdd(current, a.Slice(i * k, k), p);
                }
                for (int j = 0; j < k; j++)
                    current[j] *= b[j];
            }
            double scale = 0;
            for (int j = 0; j < k; j++)
                scale += current[j];
            if (!(scale > 0) || !double.IsFinite(scale))
            {
                impossibleStep = t;
                return double.NegativeInfinity;
            }
            double inverse = 1.0 / scale;
            for (int j = 0; j < k; j++)
                current[j] *= inverse;
            scales[t] = scale;
            logLikelihood += Math.Log(scale) + max;
        }

        // Backward: β̂_{T−1} = 1; w = b_{t+1} ⊙ β̂_{t+1} / c_{t+1}; β̂_t = A w; ξ_t(i, ·) = α̂_t(i) A(i, ·) ⊙ w;
        // γ_t = α̂_t ⊙ β̂_t, written over α̂_t once ξ_t has used it.
        Span<double> beta = k <= 256 ? stackalloc double[k] : new double[k];
        Span<double> w = k <= 256 ? stackalloc double[k] : new double[k];
        beta.Fill(1);
        bool withTransitions = !transitions.IsEmpty;
        for (int t = steps - 2; t >= 0; t--)
        {
            ReadOnlySpan<double> bNext = logB.Slice((t + 1) * k, k);
            double inverse = 1.0 / scales[t + 1];
            for (int j = 0; j < k; j++)
                w[j] = bNext[j] * beta[j] * inverse;
            // γ_{t+1} = α̂_{t+1} ⊙ β̂_{t+1} (α̂_{t+1} no longer needed).
            Span<double> next = gamma.Slice((t + 1) * k, k);
            for (int j = 0; j < k; j++)
                next[j] *= beta[j];
            Span<double> current = alpha.Slice(t * k, k);
            for (int i = 0; i < k; i++)
            {
                ReadOnlySpan<double> row = a.Slice(i * k, k);
                beta[i] = Dot(row, w);
                if (withTransitions && current[i] != 0)
                    MultiplyProductAdd(transitions.Slice(i * k, k), row, w, current[i]);
            }
        }
        Span<double> first = gamma[..k];
        for (int j = 0; j < k; j++)
            first[j] *= beta[j];
        // Each γ_t sums to 1 up to rounding; normalize so the statistics' weights are exact.
        for (int t = 0; t < steps; t++)
        {
            Span<double> row = gamma.Slice(t * k, k);
            double sum = 0;
            for (int j = 0; j < k; j++)
                sum += row[j];
            double inverse = 1.0 / sum;
            for (int j = 0; j < k; j++)
                row[j] *= inverse;
        }
        if (!start.IsEmpty)
            for (int j = 0; j < k; j++)
                start[j] += first[j];
        return logLikelihood;
    }

    /// <summary>
    /// The most likely state path (Viterbi, log space; ties go to the lower state) into
    /// <paramref name="path"/> (T), and its log-probability log p(x, path).
    /// </summary>
    public static double Viterbi(
        int k, int steps, double[] logStart, double[] logTransitions, ReadOnlySpan<double> logB, Span<int> path)
    {
        var delta = new double[k];
        var next = new double[k];
        var back = new int[(long)steps * k];
        for (int j = 0; j < k; j++)
            delta[j] = logStart[j] + logB[j];
        for (int t = 1; t < steps; t++)
        {
            ReadOnlySpan<double> b = logB.Slice(t * k, k);
            for (int j = 0; j < k; j++)
            {
                double best = double.NegativeInfinity;
                int arg = 0;
                for (int i = 0; i < k; i++)
                {
                    double v = delta[i] + logTransitions[i * k + j];
                    if (v > best)
                    {
                        best = v;
                        arg = i;
                    }
                }
                next[j] = best + b[j];
                back[(long)t * k + j] = arg;
            }
            (delta, next) = (next, delta);
        }
        double top = double.NegativeInfinity;
        int state = 0;
        for (int j = 0; j < k; j++)
            if (delta[j] > top)
            {
                top = delta[j];
                state = j;
            }
        path[steps - 1] = state;
        for (int t = steps - 1; t > 0; t--)
        {
            state = back[(long)t * k + state];
            path[t - 1] = state;
        }
        return top;
    }

    // target += factor · source.
    private static void MultiplyAdd(Span<double> target, ReadOnlySpan<double> source, double factor)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated && target.Length >= Vector<double>.Count)
        {
            var f = new Vector<double>(factor);
            Span<Vector<double>> t = MemoryMarshal.Cast<double, Vector<double>>(target);
            ReadOnlySpan<Vector<double>> s = MemoryMarshal.Cast<double, Vector<double>>(source);
            for (int v = 0; v < t.Length; v++)
                t[v] += s[v] * f;
            j = t.Length * Vector<double>.Count;
        }
        for (; j < target.Length; j++)
            target[j] += factor * source[j];
    }

    // target += factor · (x ⊙ y).
    private static void MultiplyProductAdd(Span<double> target, ReadOnlySpan<double> x, ReadOnlySpan<double> y, double factor)
    {
        int j = 0;
        if (Vector.IsHardwareAccelerated && target.Length >= Vector<double>.Count)
        {
            var f = new Vector<double>(factor);
            Span<Vector<double>> t = MemoryMarshal.Cast<double, Vector<double>>(target);
            ReadOnlySpan<Vector<double>> xv = MemoryMarshal.Cast<double, Vector<double>>(x);
            ReadOnlySpan<Vector<double>> yv = MemoryMarshal.Cast<double, Vector<double>>(y);
            for (int v = 0; v < t.Length; v++)
                t[v] += xv[v] * yv[v] * f;
            j = t.Length * Vector<double>.Count;
        }
        for (; j < target.Length; j++)
            target[j] += factor * x[j] * y[j];
    }

    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        int j = 0;
        double sum = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            ReadOnlySpan<Vector<double>> xv = MemoryMarshal.Cast<double, Vector<double>>(x);
            ReadOnlySpan<Vector<double>> yv = MemoryMarshal.Cast<double, Vector<double>>(y);
            Vector<double> acc = Vector<double>.Zero;
            for (int v = 0; v < xv.Length; v++)
                acc += xv[v] * yv[v];
            sum = Vector.Sum(acc);
            j = xv.Length * Vector<double>.Count;
        }
        for (; j < x.Length; j++)
            sum += x[j] * y[j];
        return sum;
    }
}
