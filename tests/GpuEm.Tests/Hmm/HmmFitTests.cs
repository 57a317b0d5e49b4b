using GpuEm.Models.GaussianMixture;
using GpuEm.Models.HiddenMarkov;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Hmm;

/// <summary>
/// Baum-Welch's laws on the reference engine: the log-likelihood never decreases, planted
/// parameters are recovered from long samples, the reported log-likelihood is the model's score,
/// one state is a single Gaussian fit, and fixed rows of A make it the mixture code's fit.
/// </summary>
public sealed class HmmFitTests
{
    [Theory]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void RecoversPlantedGaussianModelAndNeverDecreases(CovarianceType type)
    {
        HiddenMarkovModel planted = HmmTestModels.ThreeStates();
        HmmSample sample = planted.Sample([3000, 2000, 1000], seed: 4);
        var options = new HiddenMarkovOptions(3) { Covariance = type, Backend = Backend.Reference, Seed = 2, Tolerance = 1e-7, MaxIterations = 300 };
        HiddenMarkovModel fitted = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);

        EmLaws.NeverDecreases(fitted.ObjectiveHistory, 1e-12, "HMM log-likelihood per step", 1e-12);
        Assert.True(fitted.Converged);
        HmmScore score = fitted.Score(sample.Rows, sample.Lengths);
        Assert.Equal(fitted.LogLikelihood, score.LogLikelihood, 1e-9 * Math.Abs(score.LogLikelihood));
        Assert.Equal(fitted.Objective, score.LogLikelihood / 6000, 1e-12);

