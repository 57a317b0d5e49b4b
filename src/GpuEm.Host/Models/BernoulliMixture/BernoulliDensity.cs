namespace GpuEm.Models.BernoulliMixture;

/// <summary>Per-point log densities of a Bernoulli mixture in float64 (reference engine and predictions).</summary>
internal static class BernoulliDensity
{
    /// <summary>
    /// log p(x_observed, k) = log w_k + Σ_{j observed} (x_j = 1 ? log p_kj : log(1 − p_kj)) for every
    /// component. Selecting the term (not x·log p) keeps 0·log 0 out when p is 0 or 1.
    /// </summary>
    /// <param name="p">Parameters.</param>
    /// <param name="x">d indicators (0 where missing).</param>
    /// <param name="mask">Observed mask; empty when every entry is observed.</param>
    /// <param name="logJoint">Output, k values.</param>
    public static void LogJoint(BernoulliParameters p, ReadOnlySpan<float> x, ReadOnlySpan<float> mask, Span<double> logJoint)
    {
        int d = p.D;
        for (int c = 0; c < p.K; c++)
        {
            ReadOnlySpan<double> logOne = p.LogOne.AsSpan(c * d, d);
            ReadOnlySpan<double> logZero = p.LogZero.AsSpan(c * d, d);
            double sum = p.LogWeights[c];
            if (mask.IsEmpty)
            {
                for (int j = 0; j < d; j++)
                    sum += x[j] != 0f ? logOne[j] : logZero[j];
            }
            else
            {
                for (int j = 0; j < d; j++)
                    if (mask[j] != 0f)
                        sum += x[j] != 0f ? logOne[j] : logZero[j];
            }
            logJoint[c] = sum;
        }
    }
}
