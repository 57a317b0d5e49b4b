using GpuEm.Models.HiddenMarkov;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Hmm;

/// <summary>
/// Categorical and Poisson hidden Markov models on the reference engine: planted parameters come
/// back from long samples (states matched by their emission parameters), the objective never
/// decreases, the scores equal a plain forward recursion, and one state is the closed-form
/// (maximum likelihood or MAP) estimate.
/// </summary>
public sealed class HmmDiscreteTests
{
    [Fact]
    public void RecoversPlantedCategoricalModelAndNeverDecreases()
    {
        HiddenMarkovModel planted = HmmTestModels.ThreeCategorical();
        HmmSample sample = planted.Sample([1500, 1500, 1000], seed: 21);
        var options = new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Categorical,
            Backend = Backend.Reference,
            Seed = 3,
            Restarts = 3,
            Tolerance = 1e-9,
            MaxIterations = 1000,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);

        EmLaws.NeverDecreases(fitted.ObjectiveHistory, 1e-12, "categorical HMM log-likelihood per step", 1e-12);
        Assert.True(fitted.Converged);
        Assert.Equal(4, fitted.Symbols);
        Assert.Equal(4000, fitted.ObservedSteps);
        Assert.Equal(3, fitted.SequenceCount);

        double[,] e = fitted.EmissionProbabilities!;
        int[] match = HmmTestModels.MatchStates(planted.EmissionProbabilities!, e);
        for (int i = 0; i < 3; i++)
        {
            for (int s = 0; s < 4; s++)
                Assert.Equal(planted.EmissionProbabilities![i, s], e[match[i], s], 0.05);
            for (int j = 0; j < 3; j++)
                Assert.Equal(planted.TransitionMatrix[i, j], fitted.TransitionMatrix[match[i], match[j]], 0.05);
        }
        AssertStochastic(fitted.StartProbabilities, fitted.TransitionMatrix);
        for (int k = 0; k < 3; k++)
            Assert.Equal(1, Enumerable.Range(0, 4).Sum(s => e[k, s]), 1e-12);

