namespace GpuEm.Models.HiddenMarkov;

/// <summary>Log-likelihoods of sequences under a fitted model.</summary>
/// <param name="LogLikelihood">Σ over sequences of log p(sequence), natural log.</param>
/// <param name="SequenceLogLikelihoods">log p of each sequence, in order.</param>
/// <param name="ObservedSteps">Steps with an observation (rows not entirely missing).</param>
public sealed record HmmScore(double LogLikelihood, IReadOnlyList<double> SequenceLogLikelihoods, long ObservedSteps);

/// <summary>The most likely state paths (Viterbi).</summary>
/// <param name="States">The state of every row, sequence after sequence.</param>
/// <param name="SequenceLogProbabilities">log p(x, path) of each sequence's path.</param>
public sealed record HmmPath(IReadOnlyList<int> States, IReadOnlyList<double> SequenceLogProbabilities)
{
    /// <summary>Σ over sequences of log p(x, path).</summary>
    public double LogProbability => SequenceLogProbabilities.Sum();
}

/// <summary>Sequences drawn from a model.</summary>
/// <param name="Rows">The observations, one row per step, sequence after sequence.</param>
/// <param name="States">The hidden state of every row.</param>
/// <param name="Lengths">The length of each sequence.</param>
public sealed record HmmSample(float[,] Rows, IReadOnlyList<int> States, IReadOnlyList<int> Lengths);
