namespace GpuEm.Models.CategoricalMixture;

/// <summary>
/// The M-step of a categorical mixture, pure and float64, shared by both engines. As for the
/// Bernoulli mixture, missing entries are marginalized out and the components are the only
/// latent variables: w_k = N_k / Σ N and θ_kjl = (C_kjl + α) / (Σ_l' C_kjl' + L_j α), the MAP
/// estimate under a Dirichlet(1 + α, …, 1 + α) prior on every θ_kj·.
/// </summary>
internal static class CategoricalMStep
{
    public static CategoricalParameters Maximize(CategoricalStatistics s, double smoothing, CategoricalParameters? current)
    {
        int k = s.K;
        LevelLayout layout = s.Layout;
        int total = layout.Total;
        double weightSum = s.Weight.Sum();
        double[] weights = s.Weight.Select(n => n / weightSum).ToArray();
        var probabilities = new double[k * total];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < layout.Features; j++)
            {
                int start = c * total + layout.Offsets[j];
                int levels = layout.LevelCounts[j];
                double observed = 0;
                for (int l = 0; l < levels; l++)
                    observed += s.Counts[start + l];
                double denominator = observed + levels * smoothing;
                for (int l = 0; l < levels; l++)
                {
                    // No observed weight and no smoothing: the objective does not depend on
                    // θ_kj·, so the current value is a maximizer.
                    probabilities[start + l] = denominator > 0
                        ? (s.Counts[start + l] + smoothing) / denominator
                        : current?.Probabilities[start + l] ?? 1.0 / levels;
                }
            }
        return new CategoricalParameters(k, layout, weights, probabilities);
    }

    /// <summary>log prior of the smoothing up to a constant: α Σ_kjl log θ_kjl (0 when α = 0).</summary>
    public static double LogPrior(CategoricalParameters p, double smoothing) =>
        smoothing == 0 ? 0 : smoothing * p.LogProbabilities.Sum();
}
