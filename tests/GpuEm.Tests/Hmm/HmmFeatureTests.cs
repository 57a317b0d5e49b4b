using GpuEm.Data;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.HiddenMarkov;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Hmm;

/// <summary>
/// The HMM's features beyond plain Baum-Welch: partially known states, fixed blocks, warm
/// start, Dirichlet priors, missing observations, sampling, BIC/AIC and GMM emissions.
/// </summary>
public sealed class HmmFeatureTests
{
    [Fact]
    public void KnownStatesGetOneHotPosteriorsAndTheDecodedPathPassesThroughThem()
    {
        HiddenMarkovModel planted = HmmTestModels.ThreeCategorical();
        HmmSample sample = planted.Sample([600, 400], seed: 41);
        int[] labels = Enumerable.Range(0, 1000).Select(t => t % 7 == 3 ? sample.States[t] : -1).ToArray();
        // Label a few steps with a state other than the true one: the labels must still win.
        labels[10] = (sample.States[10] + 1) % 3;
        labels[700] = (sample.States[700] + 2) % 3;
        int[] copy = (int[])labels.Clone();
        HmmData data = HmmData.Create(
            SequenceData.From(DataMatrix.From(sample.Rows, null, MissingValues.Error), sample.Lengths),
            HmmEmission.Categorical, 4, labels, 3);
        var engine = new ReferenceHmmEngine(data);

        (double[] gamma, double[] logLikelihoods) = engine.Posteriors(planted.Parameters);
        (int[] path, double[] pathLogProbabilities) = engine.Decode(planted.Parameters);
        for (int t = 0; t < 1000; t++)
        {
            Assert.Equal(1, gamma[t * 3] + gamma[t * 3 + 1] + gamma[t * 3 + 2], 1e-12);
            if (labels[t] < 0)
                continue;
            for (int k = 0; k < 3; k++)
                Assert.Equal(k == labels[t] ? 1.0 : 0.0, gamma[t * 3 + k]);
            Assert.Equal(labels[t], path[t]);
        }
        // Knowing states can only lower the probability of the data (it is p(x, known states)).
        double[] free = planted.Score(sample.Rows, sample.Lengths).SequenceLogLikelihoods.ToArray();
        for (int s = 0; s < 2; s++)
        {
            Assert.True(logLikelihoods[s] < free[s]);
            Assert.True(pathLogProbabilities[s] <= logLikelihoods[s] + 1e-9);
        }
        Assert.Equal(copy, labels);
    }

