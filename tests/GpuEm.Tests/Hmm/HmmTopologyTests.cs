using GpuEm.Models.GaussianMixture;
using GpuEm.Models.HiddenMarkov;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Hmm;

/// <summary>
/// Restricted transitions: left-right (Bakis) topology with and without MaxJump, and an explicit
/// AllowedTransitions mask. Forbidden entries of the fitted A stay exactly 0, rows sum to 1, and
/// Viterbi paths start in an allowed state and never take a forbidden transition, even on data
/// that the model explains badly.
/// </summary>
public sealed class HmmTopologyTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(null)]
    public void LeftRightKeepsForbiddenTransitionsZero(int? maxJump)
    {
        const int k = 4;
        HiddenMarkovModel planted = LeftRightPoisson(maxJump);
        HmmSample sample = planted.Sample(Enumerable.Repeat(60, 30).ToArray(), seed: 31);
        var options = new HiddenMarkovOptions(k)
        {
            Emission = HmmEmission.Poisson,
            Topology = HmmTopology.LeftRight,
            MaxJump = maxJump,
            Backend = Backend.Reference,
            Seed = 2,
            Tolerance = 1e-8,
            MaxIterations = 200,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);

        EmLaws.NeverDecreases(fitted.ObjectiveHistory, 1e-12, "left-right HMM log-likelihood per step", 1e-12);
        bool[,] expected = LeftRightMask(k, maxJump);
        Assert.Equal(expected, fitted.AllowedTransitions);
        AssertRespectsMask(fitted.TransitionMatrix, expected);
        // Every sequence starts in state 0.
        Assert.Equal([1.0, 0, 0, 0], fitted.StartProbabilities);

        Assert.All(fitted.Rates!.Cast<double>(), r => Assert.True(double.IsFinite(r) && r > 0));

        AssertPathsRespect(fitted, sample.Rows, sample.Lengths, expected, (row, s) => HmmTestModels.LogPoisson(sample.Rows[row, 0], fitted.Rates![s, 0]));
        // Reversed sequences run against the topology; their paths must still obey it.
        float[,] reversed = Reverse(sample.Rows);
        AssertPathsRespect(fitted, reversed, sample.Lengths, expected, (row, s) => HmmTestModels.LogPoisson(reversed[row, 0], fitted.Rates![s, 0]));
    }

    [Fact]
    public void AllowedTransitionsMaskIsKeptByFitAndViterbi()
    {
        // A cycle 0 → 1 → 2 → 0 with self-loops; 0 → 2, 1 → 0 and 2 → 1 are forbidden.
        bool[,] mask = { { true, true, false }, { false, true, true }, { true, false, true } };
        bool[,] copy = (bool[,])mask.Clone();
        HiddenMarkovModel planted = HmmTestModels.Model(
            [0.4, 0.3, 0.3], [0.9, 0.1, 0, 0, 0.85, 0.15, 0.1, 0, 0.9],
            HmmTestModels.Gaussian(CovarianceType.Diagonal, [0, 0, 4, 4, -4, 4], [1, 1, 1, 1, 1, 1], 3, 2),
            [.. mask.Cast<bool>()]);
        HmmSample sample = planted.Sample([1500, 500], seed: 32);
        var options = new HiddenMarkovOptions(3)
        {
            AllowedTransitions = mask,
            Backend = Backend.Reference,
            Seed = 4,
            Tolerance = 1e-8,
            MaxIterations = 200,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);

        Assert.Equal(copy, mask);
        EmLaws.NeverDecreases(fitted.ObjectiveHistory, 1e-12, "masked HMM log-likelihood per step", 1e-12);
        Assert.Equal(mask, fitted.AllowedTransitions);
        AssertRespectsMask(fitted.TransitionMatrix, mask);
        // A mask allows every start.
        Assert.All(fitted.StartProbabilities, p => Assert.True(p >= 0 && double.IsFinite(p)));
        Assert.Equal(1, fitted.StartProbabilities.Sum(), 1e-12);

        double[,] means = fitted.Means!;
        int[] match = Enumerable.Range(0, 3).Select(p =>
            Enumerable.Range(0, 3).MinBy(f => Math.Pow(means[f, 0] - planted.Means![p, 0], 2) + Math.Pow(means[f, 1] - planted.Means![p, 1], 2))).ToArray();
        Assert.Equal(3, match.Distinct().Count());
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(planted.TransitionMatrix[i, j], fitted.TransitionMatrix[match[i], match[j]], 0.03);

        // Data whose states run the cycle backwards: Viterbi still only takes allowed transitions.
        float[,] reversed = Reverse(sample.Rows);
        double[,] mu = fitted.Means!;
        double[,,] sigma = fitted.Covariances!;
        Func<float[,], Func<int, int, double>> logB = rows => (row, s) =>
        {
            double sum = 0;
            for (int j = 0; j < 2; j++)
            {
                double v = sigma[s, j, j];
                double z = rows[row, j] - mu[s, j];
                sum += -0.5 * (Math.Log(2 * Math.PI * v) + z * z / v);
            }
            return sum;
        };
        AssertPathsRespect(fitted, sample.Rows, sample.Lengths, mask, logB(sample.Rows));
        AssertPathsRespect(fitted, reversed, sample.Lengths, mask, logB(reversed));
        HmmPath path = fitted.Decode(sample.Rows, sample.Lengths);
        Assert.True(path.SequenceLogProbabilities[0] >= HmmTestModels.PathLogProbability(
            fitted.StartProbabilities, fitted.TransitionMatrix, [.. sample.States.Select(s => match[s])], 0, 1500, logB(sample.Rows)) - 1e-9);
    }

    [Fact]
    public void LeftRightModelSavesAndLoadsItsTopology()
    {
        HmmSample sample = LeftRightPoisson(1).Sample(Enumerable.Repeat(40, 10).ToArray(), seed: 36);
        var options = new HiddenMarkovOptions(4)
        {
            Emission = HmmEmission.Poisson,
            Topology = HmmTopology.LeftRight,
            MaxJump = 1,
            Backend = Backend.Reference,
            MaxIterations = 20,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);
        using var stream = new MemoryStream();
        fitted.Save(stream);
        stream.Position = 0;
        HiddenMarkovModel loaded = HiddenMarkovModel.Load(stream);
        Assert.Equal(fitted.AllowedTransitions, loaded.AllowedTransitions);
        Assert.Equal(fitted.FreeParameterCount, loaded.FreeParameterCount);
        Assert.Equal(0 + 3 + 4, loaded.FreeParameterCount);
        Assert.Equal(fitted.TransitionMatrix, loaded.TransitionMatrix);
        Assert.Equal(fitted.Bic(sample.Rows, sample.Lengths), loaded.Bic(sample.Rows, sample.Lengths));
        Assert.Equal(fitted.Decode(sample.Rows, sample.Lengths).States, loaded.Decode(sample.Rows, sample.Lengths).States);

        // A warm start from the loaded model keeps the zeros.
        HiddenMarkovModel resumed = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options with { InitialModel = loaded });
        AssertRespectsMask(resumed.TransitionMatrix, LeftRightMask(4, 1));
    }

    [Fact]
    public void KnownStateThatTheTopologyForbidsIsAClearError()
    {
        // Left-right sequences start in state 0; a label of state 1 at a sequence's first step cannot happen.
        HmmSample sample = LeftRightPoisson(1).Sample([30, 30], seed: 37);
        int[] labels = Enumerable.Repeat(-1, 60).ToArray();
        labels[30] = 1;
        var options = new HiddenMarkovOptions(4) { Emission = HmmEmission.Poisson, Topology = HmmTopology.LeftRight, Backend = Backend.Reference };
        InvalidOperationException ex = Assert.Throws<InvalidOperationException>(() => HiddenMarkov.Fit(sample.Rows, sample.Lengths, options, labels));
        Assert.Contains("Sequence 1 (zero-based) has probability 0 at step 0", ex.Message);
        Assert.Equal(1, labels[30]);
    }

    [Fact]
    public void WarmStartFromAFullModelIsMaskedAndRenormalized()
    {
        HiddenMarkovModel planted = HmmTestModels.ThreePoisson();
        HmmSample sample = planted.Sample([800], seed: 33);
        bool[,] mask = { { true, true, true }, { false, true, true }, { false, false, true } };
        var options = new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Poisson,
            AllowedTransitions = mask,
            InitialModel = planted,
            Backend = Backend.Reference,
            MaxIterations = 0,
        };
        HiddenMarkovModel start = HiddenMarkov.Fit(sample.Rows, null, options);
        double[,] a = planted.TransitionMatrix;
        for (int i = 0; i < 3; i++)
        {
            double kept = Enumerable.Range(i, 3 - i).Sum(j => a[i, j]);
            for (int j = 0; j < 3; j++)
                Assert.Equal(mask[i, j] ? a[i, j] / kept : 0, start.TransitionMatrix[i, j], 1e-15);
        }
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, null, options with { MaxIterations = 50 });
        AssertRespectsMask(fitted.TransitionMatrix, mask);
        Assert.Equal(start.Objective, fitted.ObjectiveHistory[0]);
        EmLaws.NeverDecreases(fitted.ObjectiveHistory, 1e-12, "masked warm start", 1e-12);
    }

    [Fact]
    public void WarmStartWithNoAllowedMassIsRefused()
    {
        // Row 0 of the start model puts all its mass on transitions the mask forbids.
        HiddenMarkovModel start = HmmTestModels.Model(
            [0.5, 0.5], [0, 1, 0.5, 0.5], new PoissonEmissions(2, 1, [1, 6]));
        float[,] rows = start.Sample([100], seed: 34).Rows;
        var options = new HiddenMarkovOptions(2)
        {
            Emission = HmmEmission.Poisson,
            AllowedTransitions = new[,] { { true, false }, { true, true } },
            InitialModel = start,
            Backend = Backend.Reference,
        };
        ArgumentException ex = Assert.Throws<ArgumentException>(() => HiddenMarkov.Fit(rows, null, options));
        Assert.Contains("transition row 0 put no probability on an allowed entry", ex.Message);
    }

    [Fact]
    public void ViterbiTiesGoToTheLowerState()
    {
        // Two identical states: every path is equally likely, and the documented tie rule picks state 0 throughout.
        HiddenMarkovModel model = HmmTestModels.Model([0.5, 0.5], [0.5, 0.5, 0.5, 0.5], new PoissonEmissions(2, 1, [3, 3]));
        float[,] rows = model.Sample([25, 5], seed: 38).Rows;
        HmmPath path = model.Decode(rows, [25, 5]);
        Assert.All(path.States, s => Assert.Equal(0, s));
        Assert.Equal(path.SequenceLogProbabilities.Sum(), path.LogProbability, 1e-12);
    }

    [Fact]
    public void LeftRightSampleNeverMovesBackwards()
    {
        HiddenMarkovModel model = LeftRightPoisson(1);
        HmmSample sample = model.Sample([200, 1, 50, 300], seed: 35);
        int[] starts = HmmTestModels.Starts(sample.Lengths);
        for (int s = 0; s < sample.Lengths.Count; s++)
        {
            Assert.Equal(0, sample.States[starts[s]]);
            for (int t = starts[s] + 1; t < starts[s] + sample.Lengths[s]; t++)
            {
                int jump = sample.States[t] - sample.States[t - 1];
                Assert.InRange(jump, 0, 1);
            }
        }
    }

    // Four left-right states of one Poisson column with increasing rates.
    private static HiddenMarkovModel LeftRightPoisson(int? maxJump)
    {
        const int k = 4;
        bool[,] mask = LeftRightMask(k, maxJump);
        var a = new double[k * k];
        for (int i = 0; i < k; i++)
        {
            int allowed = Enumerable.Range(0, k).Count(j => mask[i, j]);
            for (int j = 0; j < k; j++)
                if (mask[i, j])
                    a[i * k + j] = allowed == 1 ? 1 : i == j ? 0.9 : 0.1 / (allowed - 1);
        }
        return HmmTestModels.Model([1, 0, 0, 0], a, new PoissonEmissions(k, 1, [1, 6, 15, 30]), [.. mask.Cast<bool>()]);
    }

    private static bool[,] LeftRightMask(int k, int? maxJump)
    {
        var mask = new bool[k, k];
        for (int i = 0; i < k; i++)
            for (int j = i; j < k; j++)
                mask[i, j] = maxJump is null || j - i <= maxJump;
        return mask;
    }

    private static void AssertRespectsMask(double[,] a, bool[,] mask)
    {
        int k = mask.GetLength(0);
        for (int i = 0; i < k; i++)
        {
            double sum = 0;
            for (int j = 0; j < k; j++)
            {
                if (!mask[i, j])
                    Assert.True(a[i, j] == 0, $"forbidden A[{i}, {j}] = {a[i, j]:R}");
                else
                    Assert.InRange(a[i, j], 0, 1);
                sum += a[i, j];
            }
            Assert.Equal(1, sum, 1e-12);
        }
    }

    // Viterbi paths start where π > 0, take only allowed transitions, and their reported
    // log-probability is log p(x, path) recomputed from the model.
    private static void AssertPathsRespect(
        HiddenMarkovModel model, float[,] rows, IReadOnlyList<int> lengths, bool[,] mask, Func<int, int, double> logB)
    {
        HmmPath path = model.Decode(rows, lengths);
        Assert.Equal(rows.GetLength(0), path.States.Count);
        double[] pi = model.StartProbabilities;
        double[,] a = model.TransitionMatrix;
        int[] starts = HmmTestModels.Starts(lengths);
        for (int s = 0; s < lengths.Count; s++)
        {
            int first = starts[s];
            Assert.True(pi[path.States[first]] > 0, $"sequence {s} starts in state {path.States[first]}, π = 0");
            for (int t = first + 1; t < first + lengths[s]; t++)
                Assert.True(mask[path.States[t - 1], path.States[t]], $"forbidden transition {path.States[t - 1]} → {path.States[t]} at row {t}");
            double expected = HmmTestModels.PathLogProbability(pi, a, path.States, first, lengths[s], (t, k) => logB(first + t, k));
            Assert.True(double.IsFinite(expected));
            Assert.Equal(expected, path.SequenceLogProbabilities[s], 1e-9 * Math.Max(1, Math.Abs(expected)));
        }
    }

    // The rows in reverse order (each sequence's steps reversed when the lengths are equal).
    private static float[,] Reverse(float[,] rows)
    {
        int n = rows.GetLength(0);
        int d = rows.GetLength(1);
        var result = new float[n, d];
        for (int t = 0; t < n; t++)
            for (int j = 0; j < d; j++)
                result[t, j] = rows[n - 1 - t, j];
        return result;
    }
}
