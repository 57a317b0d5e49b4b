namespace GpuEm.Tests.Oracles;

/// <summary>
/// The plainest float64 hidden Markov model E-step: emission log-densities term by term, and
/// forward-backward in log space (log-sum-exp per step, no scaling), from which γ, the summed ξ,
/// the start counts and the per-sequence log-likelihoods follow by their definitions. The device
/// kernels (scaled forward-backward in float32) are held to it.
/// </summary>
internal static class HmmOracle
{
    /// <summary>The E-step of a set of sequences.</summary>
    /// <param name="Gamma">n × K posteriors (zero rows for a sequence of zero likelihood).</param>
    /// <param name="TransitionCounts">K × K, Σ over sequences and steps of ξ_t(i, j).</param>
    /// <param name="StartCounts">K, Σ over sequences of γ_0.</param>
    /// <param name="SequenceLogLikelihood">S, −∞ for a sequence of zero likelihood.</param>
    /// <param name="LogLikelihood">Σ of the finite sequence log-likelihoods.</param>
    public sealed record Result(
        double[] Gamma, double[] TransitionCounts, double[] StartCounts, double[] SequenceLogLikelihood, double LogLikelihood);

    /// <summary>logB[t, k] = logNorm_k − ½ Σ_j ((x_tj − μ_kj)·u_kj)², and its magnitude (the sum of |terms|).</summary>
    public static (double[] LogB, double[] Magnitude) Diagonal(
        float[] data, int n, int d, float[] means, float[] precisionDiagonal, float[] logNorm, int k)
    {
        var logB = new double[n * k];
        var magnitude = new double[n * k];
        for (int t = 0; t < n; t++)
            for (int state = 0; state < k; state++)
            {
                double squared = 0;
                for (int j = 0; j < d; j++)
                {
                    double y = ((double)data[t * d + j] - means[state * d + j]) * precisionDiagonal[state * d + j];
                    squared += y * y;
                }
                logB[t * k + state] = logNorm[state] - 0.5 * squared;
                magnitude[t * k + state] = Math.Abs(logNorm[state]) + 0.5 * squared;
            }
        return (logB, magnitude);
    }

    /// <summary>logB[t, k] = logNorm_k − ½‖(x_t − μ_k) U_k‖², and its magnitude (|terms| inside each column sum).</summary>
    public static (double[] LogB, double[] Magnitude) Full(
        float[] data, int n, int d, float[] means, float[] precisionCholesky, float[] logNorm, int k)
    {
        var logB = new double[n * k];
        var magnitude = new double[n * k];
        for (int t = 0; t < n; t++)
            for (int state = 0; state < k; state++)
            {
                double squared = 0, scale = 0;
                for (int col = 0; col < d; col++)
                {
                    double y = 0, absolute = 0;
                    for (int i = 0; i <= col; i++)
                    {
                        double term = ((double)data[t * d + i] - means[state * d + i]) * precisionCholesky[state * d * d + i * d + col];
                        y += term;
                        absolute += Math.Abs(term);
                    }
                    squared += y * y;
                    scale += absolute * absolute;
                }
                logB[t * k + state] = logNorm[state] - 0.5 * squared;
                magnitude[t * k + state] = Math.Abs(logNorm[state]) + 0.5 * scale;
            }
        return (logB, magnitude);
    }

    /// <summary>logB[t, k] = logEmission[k, symbol_t]; −∞ for a symbol outside 0 … M − 1.</summary>
    public static double[] Categorical(float[] symbols, float[] logEmission, int k, int m)
    {
        var logB = new double[symbols.Length * k];
        for (int t = 0; t < symbols.Length; t++)
        {
            double s = symbols[t];
            bool valid = s >= 0 && s < m && s == Math.Floor(s);
            for (int state = 0; state < k; state++)
                logB[t * k + state] = valid ? logEmission[state * m + (int)s] : double.NegativeInfinity;
        }
        return logB;
    }

