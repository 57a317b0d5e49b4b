namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// The Baum-Welch M-step, a pure float64 function of the statistics shared by every engine:
/// π_k ∝ Σ_s γ_0(k) + α_π − 1 over the allowed starts; A_ij ∝ Σ_t ξ_t(i, j) + α_A − 1 over the
/// allowed transitions of row i (entries not allowed stay exactly 0); the emissions' own step.
/// Rules that keep every parameter finite: a row of A whose state is never left (its expected
/// transitions and pseudo-counts sum to 0) keeps its current row, π keeps its value when no
/// sequence starts are counted, and an emission state with no weight keeps its parameters.
/// Fixed blocks (<see cref="HmmSettings.Fixed"/>) are returned unchanged.
/// </summary>
internal static class HmmMStep
{
    public static HmmParameters Maximize(HmmStatistics stats, HmmParameters current, HmmSettings settings)
    {
        int k = current.States;
        double[] start = settings.Fixed.HasFlag(HmmParts.Start)
            ? current.Start
            : Normalized(stats.Start, settings.StartAllowed, settings.StartConcentration - 1, current.Start);
        double[] transitions = current.Transitions;
        if (!settings.Fixed.HasFlag(HmmParts.Transitions))
        {
            transitions = new double[k * k];
            for (int i = 0; i < k; i++)
                Normalized(
                    stats.Transitions.AsSpan(i * k, k), settings.Allowed.AsSpan(i * k, k), settings.TransitionConcentration - 1,
                    current.Transitions.AsSpan(i * k, k)).CopyTo(transitions, i * k);
        }
        HmmEmissions emissions = settings.Fixed.HasFlag(HmmParts.Emissions)
            ? current.Emissions
            : current.Emissions.Maximize(stats.Emission, settings);
        return new HmmParameters(start, transitions, emissions);
    }

    /// <summary>
    /// log p(θ) of π and A under their Dirichlet priors (up to a constant), plus the emissions',
    /// over the blocks that are fitted: a fixed block's prior is a constant of the fit, left out so
    /// that a fixed zero on an allowed entry does not make every objective −∞ (whose changes,
    /// −∞ − (−∞), are NaN and never converge).
    /// </summary>
    public static double LogPrior(HmmParameters p, HmmSettings settings)
    {
        if (!settings.HasPrior)
            return 0;
        int k = p.States;
        double sum = 0;
        if (settings.StartConcentration != 1 && !settings.Fixed.HasFlag(HmmParts.Start))
            for (int j = 0; j < k; j++)
                if (settings.StartAllowed[j])
                    sum += (settings.StartConcentration - 1) * p.LogStart[j];
        if (settings.TransitionConcentration != 1 && !settings.Fixed.HasFlag(HmmParts.Transitions))
            for (int i = 0; i < k * k; i++)
                if (settings.Allowed[i])
                    sum += (settings.TransitionConcentration - 1) * p.LogTransitions[i];
        return settings.Fixed.HasFlag(HmmParts.Emissions) ? sum : sum + p.Emissions.LogPrior(settings);
    }

    private static double[] Normalized(
        ReadOnlySpan<double> counts, ReadOnlySpan<bool> allowed, double pseudo, ReadOnlySpan<double> current)
    {
        var result = new double[counts.Length];
        double sum = 0;
        for (int j = 0; j < counts.Length; j++)
            if (allowed[j])
                sum += counts[j] + pseudo;
        if (!(sum > 0) || !double.IsFinite(sum))
        {
            current.CopyTo(result);
            return result;
        }
        for (int j = 0; j < counts.Length; j++)
            result[j] = allowed[j] ? (counts[j] + pseudo) / sum : 0;
        return result;
    }
}