        // Match the fitted states to the planted ones by their means.
        double[,] means = fitted.Means!;
        int[] match = Enumerable.Range(0, 3).Select(p =>
            Enumerable.Range(0, 3).MinBy(f => Math.Pow(means[f, 0] - planted.Means![p, 0], 2) + Math.Pow(means[f, 1] - planted.Means![p, 1], 2))).ToArray();
        Assert.Equal(3, match.Distinct().Count());
        for (int i = 0; i < 3; i++)
        {
            for (int j = 0; j < 2; j++)
                Assert.Equal(planted.Means![i, j], means[match[i], j], 0.1);
            for (int j = 0; j < 3; j++)
                Assert.Equal(planted.TransitionMatrix[i, j], fitted.TransitionMatrix[match[i], match[j]], 0.03);
        }
        if (type == CovarianceType.Diagonal)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 2; j++)
                    Assert.Equal(planted.Covariances![i, j, j], fitted.Covariances![match[i], j, j], 0.15 * planted.Covariances[i, j, j]);
        double[,] a = fitted.TransitionMatrix;
        for (int i = 0; i < 3; i++)
            Assert.Equal(1, Enumerable.Range(0, 3).Sum(j => a[i, j]), 1e-12);
    }

    [Fact]
    public void OneStateIsASingleGaussianFit()
    {
        float[,] rows = Synthetic.Gaussian(400, 3, seed: 8, scale: 2, offset: 1);
        HiddenMarkovModel hmm = HiddenMarkov.Fit(rows, [100, 300], new HiddenMarkovOptions(1) { Covariance = CovarianceType.Full, Backend = Backend.Reference });
        GaussianMixtureModel mixture = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 1, Backend = Backend.Reference }).Fit(rows);
        Assert.Equal(mixture.LogLikelihood, hmm.LogLikelihood, 1e-8 * Math.Abs(mixture.LogLikelihood));
        for (int j = 0; j < 3; j++)
            Assert.Equal(mixture.Means[0, j], hmm.Means![0, j], 1e-10);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(mixture.Covariances[0, i, j], hmm.Covariances![0, i, j], 1e-9);
        Assert.Equal(1.0, hmm.TransitionMatrix[0, 0]);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void FixedIdenticalTransitionRowsAreTheMixtureFit(CovarianceType type)
    {
        // With π and every row of A fixed to w, the states are independent draws from w: the HMM's
        // Baum-Welch is the mixture's EM with the weights known to be w.
        (float[,] rows, _, _) = Synthetic.Mixture(600, 2, 3, seed: 12);
        double[] w = [0.5, 0.3, 0.2];
        double[] means = [-1, 0, 0, 1, 1, 0];
        double[] covariances = type == CovarianceType.Full
            ? [1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1]
            : [1, 1, 1, 1, 1, 1];
        HiddenMarkovModel start = HmmTestModels.Model(w, [.. w, .. w, .. w], HmmTestModels.Gaussian(type, means, covariances, 3, 2));
        var options = new HiddenMarkovOptions(3)
        {
            Covariance = type, Backend = Backend.Reference, InitialModel = start, Fixed = HmmParts.Start | HmmParts.Transitions,
            MaxIterations = 15, Tolerance = 0,
        };
        HiddenMarkovModel hmm = HiddenMarkov.Fit(rows, [200, 150, 250], options);
        double[,] initialMeans = { { -1, 0 }, { 0, 1 }, { 1, 0 } };
        double[,,] precisions = new double[3, 2, 2];
        for (int c = 0; c < 3; c++)
            for (int j = 0; j < 2; j++)
                precisions[c, j, j] = 1;
        var mixtureOptions = new GaussianMixtureOptions
        {
            ComponentCount = 3, CovarianceType = type, Backend = Backend.Reference, MaxIterations = 15, Tolerance = 0,
            Initialization = GaussianInitialization.Given, InitialParameters = new GaussianMixtureStart(w, initialMeans, precisions),
            KnownParameters = new GaussianKnownParameters { Weights = w },
        };
        GaussianMixtureModel mixture = new GaussianMixture(mixtureOptions).Fit(rows);
        Assert.Equal(mixture.LogLikelihood, hmm.LogLikelihood, 1e-8 * Math.Abs(mixture.LogLikelihood));
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 2; i++)
            {
                Assert.Equal(mixture.Means[c, i], hmm.Means![c, i], 1e-9);
                for (int j = 0; j < 2; j++)
                    Assert.Equal(mixture.Covariances[c, i, j], hmm.Covariances![c, i, j], 1e-9);
            }
        Assert.Equal(w, hmm.StartProbabilities);
    }

    [Fact]
    public void SameSeedIsBitIdenticalAndSaveLoadRoundTrips()
    {
        HmmSample sample = HmmTestModels.ThreeStates().Sample([500, 700, 20, 1], seed: 9);
        var options = new HiddenMarkovOptions(3) { Covariance = CovarianceType.Full, Backend = Backend.Reference, Seed = 5, Restarts = 2 };
        HiddenMarkovModel first = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);
        HiddenMarkovModel second = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options);
        Assert.Equal(first.ObjectiveHistory, second.ObjectiveHistory);
        Assert.Equal(first.TransitionMatrix, second.TransitionMatrix);
        Assert.Equal(first.Covariances, second.Covariances);

        using var stream = new MemoryStream();
        first.Save(stream);
        stream.Position = 0;
        HiddenMarkovModel loaded = HiddenMarkovModel.Load(stream);
        Assert.Equal(first.TransitionMatrix, loaded.TransitionMatrix);
        Assert.Equal(first.Means, loaded.Means);
        Assert.Equal(first.Covariances, loaded.Covariances);
        Assert.Equal(first.Score(sample.Rows, sample.Lengths).SequenceLogLikelihoods, loaded.Score(sample.Rows, sample.Lengths).SequenceLogLikelihoods);
        Assert.Equal(first.Decode(sample.Rows, sample.Lengths).States, loaded.Decode(sample.Rows, sample.Lengths).States);
    }

    [Fact]
    public void ListOfSequencesEqualsConcatenatedRows()
    {
        HmmSample sample = HmmTestModels.ThreeStates().Sample([300, 200], seed: 3);
        float[,] first = new float[300, 2];
        float[,] second = new float[200, 2];
        for (int t = 0; t < 500; t++)
            for (int j = 0; j < 2; j++)
                (t < 300 ? first : second)[t < 300 ? t : t - 300, j] = sample.Rows[t, j];
        var options = new HiddenMarkovOptions(3) { Backend = Backend.Reference, Seed = 1 };
        Assert.Equal(
            HiddenMarkov.Fit(sample.Rows, sample.Lengths, options).ObjectiveHistory,
            HiddenMarkov.Fit([first, second], options).ObjectiveHistory);
    }
}
