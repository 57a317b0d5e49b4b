namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// The M-step of a Bernoulli mixture: a pure function from statistics to parameters, in float64,
/// shared by both engines.
/// </summary>
/// <remarks>
/// A missing entry is marginalized out of the likelihood, so the latent variables are the
/// components only and the expected complete-data log-likelihood is
/// Σ_i Σ_k r_ik [log w_k + Σ_{j observed in i} (x_ij log p_kj + (1 − x_ij) log(1 − p_kj))].
/// Its maximizer, with α pseudo-counts of each value (the MAP estimate under a
/// Beta(1 + α, 1 + α) prior on every p_kj), is
/// w_k = N_k / Σ N, p_kj = (S_kj + α) / (O_kj + 2α): the responsibility-weighted frequency of
/// ones among the rows where column j is observed. Treating the missing x_ij as latent as well
/// (filling Σ r·x with r·p_kj on missing entries) is also an EM for the same likelihood with
/// the same fixed points, p = S / O, but it adds the missing entries to the missing information
/// and so converges more slowly; this step is the exact maximizer for the smaller augmentation.
/// </remarks>
internal static class BernoulliMStep
{
    public static BernoulliParameters Maximize(BernoulliStatistics s, double smoothing, BernoulliParameters? current)
    {
        int k = s.K;
        int d = s.D;
        double total = s.Weight.Sum();
        var weights = new double[k];
        for (int c = 0; c < k; c++)
            weights[c] = s.Weight[c] / total;
        var probabilities = new double[k * d];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
            {
                int index = c * d + j;
                double denominator = s.ObservedWeight(c, j) + 2 * smoothing;
                // No observed entry carries weight for (k, j) and there is no smoothing: the
                // objective does not depend on p_kj, so the current value is a maximizer.
                probabilities[index] = denominator > 0
                    ? Math.Clamp((s.Ones[index] + smoothing) / denominator, 0, 1)
                    : current?.Probabilities[index] ?? 0.5;
            }
        return new BernoulliParameters(k, d, weights, probabilities);
    }

    /// <summary>
    /// log prior of the smoothing up to a constant: α Σ_kj [log p_kj + log(1 − p_kj)]
    /// (0 when α = 0). EM with <see cref="Maximize"/> never decreases log-likelihood + this.
    /// </summary>
    public static double LogPrior(BernoulliParameters p, double smoothing)
    {
        if (smoothing == 0)
            return 0;
        double sum = 0;
        for (int i = 0; i < p.Probabilities.Length; i++)
            sum += p.LogOne[i] + p.LogZero[i];
        return smoothing * sum;
    }
}
