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

    /// <summary>Three sticky states over four symbols, each state favouring its own symbols.</summary>
    public static HiddenMarkovModel ThreeCategorical() => Model(
        [0.6, 0.3, 0.1],
        [0.90, 0.06, 0.04, 0.05, 0.85, 0.10, 0.10, 0.05, 0.85],
        new CategoricalEmissions(3, 4, [0.70, 0.20, 0.05, 0.05, 0.05, 0.10, 0.80, 0.05, 0.10, 0.05, 0.15, 0.70]));

    /// <summary>Three sticky states of two Poisson columns with well separated rates.</summary>
    public static HiddenMarkovModel ThreePoisson() => Model(
        [0.2, 0.5, 0.3],
        [0.92, 0.05, 0.03, 0.04, 0.90, 0.06, 0.05, 0.05, 0.90],
        new PoissonEmissions(3, 2, [0.5, 2.0, 6.0, 1.0, 15.0, 9.0]));

    /// <summary>A model with the given parameters and allowed transitions (the mask's starts: those with π &gt; 0).</summary>
    public static HiddenMarkovModel Model(double[] start, double[] transitions, HmmEmissions emissions, bool[] allowed) =>
        new(new HmmParameters(start, transitions, emissions), new Topology(allowed, start.Select(p => p > 0).ToArray()), Planted, 0, 1, 1);

    /// <summary>
    /// The test oracle of a sequence's log-likelihood: the plain forward recursion in log space,
    /// log α_0(j) = log π_j + log b_0(j), log α_t(j) = log Σ_i α_{t−1}(i) A_ij + log b_t(j), and
    /// log p = log Σ_j α_{T−1}(j).
    /// </summary>
    public static double ForwardLogLikelihood(double[] start, double[,] a, int steps, Func<int, int, double> logB)
    {
        int k = start.Length;
        var alpha = new double[k];
        var next = new double[k];
        for (int j = 0; j < k; j++)
            alpha[j] = Math.Log(start[j]) + logB(0, j);
        var terms = new double[k];
        for (int t = 1; t < steps; t++)
        {
            for (int j = 0; j < k; j++)
            {
                for (int i = 0; i < k; i++)
                    terms[i] = alpha[i] + Math.Log(a[i, j]);
                next[j] = LogSumExp(terms) + logB(t, j);
            }
            (alpha, next) = (next, alpha);
        }
        return LogSumExp(alpha);
    }

    /// <summary>
    /// The test oracle of the posteriors γ_t(k) = α_t(k) β_t(k) / p(x), T × K, with log β_{T−1} = 0
    /// and log β_t(i) = log Σ_j A_ij b_{t+1}(j) β_{t+1}(j), all in log space.
    /// </summary>
    public static double[,] Posteriors(double[] start, double[,] a, int steps, Func<int, int, double> logB)
    {
        int k = start.Length;
        var logAlpha = new double[steps, k];
        var logBeta = new double[steps, k];
        var terms = new double[k];
        for (int j = 0; j < k; j++)
            logAlpha[0, j] = Math.Log(start[j]) + logB(0, j);
        for (int t = 1; t < steps; t++)
            for (int j = 0; j < k; j++)
            {
                for (int i = 0; i < k; i++)
                    terms[i] = logAlpha[t - 1, i] + Math.Log(a[i, j]);
                logAlpha[t, j] = LogSumExp(terms) + logB(t, j);
            }
        for (int t = steps - 2; t >= 0; t--)
            for (int i = 0; i < k; i++)
            {
                for (int j = 0; j < k; j++)
                    terms[j] = Math.Log(a[i, j]) + logB(t + 1, j) + logBeta[t + 1, j];
                logBeta[t, i] = LogSumExp(terms);
            }
        double logP = LogSumExp(Enumerable.Range(0, k).Select(j => logAlpha[steps - 1, j]).ToArray());
        var gamma = new double[steps, k];
        for (int t = 0; t < steps; t++)
            for (int j = 0; j < k; j++)
                gamma[t, j] = Math.Exp(logAlpha[t, j] + logBeta[t, j] - logP);
        return gamma;
    }

    /// <summary>log p(x, path) = log π_z0 + log b_z0(x_0) + Σ_t log A_{z(t−1) z(t)} + log b_zt(x_t).</summary>
    public static double PathLogProbability(double[] start, double[,] a, IReadOnlyList<int> path, int first, int steps, Func<int, int, double> logB)
    {
        double sum = Math.Log(start[path[first]]) + logB(0, path[first]);
        for (int t = 1; t < steps; t++)
            sum += Math.Log(a[path[first + t - 1], path[first + t]]) + logB(t, path[first + t]);
        return sum;
    }

    /// <summary>log of the Poisson probability of the whole number x at the rate λ (log x! summed directly).</summary>
    public static double LogPoisson(double x, double rate)
    {
        double logFactorial = 0;
        for (int i = 2; i <= (int)x; i++)
            logFactorial += Math.Log(i);
        return x * Math.Log(rate) - rate - logFactorial;
    }

    public static double LogSumExp(IReadOnlyList<double> values)
    {
        double max = values.Max();
        if (double.IsNegativeInfinity(max))
            return max;
        return max + Math.Log(values.Sum(v => Math.Exp(v - max)));
    }

    /// <summary>The first row of each sequence.</summary>
    public static int[] Starts(IReadOnlyList<int> lengths)
    {
        var starts = new int[lengths.Count];
        for (int s = 1; s < lengths.Count; s++)
            starts[s] = starts[s - 1] + lengths[s - 1];
        return starts;
    }

    /// <summary>Matches fitted states to planted ones: for each planted state, the fitted state whose
    /// emission row (probabilities or rates) is nearest in squared distance; asserts a permutation.</summary>
    public static int[] MatchStates(double[,] planted, double[,] fitted)
    {
        int k = planted.GetLength(0);
        int columns = planted.GetLength(1);
        int[] match = Enumerable.Range(0, k).Select(p =>
            Enumerable.Range(0, k).MinBy(f => Enumerable.Range(0, columns).Sum(c => Math.Pow(planted[p, c] - fitted[f, c], 2)))).ToArray();
        Xunit.Assert.Equal(k, match.Distinct().Count());
        return match;
    }
}
