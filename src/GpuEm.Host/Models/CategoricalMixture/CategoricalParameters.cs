namespace GpuEm.Models.CategoricalMixture;

/// <summary>
/// Parameters of a categorical mixture in float64 with their logarithms: k weights and
/// θ_kjl = P(x_j = l | k), row-major k × Σ L_j (feature j's levels at its layout offset).
/// </summary>
internal sealed class CategoricalParameters
{
    public CategoricalParameters(int k, LevelLayout layout, double[] weights, double[] probabilities)
    {
        K = k;
        Layout = layout;
        Weights = weights;
        Probabilities = probabilities;
        LogWeights = weights.Select(v => Math.Log(v)).ToArray();
        LogProbabilities = probabilities.Select(v => Math.Log(v)).ToArray();
    }

    public int K { get; }

    public LevelLayout Layout { get; }

    /// <summary>k weights summing to 1.</summary>
    public double[] Weights { get; }

    /// <summary>k × Σ L_j, θ_kjl.</summary>
    public double[] Probabilities { get; }

    public double[] LogWeights { get; }

    public double[] LogProbabilities { get; }

    /// <summary>Free parameters: k − 1 weights and k·Σ(L_j − 1) probabilities.</summary>
    public static long FreeParameterCount(int k, LevelLayout layout) =>
        k - 1 + (long)k * (layout.Total - layout.Features);

    /// <summary>log p(x_observed, k) for every component: log w_k + Σ_{j observed} log θ_{k j x_j}.</summary>
    public void LogJoint(ReadOnlySpan<int> x, Span<double> logJoint)
    {
        int total = Layout.Total;
        int[] offsets = Layout.Offsets;
        for (int c = 0; c < K; c++)
        {
            ReadOnlySpan<double> logTheta = LogProbabilities.AsSpan(c * total, total);
            double sum = LogWeights[c];
            for (int j = 0; j < x.Length; j++)
                if (x[j] >= 0)
                    sum += logTheta[offsets[j] + x[j]];
            logJoint[c] = sum;
        }
    }
}
