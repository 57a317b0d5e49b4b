namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// Parameters of a Bernoulli mixture in float64 with their logarithms: k weights and the
/// row-major k × d probabilities p_kj = P(x_j = 1 | k). Immutable once built.
/// </summary>
internal sealed class BernoulliParameters
{
    public BernoulliParameters(int k, int d, double[] weights, double[] probabilities)
    {
        K = k;
        D = d;
        Weights = weights;
        Probabilities = probabilities;
        LogWeights = weights.Select(v => Math.Log(v)).ToArray();
        LogOne = probabilities.Select(v => Math.Log(v)).ToArray();
        LogZero = probabilities.Select(p => Math.Log(1 - p)).ToArray();
    }

    public int K { get; }

    public int D { get; }

    /// <summary>k mixing weights summing to 1 (0 for an empty component).</summary>
    public double[] Weights { get; }

    /// <summary>Row-major k × d, p_kj = P(x_j = 1 | component k).</summary>
    public double[] Probabilities { get; }

    public double[] LogWeights { get; }

    /// <summary>Row-major k × d, log p_kj.</summary>
    public double[] LogOne { get; }

    /// <summary>Row-major k × d, log(1 − p_kj).</summary>
    public double[] LogZero { get; }

    /// <summary>Free parameters: k − 1 weights and k·d probabilities.</summary>
    public static long FreeParameterCount(int k, int d) => k - 1 + (long)k * d;
}
