namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// Parameters of a hidden Markov model, immutable: start probabilities π (K), the transition
/// matrix A (K × K row-major, rows summing to 1), and the emissions.
/// </summary>
internal sealed class HmmParameters
{
    public HmmParameters(double[] start, double[] transitions, HmmEmissions emissions)
    {
        int k = emissions.States;
        if (start.Length != k || transitions.Length != k * k)
            throw new ArgumentException("Start and transition shapes disagree with the emissions' states.");
        Start = start;
        Transitions = transitions;
        Emissions = emissions;
        LogStart = start.Select(v => Math.Log(v)).ToArray();
        LogTransitions = transitions.Select(v => Math.Log(v)).ToArray();
    }

    public int States => Emissions.States;

    public double[] Start { get; }

    public double[] Transitions { get; }

    public HmmEmissions Emissions { get; }

    /// <summary>log π (−∞ for a start that cannot happen).</summary>
    public double[] LogStart { get; }

    /// <summary>log A.</summary>
    public double[] LogTransitions { get; }
}
