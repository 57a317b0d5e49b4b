namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// Sufficient statistics of one Baum-Welch E-step, mergeable over disjoint sequences (added in
/// a fixed order by the engines): expected starts Σ_s γ_0, expected transitions Σ_t ξ_t,
/// the emissions' weighted sums, and the log-likelihood of the sequences.
/// </summary>
internal sealed class HmmStatistics
{
    public HmmStatistics(int states, HmmEmissionStatistics emission)
    {
        Start = new double[states];
        Transitions = new double[states * states];
        Emission = emission;
    }

    /// <summary>Σ over sequences of γ at the first step.</summary>
    public double[] Start { get; }

    /// <summary>Σ over sequences and steps of ξ_t(i, j), K × K row-major.</summary>
    public double[] Transitions { get; }

    public HmmEmissionStatistics Emission { get; }

    /// <summary>Σ log p(sequence).</summary>
    public double LogLikelihood { get; set; }

    /// <summary>Steps with an observation (rows not entirely missing).</summary>
    public long ObservedSteps { get; set; }

    public void Add(HmmStatistics other)
    {
        for (int i = 0; i < Start.Length; i++)
            Start[i] += other.Start[i];
        for (int i = 0; i < Transitions.Length; i++)
            Transitions[i] += other.Transitions[i];
        Emission.Add(other.Emission);
        LogLikelihood += other.LogLikelihood;
        ObservedSteps += other.ObservedSteps;
    }

    public void Clear()
    {
        Array.Clear(Start);
        Array.Clear(Transitions);
        Emission.Clear();
        LogLikelihood = 0;
        ObservedSteps = 0;
    }
}
