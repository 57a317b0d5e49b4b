using GpuEm.Em;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.HiddenMarkov;

namespace GpuEm.Tests.Hmm;

/// <summary>Planted hidden Markov models and their samples, for the HMM tests.</summary>
internal static class HmmTestModels
{
    private static readonly FitSummary Planted = new(0, true, false, [0.0], Backend.Reference, "planted", 0);

    /// <summary>A model with the given parameters (diagonal Gaussians unless other emissions are given).</summary>
    public static HiddenMarkovModel Model(double[] start, double[] transitions, HmmEmissions emissions) =>
        new(new HmmParameters(start, transitions, emissions), Topology.Full(start.Length), Planted, 0, 1, 1);

    public static GaussianEmissions Gaussian(CovarianceType type, double[] means, double[] covariances, int k, int d, int m = 1, double[]? weights = null) =>
        new(k, m, GaussianParameters.Create(type, k * m, d, weights ?? Enumerable.Repeat(1.0 / m, k * m).ToArray(), means, covariances));

    /// <summary>Three well separated 2-d diagonal states with sticky transitions.</summary>
    public static HiddenMarkovModel ThreeStates() => Model(
        [0.5, 0.3, 0.2],
        [0.90, 0.07, 0.03, 0.05, 0.90, 0.05, 0.02, 0.08, 0.90],
        Gaussian(CovarianceType.Diagonal, [0, 0, 5, 5, -5, 5], [1, 1, 0.5, 2, 1.5, 0.7], 3, 2));

    /// <summary>A random model with K states over M symbols.</summary>
    public static HiddenMarkovModel RandomCategorical(int k, int symbols, Random random)
    {
        double[] start = Dirichlet(k, random);
        double[] a = Enumerable.Range(0, k).SelectMany(_ => Dirichlet(k, random)).ToArray();
        double[] e = Enumerable.Range(0, k).SelectMany(_ => Dirichlet(symbols, random)).ToArray();
        return Model(start, a, new CategoricalEmissions(k, symbols, e));
    }

    public static double[] Dirichlet(int n, Random random)
    {
        double[] v = Enumerable.Range(0, n).Select(_ => 0.2 + random.NextDouble()).ToArray();
        double sum = v.Sum();
        return v.Select(x => x / sum).ToArray();
    }
}