        // The fitted model explains its data at least as well as the planted one (it maximizes the likelihood).
        Assert.True(fitted.LogLikelihood >= planted.Score(sample.Rows, sample.Lengths).LogLikelihood - 1e-6);
    }

    [Fact]
    public void RecoversPlantedPoissonModelAndNeverDecreases()
    {
        HiddenMarkovModel planted = HmmTestModels.ThreePoisson();
        HmmSample sample = planted.Sample([2000, 1000], seed: 22);
        var options = new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Poisson,
            Backend = Backend.Reference,
            Seed = 1,
            Restarts = 2,
            Tolerance = 1e-9,
            MaxIterations = 500,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);

        EmLaws.NeverDecreases(fitted.ObjectiveHistory, 1e-12, "Poisson HMM log-likelihood per step", 1e-12);
        Assert.True(fitted.Converged);
        double[,] rates = fitted.Rates!;
        int[] match = HmmTestModels.MatchStates(planted.Rates!, rates);
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 2; j++)
                Assert.Equal(planted.Rates![i, j], rates[match[i], j], 0.1 * planted.Rates[i, j] + 0.05);
            for (int j = 0; j < 3; j++)
                Assert.Equal(planted.TransitionMatrix[i, j], fitted.TransitionMatrix[match[i], match[j]], 0.03);
        }
        AssertStochastic(fitted.StartProbabilities, fitted.TransitionMatrix);
        Assert.True(fitted.LogLikelihood >= planted.Score(sample.Rows, sample.Lengths).LogLikelihood - 1e-6);
    }

    [Fact]
    public void CategoricalScoreIsTheForwardRecursion()
    {
        HiddenMarkovModel planted = HmmTestModels.ThreeCategorical();
        HmmSample sample = planted.Sample([700, 1, 2, 300], seed: 23);
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Categorical,
            Backend = Backend.Reference,
            Seed = 4,
            MaxIterations = 20,
        });
        foreach (HiddenMarkovModel model in new[] { planted, fitted })
        {
            double[,] e = model.EmissionProbabilities!;
            CheckScore(model, sample.Rows, sample.Lengths, (row, k) => Math.Log(e[k, (int)sample.Rows[row, 0]]));
        }
        Assert.Equal(fitted.LogLikelihood, fitted.Score(sample.Rows, sample.Lengths).LogLikelihood, 1e-9 * Math.Abs(fitted.LogLikelihood));
        Assert.Equal(fitted.Objective, fitted.LogLikelihood / 1003, 1e-12);
    }

    [Fact]
    public void PoissonScoreIsTheForwardRecursion()
    {
        HiddenMarkovModel planted = HmmTestModels.ThreePoisson();
        HmmSample sample = planted.Sample([600, 3, 400], seed: 24);
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Poisson,
            Backend = Backend.Reference,
            Seed = 5,
            MaxIterations = 20,
        });
        foreach (HiddenMarkovModel model in new[] { planted, fitted })
        {
            double[,] rates = model.Rates!;
            CheckScore(model, sample.Rows, sample.Lengths, (row, k) =>
                HmmTestModels.LogPoisson(sample.Rows[row, 0], rates[k, 0]) + HmmTestModels.LogPoisson(sample.Rows[row, 1], rates[k, 1]));
        }
        Assert.Equal(fitted.LogLikelihood, fitted.Score(sample.Rows, sample.Lengths).LogLikelihood, 1e-9 * Math.Abs(fitted.LogLikelihood));
    }

    [Fact]
    public void PosteriorsAreTheForwardBackwardOracle()
    {
        HiddenMarkovModel planted = HmmTestModels.ThreePoisson();
        int[] lengths = [800, 1, 200];
        HmmSample sample = planted.Sample(lengths, seed: 28);
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, lengths, new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Poisson,
            Backend = Backend.Reference,
            Seed = 6,
            MaxIterations = 15,
        });
        double[,] gamma = fitted.PredictProba(sample.Rows, lengths);
        Assert.Equal(1001, gamma.GetLength(0));
        Assert.Equal(3, gamma.GetLength(1));
        double[,] rates = fitted.Rates!;
        int[] starts = HmmTestModels.Starts(lengths);
        for (int s = 0; s < lengths.Length; s++)
        {
            int first = starts[s];
            double[,] expected = HmmTestModels.Posteriors(fitted.StartProbabilities, fitted.TransitionMatrix, lengths[s], (t, k) =>
                HmmTestModels.LogPoisson(sample.Rows[first + t, 0], rates[k, 0]) + HmmTestModels.LogPoisson(sample.Rows[first + t, 1], rates[k, 1]));
            for (int t = 0; t < lengths[s]; t++)
            {
                Assert.Equal(1, gamma[first + t, 0] + gamma[first + t, 1] + gamma[first + t, 2], 1e-12);
                for (int k = 0; k < 3; k++)
                    Assert.Equal(expected[t, k], gamma[first + t, k], 1e-9);
            }
        }
        // A one-step sequence's posterior is π_k b_k(x) normalized.
        double[] joint = Enumerable.Range(0, 3).Select(k => fitted.StartProbabilities[k] * Math.Exp(
            HmmTestModels.LogPoisson(sample.Rows[800, 0], rates[k, 0]) + HmmTestModels.LogPoisson(sample.Rows[800, 1], rates[k, 1]))).ToArray();
        for (int k = 0; k < 3; k++)
            Assert.Equal(joint[k] / joint.Sum(), gamma[800, k], 1e-12);
    }

    [Fact]
    public void UnseenSymbolIsImpossibleAfterAFitUnlessAnEmissionPriorKeepsIt()
    {
        // Symbols = 5, but the data never holds symbol 4: maximum likelihood gives it probability 0.
        HmmSample sample = HmmTestModels.ThreeCategorical().Sample([600], seed: 29);
        var options = new HiddenMarkovOptions(2) { Emission = HmmEmission.Categorical, Symbols = 5, Backend = Backend.Reference, MaxIterations = 20 };
        HiddenMarkovModel ml = HiddenMarkov.Fit(sample.Rows, null, options);
        Assert.Equal(5, ml.Symbols);
        Assert.All(Enumerable.Range(0, 2), k => Assert.Equal(0.0, ml.EmissionProbabilities![k, 4]));
        float[,] probe = { { 0 }, { 4 }, { 1 } };
        Assert.Contains("has probability 0 at step 1", Assert.Throws<InvalidOperationException>(() => ml.Score(probe)).Message);

        HiddenMarkovModel map = HiddenMarkov.Fit(sample.Rows, null, options with { EmissionConcentration = 1.1 });
        Assert.All(Enumerable.Range(0, 2), k => Assert.True(map.EmissionProbabilities![k, 4] > 0));
        Assert.True(double.IsFinite(map.Score(probe).LogLikelihood));
    }

    [Fact]
    public void ImpossibleSequenceIsAnErrorNamingItsStep()
    {
        // Symbol 3 has probability 0 in every state: a sequence holding it has probability 0.
        HiddenMarkovModel model = HmmTestModels.Model(
            [0.5, 0.5], [0.9, 0.1, 0.1, 0.9], new CategoricalEmissions(2, 4, [0.5, 0.5, 0, 0, 0.2, 0.3, 0.5, 0]));
        float[,] rows = { { 0 }, { 1 }, { 2 }, { 0 }, { 3 }, { 1 } };
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => model.Score(rows, [3, 3]));
        Assert.Contains("Sequence 1 (zero-based) has probability 0 at step 1", ex.Message);

        // Without the impossible symbol the score is the forward recursion, zeros included.
        rows[4, 0] = 2;
        double[,] e = model.EmissionProbabilities!;
        CheckScore(model, rows, [3, 3], (row, k) => Math.Log(e[k, (int)rows[row, 0]]));
    }

    [Fact]
    public void OneCategoricalStateIsTheSymbolFrequencies()
    {
        HmmSample sample = HmmTestModels.ThreeCategorical().Sample([500, 250], seed: 25);
        var counts = new double[4];
        for (int t = 0; t < 750; t++)
            counts[(int)sample.Rows[t, 0]]++;
        var options = new HiddenMarkovOptions(1) { Emission = HmmEmission.Categorical, Backend = Backend.Reference };
        HiddenMarkovModel model = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);
        for (int s = 0; s < 4; s++)
            Assert.Equal(counts[s] / 750, model.EmissionProbabilities![0, s], 1e-12);
        double expected = counts.Where(c => c > 0).Sum(c => c * Math.Log(c / 750));
        Assert.Equal(expected, model.LogLikelihood, 1e-9 * Math.Abs(expected));

        // The Dirichlet prior adds α − 1 pseudo-counts to every symbol (the MAP estimate).
        HiddenMarkovModel map = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options with { EmissionConcentration = 3 });
        for (int s = 0; s < 4; s++)
            Assert.Equal((counts[s] + 2) / (750 + 4 * 2), map.EmissionProbabilities![0, s], 1e-12);
    }

    [Fact]
    public void OnePoissonStateIsTheColumnMeans()
    {
        HmmSample sample = HmmTestModels.ThreePoisson().Sample([400, 100, 300], seed: 26);
        var sums = new double[2];
        for (int t = 0; t < 800; t++)
            for (int j = 0; j < 2; j++)
                sums[j] += sample.Rows[t, j];
        var options = new HiddenMarkovOptions(1) { Emission = HmmEmission.Poisson, Backend = Backend.Reference };
        HiddenMarkovModel model = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);
        for (int j = 0; j < 2; j++)
            Assert.Equal(sums[j] / 800, model.Rates![0, j], 1e-12);

        // Gamma(a, b) prior: the MAP rate (Σ x + a − 1) / (n + b).
        HiddenMarkovModel map = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options with { RatePrior = (4, 10) });
        for (int j = 0; j < 2; j++)
            Assert.Equal((sums[j] + 3) / (800 + 10), map.Rates![0, j], 1e-12);
        Assert.Equal(1.0, map.TransitionMatrix[0, 0]);
        Assert.Equal([1.0], map.StartProbabilities);
    }

    [Fact]
    public void PoissonColumnOfZerosKeepsAPositiveRate()
    {
        // A column that is always 0 gets the floor rate, so a later nonzero count stays possible.
        HmmSample sample = HmmTestModels.ThreePoisson().Sample([300], seed: 27);
        for (int t = 0; t < 300; t++)
            sample.Rows[t, 1] = 0;
        HiddenMarkovModel model = HiddenMarkov.Fit(sample.Rows, null, new HiddenMarkovOptions(2)
        {
            Emission = HmmEmission.Poisson,
            Backend = Backend.Reference,
            MaxIterations = 30,
        });
        for (int k = 0; k < 2; k++)
            Assert.True(model.Rates![k, 1] > 0 && model.Rates[k, 1] < 1e-6, $"rate {model.Rates[k, 1]}");
        float[,] probe = { { 1, 0 }, { 2, 1 } };
        Assert.True(double.IsFinite(model.Score(probe).LogLikelihood));
    }

    // Each sequence's score equals the oracle's forward recursion, and the total their sum.
    private static void CheckScore(HiddenMarkovModel model, float[,] rows, IReadOnlyList<int> lengths, Func<int, int, double> logB)
    {
        HmmScore score = model.Score(rows, lengths);
        int[] starts = HmmTestModels.Starts(lengths);
        Assert.Equal(lengths.Count, score.SequenceLogLikelihoods.Count);
        for (int s = 0; s < lengths.Count; s++)
        {
            int first = starts[s];
            double expected = HmmTestModels.ForwardLogLikelihood(
                model.StartProbabilities, model.TransitionMatrix, lengths[s], (t, k) => logB(first + t, k));
            Assert.Equal(expected, score.SequenceLogLikelihoods[s], 1e-9 * Math.Max(1, Math.Abs(expected)));
        }
        Assert.Equal(score.SequenceLogLikelihoods.Sum(), score.LogLikelihood, 1e-9);
        Assert.Equal(lengths.Sum(), score.ObservedSteps);
    }

    private static void AssertStochastic(double[] start, double[,] a)
    {
        Assert.Equal(1, start.Sum(), 1e-12);
        int k = start.Length;
        for (int i = 0; i < k; i++)
        {
            Assert.Equal(1, Enumerable.Range(0, k).Sum(j => a[i, j]), 1e-12);
            for (int j = 0; j < k; j++)
                Assert.InRange(a[i, j], 0, 1);
        }
    }
}