    /// <summary>logB[t, k] = Σ_j (x_tj log λ_kj − λ_kj − log x_tj!), and its magnitude.</summary>
    public static (double[] LogB, double[] Magnitude) Poisson(
        float[] data, int n, int d, float[] logRate, float[] rate, int k)
    {
        var logB = new double[n * k];
        var magnitude = new double[n * k];
        for (int t = 0; t < n; t++)
            for (int state = 0; state < k; state++)
            {
                double sum = 0, absolute = 0;
                for (int j = 0; j < d; j++)
                {
                    double x = data[t * d + j];
                    double term = x * logRate[state * d + j] - rate[state * d + j];
                    double logFactorial = LogFactorial((int)x);
                    sum += term - logFactorial;
                    absolute += Math.Abs(x * logRate[state * d + j]) + rate[state * d + j] + logFactorial;
                }
                logB[t * k + state] = sum;
                magnitude[t * k + state] = absolute;
            }
        return (logB, magnitude);
    }

    /// <summary>log x! as a plain sum of logs.</summary>
    public static double LogFactorial(int x)
    {
        double sum = 0;
        for (int i = 2; i <= x; i++)
            sum += Math.Log(i);
        return sum;
    }

    /// <summary>
    /// Forward-backward in log space: log α_t(j) = log b_t(j) + lse_i(log α_{t−1}(i) + log A_ij),
    /// log β_t(i) = lse_j(log A_ij + log b_{t+1}(j) + log β_{t+1}(j)), log b = −∞ at a labelled
    /// step's other states; γ = exp(log α + log β − ll), ξ = exp(log α_t(i) + log A_ij +
    /// log b_{t+1}(j) + log β_{t+1}(j) − ll).
    /// </summary>
    public static Result ForwardBackward(
        double[] logB, int k, int[] sequenceStarts, float[] logStart, float[] transition, int[]? labels)
    {
        int n = sequenceStarts[^1];
        int sequences = sequenceStarts.Length - 1;
        var gamma = new double[n * k];
        var counts = new double[k * k];
        var starts = new double[k];
        var sequenceLl = new double[sequences];
        double total = 0;
        double[] logA = transition.Select(a => Math.Log(a)).ToArray();
        double LogB(int t, int state) =>
            labels is not null && labels[t] >= 0 && labels[t] != state ? double.NegativeInfinity : logB[t * k + state];

        for (int s = 0; s < sequences; s++)
        {
            int first = sequenceStarts[s], length = sequenceStarts[s + 1] - first;
            if (length == 0)
                continue;
            var logAlpha = new double[length * k];
            var logBeta = new double[length * k];
            var terms = new double[k];
            for (int t = 0; t < length; t++)
                for (int j = 0; j < k; j++)
                {
                    if (t == 0)
                    {
                        logAlpha[j] = logStart[j] + LogB(first, j);
                        continue;
                    }
                    for (int i = 0; i < k; i++)
                        terms[i] = logAlpha[(t - 1) * k + i] + logA[i * k + j];
                    logAlpha[t * k + j] = LogB(first + t, j) + LogSumExp(terms);
                }
            for (int t = length - 2; t >= 0; t--)
                for (int i = 0; i < k; i++)
                {
                    for (int j = 0; j < k; j++)
                        terms[j] = logA[i * k + j] + LogB(first + t + 1, j) + logBeta[(t + 1) * k + j];
                    logBeta[t * k + i] = LogSumExp(terms);
                }
            double ll = LogSumExp(logAlpha.AsSpan((length - 1) * k, k).ToArray());
            sequenceLl[s] = ll;
            if (double.IsNegativeInfinity(ll))
                continue;
            total += ll;
            for (int t = 0; t < length; t++)
                for (int i = 0; i < k; i++)
                    gamma[(first + t) * k + i] = Math.Exp(logAlpha[t * k + i] + logBeta[t * k + i] - ll);
            for (int i = 0; i < k; i++)
                starts[i] += gamma[first * k + i];
            for (int t = 0; t + 1 < length; t++)
                for (int i = 0; i < k; i++)
                    for (int j = 0; j < k; j++)
                        counts[i * k + j] += Math.Exp(logAlpha[t * k + i] + logA[i * k + j]
                            + LogB(first + t + 1, j) + logBeta[(t + 1) * k + j] - ll);
        }
        return new Result(gamma, counts, starts, sequenceLl, total);
    }

    private static double LogSumExp(double[] values)
    {
        double max = values.Max();
        if (double.IsNegativeInfinity(max))
            return double.NegativeInfinity;
        double sum = 0;
        foreach (double v in values)
            sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }
}