    [Fact]
    public void PartialLabelsAnchorTheStateOrderOfAFit()
    {
        HiddenMarkovModel planted = HmmTestModels.ThreeCategorical();
        HmmSample sample = planted.Sample([1500, 1500], seed: 42);
        int[] labels = Enumerable.Range(0, 3000).Select(t => t % 20 == 0 ? sample.States[t] : -1).ToArray();
        var options = new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Categorical,
            Backend = Backend.Reference,
            Seed = 7,
            Tolerance = 1e-9,
            MaxIterations = 500,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options, labels);
        EmLaws.NeverDecreases(fitted.ObjectiveHistory, 1e-12, "labelled HMM log-likelihood per step", 1e-12);
        // No permutation: the labels name the states.
        for (int k = 0; k < 3; k++)
            for (int s = 0; s < 4; s++)
                Assert.Equal(planted.EmissionProbabilities![k, s], fitted.EmissionProbabilities![k, s], 0.05);
        // The reported log-likelihood is that of the data and the known states, below the unlabelled score.
        Assert.True(fitted.LogLikelihood < fitted.Score(sample.Rows, sample.Lengths).LogLikelihood);
    }

    [Fact]
    public void FullyLabelledFitIsTheSupervisedCountEstimate()
    {
        HiddenMarkovModel planted = HmmTestModels.ThreeCategorical();
        int[] lengths = [300, 200, 250, 250];
        HmmSample sample = planted.Sample(lengths, seed: 43);
        var starts = new double[3];
        var transitions = new double[3, 3];
        var emissions = new double[3, 4];
        int[] first = HmmTestModels.Starts(lengths);
        for (int s = 0; s < lengths.Length; s++)
        {
            starts[sample.States[first[s]]]++;
            for (int t = first[s]; t < first[s] + lengths[s]; t++)
            {
                emissions[sample.States[t], (int)sample.Rows[t, 0]]++;
                if (t > first[s])
                    transitions[sample.States[t - 1], sample.States[t]]++;
            }
        }
        var options = new HiddenMarkovOptions(3) { Emission = HmmEmission.Categorical, Backend = Backend.Reference, Symbols = 4 };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, lengths, options, sample.States);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(starts[i] / lengths.Length, fitted.StartProbabilities[i], 1e-12);
            double leaving = Enumerable.Range(0, 3).Sum(j => transitions[i, j]);
            double emitted = Enumerable.Range(0, 4).Sum(s => emissions[i, s]);
            for (int j = 0; j < 3; j++)
                Assert.Equal(transitions[i, j] / leaving, fitted.TransitionMatrix[i, j], 1e-12);
            for (int s = 0; s < 4; s++)
                Assert.Equal(emissions[i, s] / emitted, fitted.EmissionProbabilities![i, s], 1e-12);
        }
        Assert.True(fitted.Converged);
        Assert.True(fitted.Iterations <= 2);
        HmmPath path = fitted.Decode(sample.Rows, lengths);
        Assert.Equal(1000, path.States.Count);
    }

    [Theory]
    [InlineData(HmmParts.Start)]
    [InlineData(HmmParts.Transitions)]
    [InlineData(HmmParts.Emissions)]
    [InlineData(HmmParts.Start | HmmParts.Emissions)]
    [InlineData(HmmParts.All)]
    public void FixedBlocksOfTheInitialModelStayBitIdentical(HmmParts parts)
    {
        // π, the rows of A and the emission rows each sum to exactly 1 in floating point.
        HiddenMarkovModel initial = HmmTestModels.Model(
            [0.5, 0.25, 0.25], [0.5, 0.25, 0.25, 0.125, 0.75, 0.125, 0.25, 0.25, 0.5],
            new CategoricalEmissions(3, 4, [0.5, 0.25, 0.125, 0.125, 0.125, 0.125, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25]));
        HmmSample sample = HmmTestModels.ThreeCategorical().Sample([500, 500], seed: 44);
        var options = new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Categorical,
            Symbols = 4,
            Backend = Backend.Reference,
            InitialModel = initial,
            Fixed = parts,
            MaxIterations = 20,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);
        AssertFixed(initial, fitted, parts);
        EmLaws.NeverDecreases(fitted.ObjectiveHistory, 1e-12, "HMM with fixed blocks", 1e-12);
    }

    [Theory]
    [InlineData(HmmParts.Start)]
    [InlineData(HmmParts.Transitions | HmmParts.Emissions)]
    public void FixedBlocksOfAFittedInitialModelStayBitIdentical(HmmParts parts)
    {
        // A fitted model's π and rows of A come from an M-step and need not sum to exactly 1 in
        // floating point; a fixed block must still come back as it was given.
        HmmSample sample = HmmTestModels.ThreeCategorical().Sample([500, 500], seed: 45);
        var options = new HiddenMarkovOptions(3) { Emission = HmmEmission.Categorical, Backend = Backend.Reference, MaxIterations = 7, Tolerance = 0 };
        HiddenMarkovModel initial = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options with { InitialModel = initial, Fixed = parts });
        AssertFixed(initial, fitted, parts);
    }

    [Theory]
    [InlineData(HmmParts.Start)]
    [InlineData(HmmParts.Transitions)]
    public void FixedBlocksThatSumToOneOnlyUpToRoundingStayBitIdentical(HmmParts parts)
    {
        // 0.6 + 0.3 + 0.1 and 0.2 + 0.7 + 0.1 are 0.9999999999999999 in floating point, as a fitted
        // or loaded model's rows may be (files accept sums within 1e-9): a fixed block with nothing
        // masked out must not be renormalized by an ulp.
        HiddenMarkovModel initial = HmmTestModels.Model(
            [0.6, 0.3, 0.1], [0.2, 0.7, 0.1, 0.6, 0.3, 0.1, 0.1, 0.1, 0.8],
            new CategoricalEmissions(3, 4, [0.5, 0.25, 0.125, 0.125, 0.125, 0.125, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25]));
        Assert.NotEqual(1.0, initial.StartProbabilities.Sum());
        HmmSample sample = HmmTestModels.ThreeCategorical().Sample([500, 500], seed: 62);
        var options = new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Categorical,
            Symbols = 4,
            Backend = Backend.Reference,
            InitialModel = initial,
            Fixed = parts,
            MaxIterations = 10,
        };
        AssertFixed(initial, HiddenMarkov.Fit(sample.Rows, sample.Lengths, options), parts);
    }

    [Fact]
    public void FixedBlocksWithoutAnInitialModelKeepTheSeededStart()
    {
        HmmSample sample = HmmTestModels.ThreePoisson().Sample([700], seed: 46);
        var options = new HiddenMarkovOptions(3) { Emission = HmmEmission.Poisson, Backend = Backend.Reference, Seed = 9, MaxIterations = 15 };
        HiddenMarkovModel start = HiddenMarkov.Fit(sample.Rows, null, options with { MaxIterations = 0 });
        HiddenMarkovModel emissionsFixed = HiddenMarkov.Fit(sample.Rows, null, options with { Fixed = HmmParts.Emissions });
        Assert.Equal(start.Rates, emissionsFixed.Rates);
        Assert.NotEqual(start.TransitionMatrix, emissionsFixed.TransitionMatrix);

        HiddenMarkovModel chainFixed = HiddenMarkov.Fit(sample.Rows, null, options with { Fixed = HmmParts.Start | HmmParts.Transitions });
        // The seeded start of π and A is uniform over the allowed entries.
        Assert.All(chainFixed.StartProbabilities, p => Assert.Equal(1.0 / 3, p));
        Assert.All(chainFixed.TransitionMatrix.Cast<double>(), p => Assert.Equal(1.0 / 3, p));
        Assert.NotEqual(start.Rates, chainFixed.Rates);
    }

    [Fact]
    public void WarmStartContinuesWhereTheFirstFitStopped()
    {
        HmmSample sample = HmmTestModels.ThreePoisson().Sample([900, 600], seed: 47);
        var options = new HiddenMarkovOptions(3) { Emission = HmmEmission.Poisson, Backend = Backend.Reference, Seed = 3, Tolerance = 0 };
        HiddenMarkovModel ten = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options with { MaxIterations = 10 });
        HiddenMarkovModel five = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options with { MaxIterations = 5 });
        HiddenMarkovModel resumed = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options with { MaxIterations = 5, InitialModel = five });

        Assert.Equal(6, resumed.ObjectiveHistory.Count);
        for (int i = 0; i <= 5; i++)
            Assert.Equal(ten.ObjectiveHistory[5 + i], resumed.ObjectiveHistory[i], 1e-12 * Math.Abs(ten.ObjectiveHistory[5 + i]));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(ten.StartProbabilities[i], resumed.StartProbabilities[i], 1e-9);
            for (int j = 0; j < 3; j++)
                Assert.Equal(ten.TransitionMatrix[i, j], resumed.TransitionMatrix[i, j], 1e-9);
            for (int j = 0; j < 2; j++)
                Assert.Equal(ten.Rates![i, j], resumed.Rates![i, j], 1e-9 * ten.Rates[i, j]);
        }
        // Restarts from an initial model all start there: the same model whatever the seed.
        HiddenMarkovModel other = HiddenMarkov.Fit(
            sample.Rows, sample.Lengths, options with { MaxIterations = 5, InitialModel = five, Seed = 99, Restarts = 2 });
        Assert.Equal(resumed.ObjectiveHistory, other.ObjectiveHistory);
    }

    [Fact]
    public void DirichletPriorsGiveANeverVisitedStateTheirPseudoCounts()
    {
        // Data from two states, a three-state model, every step labelled 0 or 1: state 2 is never visited.
        HiddenMarkovModel two = HmmTestModels.Model(
            [0.7, 0.3], [0.9, 0.1, 0.2, 0.8], new CategoricalEmissions(2, 3, [0.7, 0.2, 0.1, 0.1, 0.3, 0.6]));
        int[] lengths = [200, 150, 150];
        HmmSample sample = two.Sample(lengths, seed: 48);
        var options = new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Categorical,
            Backend = Backend.Reference,
            Symbols = 3,
            StartConcentration = 2,
            TransitionConcentration = 3,
            EmissionConcentration = 1.5,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, lengths, options, sample.States);
        AssertNoNaN(fitted);

        int[] first = HmmTestModels.Starts(lengths);
        var starts = new double[3];
        var transitions = new double[3, 3];
        foreach (int s in Enumerable.Range(0, 3))
        {
            starts[sample.States[first[s]]]++;
            for (int t = first[s] + 1; t < first[s] + lengths[s]; t++)
                transitions[sample.States[t - 1], sample.States[t]]++;
        }
        for (int i = 0; i < 3; i++)
        {
            // π_i = (count + α − 1) / (sequences + K (α − 1)); row i of A likewise with α = 3.
            Assert.Equal((starts[i] + 1) / (3 + 3), fitted.StartProbabilities[i], 1e-12);
            double leaving = Enumerable.Range(0, 3).Sum(j => transitions[i, j]);
            for (int j = 0; j < 3; j++)
                Assert.Equal((transitions[i, j] + 2) / (leaving + 6), fitted.TransitionMatrix[i, j], 1e-12);
        }
        // The unvisited state's emission row is the prior's mode: uniform.
        for (int s = 0; s < 3; s++)
            Assert.Equal(1.0 / 3, fitted.EmissionProbabilities![2, s], 1e-12);
        Assert.True(fitted.StartProbabilities[2] > 0);
        Assert.True(double.IsFinite(fitted.Score(sample.Rows, lengths).LogLikelihood));
    }

    [Fact]
    public void NeverVisitedStateWithoutPriorStaysFinite()
    {
        HiddenMarkovModel two = HmmTestModels.Model(
            [0.7, 0.3], [0.9, 0.1, 0.2, 0.8], new CategoricalEmissions(2, 3, [0.7, 0.2, 0.1, 0.1, 0.3, 0.6]));
        HmmSample sample = two.Sample([300, 200], seed: 49);
        var options = new HiddenMarkovOptions(3) { Emission = HmmEmission.Categorical, Backend = Backend.Reference, Symbols = 3 };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options, sample.States);
        AssertNoNaN(fitted);
        // No pseudo-counts: π and the column of A into state 2 are 0, its own row keeps its start
        // (categorical emissions start A sticky: 0.8 on staying, the rest spread evenly).
        Assert.Equal(0.0, fitted.StartProbabilities[2]);
        for (int i = 0; i < 2; i++)
            Assert.Equal(0.0, fitted.TransitionMatrix[i, 2]);
        for (int j = 0; j < 3; j++)
            Assert.Equal(j == 2 ? 0.8 : (1 - 0.8) / 2, fitted.TransitionMatrix[2, j]);
    }

    [Fact]
    public void PriorFromAnUnreachableStartStaysFiniteAndNeverDecreases()
    {
        // The initial model cannot reach state 2 (π_2 = 0, no transition into it), so its log prior is −∞ at the start.
        HiddenMarkovModel initial = HmmTestModels.Model(
            [0.5, 0.5, 0], [0.8, 0.2, 0, 0.3, 0.7, 0, 0.3, 0.3, 0.4],
            new CategoricalEmissions(3, 3, [0.6, 0.3, 0.1, 0.1, 0.3, 0.6, 0.3, 0.4, 0.3]));
        HmmSample sample = initial.Sample([400, 300], seed: 50);
        var options = new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Categorical,
            Backend = Backend.Reference,
            InitialModel = initial,
            Symbols = 3,
            StartConcentration = 2,
            TransitionConcentration = 2,
            MaxIterations = 30,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);
        AssertNoNaN(fitted);
        Assert.All(fitted.ObjectiveHistory, v => Assert.False(double.IsNaN(v)));
        Assert.True(double.IsFinite(fitted.Objective));
        EmLaws.NeverDecreases(fitted.ObjectiveHistory.Skip(1).ToArray(), 1e-12, "HMM with Dirichlet priors", 1e-12);
        Assert.All(fitted.StartProbabilities, p => Assert.True(p > 0));
        Assert.All(fitted.TransitionMatrix.Cast<double>(), p => Assert.True(p > 0));
    }

    // A warm start with a zero on an allowed start and a concentration > 1 has log prior −∞, so its
    // ObjectiveHistory[0] is −∞: the file stores it as null (Save threw from Utf8JsonWriter before).
    [Fact]
    public void ModelFittedFromAnUnreachableStartWithAPriorSavesAndLoads()
    {
        HiddenMarkovModel initial = HmmTestModels.Model(
            [0.5, 0.5, 0], [0.8, 0.2, 0, 0.3, 0.7, 0, 0.3, 0.3, 0.4],
            new CategoricalEmissions(3, 3, [0.6, 0.3, 0.1, 0.1, 0.3, 0.6, 0.3, 0.4, 0.3]));
        HmmSample sample = initial.Sample([400, 300], seed: 50);
        var options = new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Categorical,
            Backend = Backend.Reference,
            InitialModel = initial,
            Symbols = 3,
            StartConcentration = 2,
            MaxIterations = 30,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);
        using var stream = new MemoryStream();
        fitted.Save(stream);
        stream.Position = 0;
        HiddenMarkovModel loaded = HiddenMarkovModel.Load(stream);
        Assert.Equal(fitted.TransitionMatrix, loaded.TransitionMatrix);
        Assert.Equal(fitted.Iterations, loaded.Iterations);
        Assert.True(double.IsNegativeInfinity(fitted.ObjectiveHistory[0]));
        Assert.Equal(fitted.ObjectiveHistory, loaded.ObjectiveHistory);
    }

    [Theory]
    [InlineData(HmmParts.Start)]
    [InlineData(HmmParts.Transitions)]
    [InlineData(HmmParts.Emissions)]
    public void FixedBlockWithAZeroAndItsPriorStillConverges(HmmParts part)
    {
        // The fixed block holds a zero on an allowed entry; its prior is a constant of the fit and
        // must not make the objective −∞ (a change of −∞ − (−∞) = NaN never converges).
        // Only the fixed block has the zero (the values sum to exactly 1 in floating point).
        HiddenMarkovModel initial = HmmTestModels.Model(
            part == HmmParts.Start ? [0.5, 0.5, 0] : [0.5, 0.25, 0.25],
            [.. part == HmmParts.Transitions ? [0.75, 0.25, 0] : new[] { 0.5, 0.25, 0.25 }, 0.25, 0.5, 0.25, 0.25, 0.25, 0.5],
            new CategoricalEmissions(3, 3, [.. part == HmmParts.Emissions ? [0.75, 0.25, 0] : new[] { 0.5, 0.25, 0.25 }, 0.25, 0.25, 0.5, 0.25, 0.5, 0.25]));
        HmmSample sample = initial.Sample([400, 300], seed: 60);
        var options = new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Categorical,
            Backend = Backend.Reference,
            InitialModel = initial,
            Symbols = 3,
            StartConcentration = part == HmmParts.Start ? 2 : 1,
            TransitionConcentration = part == HmmParts.Transitions ? 2 : 1,
            EmissionConcentration = part == HmmParts.Emissions ? 2 : 1,
            Fixed = part,
            MaxIterations = 300,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);
        AssertFixed(initial, fitted, part);
        Assert.All(fitted.ObjectiveHistory, v => Assert.True(double.IsFinite(v), $"objective {v}"));
        Assert.True(fitted.Converged);
        EmLaws.NeverDecreases(fitted.ObjectiveHistory, 1e-12, "HMM with a fixed block and its prior", 1e-12);
    }

    [Theory]
    [InlineData(HmmParts.None)]
    [InlineData(HmmParts.Start)]
    [InlineData(HmmParts.Transitions | HmmParts.Emissions)]
    public void ObjectiveAddsTheLogPriorOfTheFittedBlocks(HmmParts parts)
    {
        HmmSample sample = HmmTestModels.ThreeCategorical().Sample([400, 300, 300], seed: 61);
        var options = new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Categorical,
            Backend = Backend.Reference,
            Seed = 2,
            MaxIterations = 40,
            Fixed = parts,
            StartConcentration = 2,
            TransitionConcentration = 3,
            EmissionConcentration = 1.5,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);
        // LogLikelihood holds no prior term: it is the score.
        Assert.Equal(fitted.Score(sample.Rows, sample.Lengths).LogLikelihood, fitted.LogLikelihood, 1e-9 * Math.Abs(fitted.LogLikelihood));
        double prior = 0;
        if (!parts.HasFlag(HmmParts.Start))
            prior += 1 * fitted.StartProbabilities.Sum(Math.Log);
        if (!parts.HasFlag(HmmParts.Transitions))
            prior += 2 * fitted.TransitionMatrix.Cast<double>().Sum(Math.Log);
        if (!parts.HasFlag(HmmParts.Emissions))
            prior += 0.5 * fitted.EmissionProbabilities!.Cast<double>().Sum(Math.Log);
        Assert.Equal((fitted.LogLikelihood + prior) / 1000, fitted.Objective, 1e-12);
        EmLaws.NeverDecreases(fitted.ObjectiveHistory, 1e-12, "HMM log posterior per step", 1e-12);
    }

    [Fact]
    public void MissingObservationsGiveAFiniteModel()
    {
        HmmSample sample = HmmTestModels.ThreeStates().Sample([1200, 600], seed: 51);
        float[,] rows = (float[,])sample.Rows.Clone();
        var random = new Random(52);
        int empty = 0;
        for (int t = 0; t < 1800; t++)
        {
            double u = random.NextDouble();
            if (u < 0.05)
            {
                rows[t, 0] = rows[t, 1] = float.NaN;
                empty++;
            }
            else if (u < 0.15)
            {
                rows[t, random.Next(2)] = float.NaN;
            }
        }
        float[,] copy = (float[,])rows.Clone();
        var options = new HiddenMarkovOptions(3)
        {
            Covariance = CovarianceType.Full,
            Missing = MissingValues.Marginalize,
            Backend = Backend.Reference,
            Seed = 1,
            Tolerance = 1e-7,
            MaxIterations = 200,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(rows, sample.Lengths, options);
        AssertNoNaN(fitted);
        Assert.True(double.IsFinite(fitted.LogLikelihood));
        Assert.Equal(1800 - empty, fitted.ObservedSteps);
        EmLaws.NeverDecreases(fitted.ObjectiveHistory, 1e-12, "HMM with missing values", 1e-12);
        Assert.Equal(copy.Cast<float>().Select(BitConverter.SingleToInt32Bits), rows.Cast<float>().Select(BitConverter.SingleToInt32Bits));
        HmmScore score = fitted.Score(rows, sample.Lengths);
        Assert.Equal(fitted.LogLikelihood, score.LogLikelihood, 1e-9 * Math.Abs(score.LogLikelihood));
        Assert.Equal(1800 - empty, score.ObservedSteps);
        // The means come back despite the gaps.
        HiddenMarkovModel planted = HmmTestModels.ThreeStates();
        for (int p = 0; p < 3; p++)
            Assert.Contains(Enumerable.Range(0, 3), f =>
                Math.Abs(fitted.Means![f, 0] - planted.Means![p, 0]) < 0.2 && Math.Abs(fitted.Means[f, 1] - planted.Means[p, 1]) < 0.2);
    }

    [Fact]
    public void MissingStepContributesNoEmission()
    {
        HiddenMarkovModel model = HmmTestModels.ThreeStates();
        HmmSample sample = model.Sample([40, 30], seed: 53);
        float[,] rows = (float[,])sample.Rows.Clone();
        int[] gaps = [0, 7, 8, 39, 40, 55];
        foreach (int t in gaps)
            rows[t, 0] = rows[t, 1] = float.NaN;
        rows[20, 1] = float.NaN;
        double[,] mu = model.Means!;
        double[,,] sigma = model.Covariances!;
        Func<int, int, double> logB = (row, k) =>
        {
            double sum = 0;
            for (int j = 0; j < 2; j++)
            {
                if (float.IsNaN(rows[row, j]))
                    continue;
                double v = sigma[k, j, j];
                double z = rows[row, j] - mu[k, j];
                sum += -0.5 * (Math.Log(2 * Math.PI * v) + z * z / v);
            }
            return sum;
        };
        HmmScore score = model.Score(rows, [40, 30]);
        Assert.Equal(70 - gaps.Length, score.ObservedSteps);
        int[] first = [0, 40];
        for (int s = 0; s < 2; s++)
        {
            double expected = HmmTestModels.ForwardLogLikelihood(
                model.StartProbabilities, model.TransitionMatrix, s == 0 ? 40 : 30, (t, k) => logB(first[s] + t, k));
            Assert.Equal(expected, score.SequenceLogLikelihoods[s], 1e-9 * Math.Abs(expected));
        }

        // A missing last step changes nothing: Σ_j A_ij = 1.
        float[,] shorter = new float[39, 2];
        for (int t = 0; t < 39; t++)
            for (int j = 0; j < 2; j++)
                shorter[t, j] = sample.Rows[t, j];
        float[,] padded = new float[40, 2];
        Array.Copy(shorter, padded, 78);
        padded[39, 0] = padded[39, 1] = float.NaN;
        Assert.Equal(model.Score(shorter).LogLikelihood, model.Score(padded).LogLikelihood, 1e-10);

        // A categorical model skips an all-NaN step the same way: p(x0, x2) = Σ π_i b_i(x0) (A²)_ij b_j(x2).
        HiddenMarkovModel categorical = HmmTestModels.ThreeCategorical();
        float[,] three = { { 1 }, { float.NaN }, { 2 } };
        double[] pi = categorical.StartProbabilities;
        double[,] a = categorical.TransitionMatrix;
        double[,] e = categorical.EmissionProbabilities!;
        double p = 0;
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                p += pi[i] * e[i, 1] * Enumerable.Range(0, 3).Sum(m => a[i, m] * a[m, j]) * e[j, 2];
        HmmScore gapped = categorical.Score(three);
        Assert.Equal(Math.Log(p), gapped.LogLikelihood, 1e-12);
        Assert.Equal(2, gapped.ObservedSteps);
        // The posterior at the gap is the prior forecast conditioned on both neighbours; it is a distribution.
        double[,] gamma = categorical.PredictProba(three);
        Assert.Equal(1, gamma[1, 0] + gamma[1, 1] + gamma[1, 2], 1e-12);
    }

    [Fact]
    public void SequenceWithoutObservationsHasThePriorForecastAsPosterior()
    {
        // A sequence of two all-NaN steps: γ_0 = π, γ_1 = π A, and it adds nothing to the score.
        HiddenMarkovModel model = HmmTestModels.ThreePoisson();
        float[,] rows = { { 1, 14 }, { 0, 16 }, { float.NaN, float.NaN }, { float.NaN, float.NaN } };
        double[,] gamma = model.PredictProba(rows, [2, 2]);
        double[] pi = model.StartProbabilities;
        double[,] a = model.TransitionMatrix;
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(pi[k], gamma[2, k], 1e-12);
            Assert.Equal(Enumerable.Range(0, 3).Sum(i => pi[i] * a[i, k]), gamma[3, k], 1e-12);
        }
        HmmScore score = model.Score(rows, [2, 2]);
        Assert.Equal(0.0, score.SequenceLogLikelihoods[1], 1e-12);
        Assert.Equal(2, score.ObservedSteps);
    }

    [Fact]
    public void CategoricalFitWithMissingStepsIsFinite()
    {
        HmmSample sample = HmmTestModels.ThreeCategorical().Sample([800, 400], seed: 54);
        float[,] rows = (float[,])sample.Rows.Clone();
        int empty = 0;
        for (int t = 5; t < 1200; t += 9)
        {
            rows[t, 0] = float.NaN;
            empty++;
        }
        var options = new HiddenMarkovOptions(3)
        {
            Emission = HmmEmission.Categorical,
            Missing = MissingValues.Marginalize,
            Backend = Backend.Reference,
            MaxIterations = 100,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(rows, sample.Lengths, options);
        AssertNoNaN(fitted);
        Assert.Equal(1200 - empty, fitted.ObservedSteps);
        Assert.Equal(4, fitted.Symbols);
        EmLaws.NeverDecreases(fitted.ObjectiveHistory, 1e-12, "categorical HMM with missing steps", 1e-12);
        Assert.Equal(fitted.Objective, fitted.LogLikelihood / (1200 - empty), 1e-12);
    }

    [Fact]
    public void SampleHasTheRequestedLengthsAndRespectsTheModelsZeros()
    {
        // π_0 = 0; 0 → 2 and 1 → 0 impossible; state 0 never emits symbol 3, state 2 never symbol 0.
        HiddenMarkovModel model = HmmTestModels.Model(
            [0, 0.6, 0.4], [0.8, 0.2, 0, 0, 0.7, 0.3, 0.25, 0.25, 0.5],
            new CategoricalEmissions(3, 4, [0.5, 0.3, 0.2, 0, 0.25, 0.25, 0.25, 0.25, 0, 0.1, 0.2, 0.7]));
        int[] lengths = [500, 1, 2, 1000, 37];
        HmmSample sample = model.Sample(lengths, seed: 55);
        Assert.Equal(lengths.Sum(), sample.Rows.GetLength(0));
        Assert.Equal(1, sample.Rows.GetLength(1));
        Assert.Equal(lengths.Sum(), sample.States.Count);
        Assert.Equal(lengths, sample.Lengths);
        double[,] a = model.TransitionMatrix;
        double[,] e = model.EmissionProbabilities!;
        int[] first = HmmTestModels.Starts(lengths);
        var visits = new int[3];
        for (int s = 0; s < lengths.Length; s++)
        {
            Assert.NotEqual(0, sample.States[first[s]]);
            for (int t = first[s]; t < first[s] + lengths[s]; t++)
            {
                int state = sample.States[t];
                visits[state]++;
                float symbol = sample.Rows[t, 0];
                Assert.True(symbol >= 0 && symbol < 4 && symbol == MathF.Floor(symbol));
                Assert.True(e[state, (int)symbol] > 0, $"state {state} emitted symbol {symbol} of probability 0");
                if (t > first[s])
                    Assert.True(a[sample.States[t - 1], state] > 0, $"impossible transition {sample.States[t - 1]} → {state}");
            }
        }
        Assert.All(visits, v => Assert.True(v > 0));

        // The same seed gives the same sample; another seed another.
        HmmSample again = model.Sample(lengths, seed: 55);
        Assert.Equal(sample.Rows, again.Rows);
        Assert.Equal(sample.States, again.States);
        Assert.NotEqual(sample.States, model.Sample(lengths, seed: 56).States);
    }

    [Fact]
    public void SampledEmissionsFollowTheirStates()
    {
        HiddenMarkovModel poisson = HmmTestModels.ThreePoisson();
        HmmSample sample = poisson.Sample([3000], seed: 57);
        var sums = new double[3, 2];
        var counts = new double[3];
        for (int t = 0; t < 3000; t++)
        {
            int k = sample.States[t];
            counts[k]++;
            for (int j = 0; j < 2; j++)
            {
                Assert.True(sample.Rows[t, j] >= 0 && sample.Rows[t, j] == MathF.Floor(sample.Rows[t, j]));
                sums[k, j] += sample.Rows[t, j];
            }
        }
        for (int k = 0; k < 3; k++)
            for (int j = 0; j < 2; j++)
            {
                double rate = poisson.Rates![k, j];
                // Within 5 standard errors of the rate.
                Assert.Equal(rate, sums[k, j] / counts[k], 5 * Math.Sqrt(rate / counts[k]));
            }
    }

    public static TheoryData<string, long> ParameterCounts => new()
    {
        // π: K − 1; A: K (K − 1); symbols: K (M − 1).
        { "categorical", 2 + 6 + 3 * 3 },
        // Left-right K = 4, MaxJump 1: π fixed (0), rows 1 + 1 + 1 + 0; rates K·d.
        { "poisson-left-right", 0 + 3 + 4 * 2 },
        // Diagonal: K·d means + K·d variances.
        { "gaussian-diagonal", 2 + 6 + 6 + 6 },
        // Full: K·d (d + 1) / 2 covariance entries.
        { "gaussian-full", 2 + 6 + 6 + 9 },
        // Tied: one covariance d (d + 1) / 2.
        { "gaussian-tied", 2 + 6 + 6 + 3 },
        // Spherical: one variance per state.
        { "gaussian-spherical", 2 + 6 + 6 + 3 },
        // GMM-HMM K = 3, M = 2, diagonal: K (M − 1) weights, K·M·d means and variances.
        { "gmm-diagonal", 2 + 6 + 3 + 12 + 12 },
    };

    [Theory]
    [MemberData(nameof(ParameterCounts))]
    public void BicAndAicUseTheFreeParameterCount(string kind, long parameters)
    {
        (float[,] rows, int[] lengths, HiddenMarkovOptions options) = kind switch
        {
            "categorical" => Data(HmmTestModels.ThreeCategorical(), new HiddenMarkovOptions(3) { Emission = HmmEmission.Categorical }),
            "poisson-left-right" => Data(HmmTestModels.ThreePoisson(), new HiddenMarkovOptions(4)
            {
                Emission = HmmEmission.Poisson,
                Topology = HmmTopology.LeftRight,
                MaxJump = 1,
            }),
            "gaussian-diagonal" => Data(HmmTestModels.ThreeStates(), new HiddenMarkovOptions(3)),
            "gaussian-full" => Data(HmmTestModels.ThreeStates(), new HiddenMarkovOptions(3) { Covariance = CovarianceType.Full }),
            "gaussian-tied" => Data(HmmTestModels.ThreeStates(), new HiddenMarkovOptions(3) { Covariance = CovarianceType.Tied }),
            "gaussian-spherical" => Data(HmmTestModels.ThreeStates(), new HiddenMarkovOptions(3) { Covariance = CovarianceType.Spherical }),
            _ => Data(HmmTestModels.ThreeStates(), new HiddenMarkovOptions(3) { Emission = HmmEmission.GaussianMixture, MixtureComponents = 2 }),
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(rows, lengths, options with { Backend = Backend.Reference, MaxIterations = 10 });
        Assert.Equal(parameters, fitted.FreeParameterCount);

        // Score on rows with a few missing steps: n is the observed steps.
        float[,] gapped = (float[,])rows.Clone();
        for (int j = 0; j < gapped.GetLength(1); j++)
        {
            gapped[3, j] = float.NaN;
            gapped[50, j] = float.NaN;
        }
        foreach (float[,] data in new[] { rows, gapped })
        {
            HmmScore score = fitted.Score(data, lengths);
            double logLikelihood = score.LogLikelihood;
            long n = data == rows ? rows.GetLength(0) : rows.GetLength(0) - 2;
            Assert.Equal(n, score.ObservedSteps);
            Assert.Equal(-2 * logLikelihood + parameters * Math.Log(n), fitted.Bic(data, lengths), 1e-9 * Math.Abs(logLikelihood));
            Assert.Equal(-2 * logLikelihood + 2 * parameters, fitted.Aic(data, lengths), 1e-9 * Math.Abs(logLikelihood));
        }
        Assert.Equal(fitted.LogLikelihood, fitted.Score(rows, lengths).LogLikelihood, 1e-9 * Math.Abs(fitted.LogLikelihood));

        static (float[,], int[], HiddenMarkovOptions) Data(HiddenMarkovModel planted, HiddenMarkovOptions options)
        {
            int[] lengths = [300, 200];
            return (planted.Sample(lengths, seed: 58).Rows, lengths, options);
        }
    }

    [Fact]
    public void GaussianMixtureEmissionsFitFiniteAndNeverDecrease()
    {
        // Two states, each a mixture of two diagonal Gaussians.
        HiddenMarkovModel planted = HmmTestModels.Model(
            [0.5, 0.5], [0.9, 0.1, 0.15, 0.85],
            HmmTestModels.Gaussian(CovarianceType.Diagonal, [-4, 0, -4, 5, 4, 0, 4, -5], [1, 1, 0.5, 0.5, 1, 1, 0.7, 0.7], 2, 2, 2, [0.7, 0.3, 0.4, 0.6]));
        HmmSample sample = planted.Sample([1500, 500], seed: 59);
        var options = new HiddenMarkovOptions(2)
        {
            Emission = HmmEmission.GaussianMixture,
            MixtureComponents = 2,
            Backend = Backend.Reference,
            Seed = 2,
            Tolerance = 1e-7,
            MaxIterations = 200,
        };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);
        AssertNoNaN(fitted);
        EmLaws.NeverDecreases(fitted.ObjectiveHistory, 1e-12, "GMM-HMM log-likelihood per step", 1e-12);
        Assert.Equal(HmmEmission.GaussianMixture, fitted.Emission);
        Assert.Equal(2, fitted.MixtureComponents);
        double[,] w = fitted.MixtureWeights!;
        for (int k = 0; k < 2; k++)
        {
            Assert.Equal(1, w[k, 0] + w[k, 1], 1e-12);
            Assert.True(w[k, 0] > 0 && w[k, 1] > 0, $"weights {w[k, 0]}, {w[k, 1]}");
        }
        Assert.Equal(4, fitted.Means!.GetLength(0));

        // The score is the forward recursion over log Σ_m w_km N(x | μ_km, Σ_km).
        double[,] mu = fitted.Means!;
        double[,,] sigma = fitted.Covariances!;
        Func<int, int, double> logB = (row, k) => HmmTestModels.LogSumExp(Enumerable.Range(0, 2).Select(m =>
        {
            int c = k * 2 + m;
            double sum = Math.Log(w[k, m]);
            for (int j = 0; j < 2; j++)
            {
                double v = sigma[c, j, j];
                double z = sample.Rows[row, j] - mu[c, j];
                sum += -0.5 * (Math.Log(2 * Math.PI * v) + z * z / v);
            }
            return sum;
        }).ToArray());
        HmmScore score = fitted.Score(sample.Rows, sample.Lengths);
        int[] first = HmmTestModels.Starts(sample.Lengths);
        for (int s = 0; s < 2; s++)
        {
            double expected = HmmTestModels.ForwardLogLikelihood(
                fitted.StartProbabilities, fitted.TransitionMatrix, sample.Lengths[s], (t, k) => logB(first[s] + t, k));
            Assert.Equal(expected, score.SequenceLogLikelihoods[s], 1e-9 * Math.Abs(expected));
        }
        Assert.Equal(fitted.LogLikelihood, score.LogLikelihood, 1e-9 * Math.Abs(score.LogLikelihood));
        // Started from the planted model, EM can only improve on it.
        double plantedScore = planted.Score(sample.Rows, sample.Lengths).LogLikelihood;
        HiddenMarkovModel warm = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options with { InitialModel = planted });
        Assert.Equal(plantedScore / 2000, warm.ObjectiveHistory[0], 1e-12);
        Assert.True(warm.LogLikelihood >= plantedScore, $"warm {warm.LogLikelihood:R} < planted {plantedScore:R}");
        EmLaws.NeverDecreases(warm.ObjectiveHistory, 1e-12, "warm GMM-HMM log-likelihood per step", 1e-12);
        for (int k = 0; k < 2; k++)
            for (int m = 0; m < 2; m++)
                Assert.Equal(planted.MixtureWeights![k, m], warm.MixtureWeights![k, m], 0.05);
    }

    private static void AssertFixed(HiddenMarkovModel initial, HiddenMarkovModel fitted, HmmParts parts)
    {
        if (parts.HasFlag(HmmParts.Start))
            Assert.Equal(Bits(initial.StartProbabilities), Bits(fitted.StartProbabilities));
        else
            Assert.NotEqual(initial.StartProbabilities, fitted.StartProbabilities);
        if (parts.HasFlag(HmmParts.Transitions))
            Assert.Equal(Bits(initial.TransitionMatrix.Cast<double>()), Bits(fitted.TransitionMatrix.Cast<double>()));
        else
            Assert.NotEqual(initial.TransitionMatrix, fitted.TransitionMatrix);
        if (parts.HasFlag(HmmParts.Emissions))
            Assert.Equal(Bits(initial.EmissionProbabilities!.Cast<double>()), Bits(fitted.EmissionProbabilities!.Cast<double>()));
        else
            Assert.NotEqual(initial.EmissionProbabilities, fitted.EmissionProbabilities);

        static long[] Bits(IEnumerable<double> values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();
    }

    // Every parameter of the model is a number (−∞ logs are allowed, NaN nowhere).
    private static void AssertNoNaN(HiddenMarkovModel model)
    {
        IEnumerable<double> values = model.StartProbabilities.Concat(model.TransitionMatrix.Cast<double>())
            .Concat(model.EmissionProbabilities?.Cast<double>() ?? [])
            .Concat(model.Rates?.Cast<double>() ?? [])
            .Concat(model.Means?.Cast<double>() ?? [])
            .Concat(model.Covariances?.Cast<double>() ?? [])
            .Concat(model.MixtureWeights?.Cast<double>() ?? []);
        Assert.All(values, v => Assert.True(double.IsFinite(v), $"parameter {v}"));
        Assert.False(double.IsNaN(model.LogLikelihood));
        Assert.False(double.IsNaN(model.Objective));
    }
}
