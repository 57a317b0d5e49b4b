using GpuEm.Data;
using GpuEm.Models.Topics;
using MathNet.Numerics;
using Xunit;

namespace GpuEm.Tests.Topics;

/// <summary>
/// PLSA and LDA on the reference engine: closed forms on tiny corpora, the laws of EM (the
/// objective never decreases), planted topics recovered, and the fitted model's inference and file.
/// </summary>
public sealed class TopicModelTests
{
    private static Corpus Tiny() => Corpus.FromDense(new[,] { { 2, 1, 0 }, { 0, 1, 3 } });

    [Fact]
    public void PlsaMStepEqualsHandComputedCounts()
    {
        // Two topics, p(w | k) and p(k | d) chosen so the responsibilities are easy by hand.
        Corpus corpus = Tiny();
        var p = new PlsaParameters(2, 3, [0.5, 0.25, 0.25, 0.5, 0.25, 0.25], [0.5, 0.5, 0.5, 0.5]);
        var engine = new ReferencePlsaEngine(corpus.Counts, 2, 1);
        PlsaStatistics s = engine.Expect(p);
        // Term 0 (p = .5, .25): r = (2/3, 1/3); term 1 (.25, .5): (1/3, 2/3), once in each document; term 2 (.25, .25): (1/2, 1/2).
        double[] expectedWordTopic = [2 * 2.0 / 3, 2 * 1.0 / 3, 1.0 / 3 + 1.0 / 3, 2.0 / 3 + 2.0 / 3, 1.5, 1.5];
        for (int i = 0; i < 6; i++)
            Assert.Equal(expectedWordTopic[i], s.WordTopic[i], 12);
        double[] expectedDocumentTopic = [4.0 / 3 + 1.0 / 3, 2.0 / 3 + 2.0 / 3, 1.0 / 3 + 1.5, 2.0 / 3 + 1.5];
        for (int i = 0; i < 4; i++)
            Assert.Equal(expectedDocumentTopic[i], s.DocumentTopic[i], 12);
        double ll = 2 * Math.Log(0.375) + Math.Log(0.375) + Math.Log(0.375) + 3 * Math.Log(0.25);
        Assert.Equal(ll, s.LogLikelihood, 12);
        PlsaParameters next = PlsaMStep.Maximize(s, p);
        double topic0 = expectedWordTopic[0] + expectedWordTopic[2] + expectedWordTopic[4];
        Assert.Equal(expectedWordTopic[0] / topic0, next.WordTopic[0], 12);
        Assert.Equal(expectedDocumentTopic[0] / 3, next.DocumentTopic[0], 12);
    }

    [Fact]
    public void LdaMStepIsEtaPlusExpElogBetaTimesTheStatistics()
    {
        Corpus corpus = Tiny();
        LdaParameters p = TopicStarts.Lda(corpus.Counts, 2, [0.5, 0.5], 0.1, seed: 3);
        var engine = new ReferenceLdaEngine(corpus.Counts, 2, 100, 1e-3);
        LdaStatistics s = engine.Expect(p);
        LdaParameters next = LdaMStep.Maximize(s, p, learnAlpha: false, documents: 2);
        for (int i = 0; i < next.Lambda.Length; i++)
            Assert.Equal(0.1 + p.ExpElogBeta[i] * s.WordTopic[i], next.Lambda[i], 14);
        // Σ_wk λ − W K η = N: each token's φ sums to 1 over the topics.
        Assert.Equal(corpus.TokenCount, next.Lambda.Sum() - 3 * 2 * 0.1, 9);
        // And each γ sums to Σα + n_d.
        Assert.Equal(1 + 3, s.Gamma[0] + s.Gamma[1], 9);
        Assert.Equal(1 + 4, s.Gamma[2] + s.Gamma[3], 9);
    }

    [Fact]
    public void DigammaAndItsInverseMatchMathNet()
    {
        foreach (double x in new[] { 1e-3, 0.01, 0.3, 1, 2.5, 5.9, 6, 17, 1234.5 })
        {
            Assert.Equal(SpecialFunctions.DiGamma(x), TopicMath.Digamma(x), 1e-11 * Math.Max(1, Math.Abs(SpecialFunctions.DiGamma(x))));
            Assert.Equal(x, TopicMath.InverseDigamma(TopicMath.Digamma(x)), 1e-9 * x);
        }
        // The E-step's four-at-a-time ψ and exp against the scalar ones, over 9 decades.
        var random = new Random(5);
        double[] gamma = Enumerable.Range(0, 37).Select(_ => Math.Pow(10, random.NextDouble() * 9 - 4)).ToArray();
        var elog = new double[37];
        var exp = new double[37];
        LdaDocument.Expectations(gamma, elog, exp);
        double total = TopicMath.Digamma(gamma.Sum());
        for (int k = 0; k < 37; k++)
        {
            double expected = TopicMath.Digamma(gamma[k]) - total;
            Assert.Equal(expected, elog[k], 1e-12 * Math.Max(1, Math.Abs(expected)));
            Assert.Equal(Math.Exp(expected), exp[k], 1e-11 * Math.Max(1, Math.Abs(expected)) * Math.Exp(expected));
        }
    }

    [Theory]
    [InlineData(1, 11)]
    [InlineData(3, 12)]
    public void PlsaLogLikelihoodNeverDecreases(int topics, int seed)
    {
        Corpus corpus = TopicCorpora.Random(40, 15, 12, seed);
        TopicModel model = new Plsa(new PlsaOptions { TopicCount = topics, Seed = seed, Tolerance = 0, MaxIterations = 30, Backend = GpuEm.Backend.Reference }).Fit(corpus);
        AssertNonDecreasing(model.ObjectiveHistory, 1e-12);
        Assert.Equal(model.TrainingObjective / corpus.TokenCount, model.Objective, 12);
    }

    [Theory]
    [InlineData(false, false, 21)]
    [InlineData(true, false, 22)]
    [InlineData(false, true, 23)]
    [InlineData(true, true, 24)]
    public void LdaElboNeverDecreases(bool learnAlpha, bool warmStart, int seed)
    {
        Corpus corpus = TopicCorpora.Random(40, 15, 12, seed);
        TopicModel model = new Lda(new LdaOptions
        {
            TopicCount = 3,
            Seed = seed,
            Tolerance = 0,
            MaxIterations = 30,
            LearnAlpha = learnAlpha,
            WarmStart = warmStart,
            DocumentTolerance = 1e-9,
            MaxDocumentIterations = 1000,
            Backend = GpuEm.Backend.Reference,
        }).Fit(corpus);
        // γ updates stop at a tolerance, so a step may lose up to about that much; 1e-9 keeps it
        // tiny. A warm start makes the ascent provable; the fresh start reaches each document's
        // optimum again (a concave problem in practice), so it holds there too.
        AssertNonDecreasing(model.ObjectiveHistory, 1e-9);
        if (learnAlpha)
            Assert.NotEqual(1.0 / 3, model.Alpha![0]);
    }

    [Fact]
    public void PlsaWithOneTopicIsTheUnigramModel()
    {
        Corpus corpus = TopicCorpora.Random(30, 8, 20, 5);
        TopicModel model = new Plsa(new PlsaOptions { TopicCount = 1, Backend = GpuEm.Backend.Reference }).Fit(corpus);
        var totals = new double[8];
        SparseCounts data = corpus.Counts;
        for (long i = 0; i < data.NonZeroCount; i++)
            totals[data.Terms[i]] += data.Counts[i];
        double n = totals.Sum(), ll = 0;
        for (int w = 0; w < 8; w++)
        {
            Assert.Equal(totals[w] / n, model.TopicWord[0, w], 12);
            if (totals[w] > 0)
                ll += totals[w] * Math.Log(totals[w] / n);
        }
        Assert.Equal(ll, model.LogLikelihood!.Value, 8);
        Assert.True(model.Converged);
    }

    [Theory]
    [InlineData(3, 31)]
    [InlineData(4, 32)]
    public void LdaRecoversPlantedTopics(int topics, int seed)
    {
        (Corpus corpus, double[,] planted) = TopicCorpora.Planted(300, 12 * topics, topics, 80, 0.2, seed);
        TopicModel model = new Lda(new LdaOptions { TopicCount = topics, Seed = seed, Restarts = 2, Backend = GpuEm.Backend.Reference }).Fit(corpus);
        double distance = TopicCorpora.MatchedDistance(model.TopicWord, planted);
        // 24,000 tokens: the sampling noise of a topic's 12·K probabilities alone is a few percent.
        Assert.True(distance < 0.1, $"worst matched total-variation distance {distance:F4} (seed {seed})");
    }

    [Fact]
    public void PlsaRecoversPlantedTopics()
    {
        (Corpus corpus, double[,] planted) = TopicCorpora.Planted(300, 36, 3, 80, 0.2, 41);
        TopicModel model = new Plsa(new PlsaOptions { TopicCount = 3, Seed = 41, Restarts = 3, Backend = GpuEm.Backend.Reference }).Fit(corpus);
        double distance = TopicCorpora.MatchedDistance(model.TopicWord, planted);
        Assert.True(distance < 0.1, $"worst matched total-variation distance {distance:F4}");
    }

    [Fact]
    public void TheTrainingPerplexityIsTheBoundPerplexityOfTheTrainingCorpus()
    {
        (Corpus corpus, _) = TopicCorpora.Planted(120, 24, 3, 40, 0.3, 51);
        TopicModel model = new Lda(new LdaOptions { TopicCount = 3, Seed = 51, Backend = GpuEm.Backend.Reference }).Fit(corpus);
        // The fold-in restarts γ from α + n/K, so it lands close to, not exactly at, the fit's γ.
        Assert.Equal(model.Perplexity, model.BoundPerplexity(corpus), 0.01 * model.Perplexity);
        Assert.Equal(Math.Exp(-model.Elbo!.Value / corpus.TokenCount), model.Perplexity, 9);
    }

    [Fact]
    public void TransformOfTheTrainingCorpusAgreesWithTheFit()
    {
        (Corpus corpus, _) = TopicCorpora.Planted(100, 24, 3, 40, 0.3, 61);
        foreach (bool lda in new[] { true, false })
        {
            TopicModel model = lda
                ? new Lda(new LdaOptions { TopicCount = 3, Seed = 61, Backend = GpuEm.Backend.Reference }).Fit(corpus)
                : new Plsa(new PlsaOptions { TopicCount = 3, Seed = 61, Tolerance = 1e-9, MaxIterations = 500, Backend = GpuEm.Backend.Reference }).Fit(corpus);
            double[,] theta = model.Transform(corpus), fitted = model.DocumentTopic!;
            for (int d = 0; d < 100; d++)
            {
                double sum = 0;
                for (int k = 0; k < 3; k++)
                {
                    sum += theta[d, k];
                    Assert.Equal(fitted[d, k], theta[d, k], 0.02);
                }
                Assert.Equal(1, sum, 12);
            }
        }
    }

    [Fact]
    public void HeldOutPerplexityFavoursTheRightNumberOfTopicsOverOne()
    {
        (Corpus train, _) = TopicCorpora.Planted(200, 30, 3, 60, 0.2, 71);
        (Corpus test, _) = TopicCorpora.Planted(100, 30, 3, 60, 0.2, 72);
        TopicModel Fit(int k) => new Lda(new LdaOptions { TopicCount = k, Seed = 71, Backend = GpuEm.Backend.Reference }).Fit(train);
        TopicModel single = Fit(1);
        double one = single.HeldOutPerplexity(test), three = Fit(3).HeldOutPerplexity(test);
        // Measured: 19.07 for K = 3 against 30.21 for K = 1.
        Assert.True(three < one * 0.8, $"K = 3: {three:F2}, K = 1: {one:F2}");
        // With one topic θ = 1: every held-out token (the 2nd, 4th, … of its document in term
        // order) is scored by E[β_w] = λ_w / Σ λ alone.
        (_, Corpus heldOut) = test.SplitAlternately();
        SparseCounts held = heldOut.Counts;
        double logLikelihood = 0;
        for (long i = 0; i < held.NonZeroCount; i++)
            logLikelihood += held.Counts[i] * Math.Log(single.TopicWord[0, held.Terms[i]]);
        Assert.Equal(Math.Exp(-logLikelihood / held.TokenCount), one, 1e-9 * one);
    }

    [Fact]
    public void AnEmptyDocumentGetsThePriorsProportions()
    {
        var corpus = Corpus.FromDense(new[,] { { 2, 1, 0 }, { 0, 0, 0 }, { 0, 1, 3 } });
        TopicModel lda = new Lda(new LdaOptions { TopicCount = 2, TopicAlphas = [0.2, 0.6], Backend = GpuEm.Backend.Reference }).Fit(corpus);
        Assert.Equal(0.25, lda.DocumentTopic![1, 0], 12);
        Assert.Equal(0.25, lda.Transform(corpus)[1, 0], 12);
        TopicModel plsa = new Plsa(new PlsaOptions { TopicCount = 2, Backend = GpuEm.Backend.Reference }).Fit(corpus);
        Assert.Equal(0.5, plsa.DocumentTopic![1, 0], 12);
    }

    [Fact]
    public void SaveAndLoadAreExact()
    {
        (Corpus corpus, _) = TopicCorpora.Planted(60, 12, 2, 20, 0.3, 81);
        foreach (TopicModel model in new[]
        {
            new Lda(new LdaOptions { TopicCount = 2, LearnAlpha = true, Backend = GpuEm.Backend.Reference }).Fit(corpus),
            new Plsa(new PlsaOptions { TopicCount = 2, Tempering = 0.9, Backend = GpuEm.Backend.Reference }).Fit(corpus),
        })
        {
            var stream = new MemoryStream();
            model.Save(stream);
            stream.Position = 0;
            TopicModel loaded = TopicModel.Load(stream);
            Assert.Equal(model.Method, loaded.Method);
            Assert.Equal(model.TopicWord, loaded.TopicWord);
            Assert.Equal(model.DocumentTopic, loaded.DocumentTopic);
            Assert.Equal(model.TrainingObjective, loaded.TrainingObjective);
            Assert.Equal(model.Alpha, loaded.Alpha);
            Assert.Equal(model.Tempering, loaded.Tempering);
            Assert.Equal(model.ObjectiveHistory, loaded.ObjectiveHistory);
            Assert.Equal(model.Transform(corpus), loaded.Transform(corpus));
            if (model.Method == TopicMethod.Lda)
                Assert.Equal(model.BoundPerplexity(corpus), loaded.BoundPerplexity(corpus));
        }
    }

    [Fact]
    public void TheModelFileHoldsTheVocabularyAndTopicWordRows()
    {
        var corpus = Corpus.FromDense(new[,] { { 2, 1, 0 }, { 0, 1, 3 } }, ["apple", "banana", "cherry"]);
        TopicModel model = new Plsa(new PlsaOptions { TopicCount = 2, Backend = GpuEm.Backend.Reference }).Fit(corpus);
        var stream = new MemoryStream();
        model.Save(stream);
        using var document = System.Text.Json.JsonDocument.Parse(stream.ToArray());
        var root = document.RootElement;
        Assert.Equal("gpuem.topic-model", root.GetProperty("format").GetString());
        Assert.Equal(["apple", "banana", "cherry"], root.GetProperty("vocabulary").EnumerateArray().Select(e => e.GetString()!));
        var rows = root.GetProperty("topicWord");
        Assert.Equal(2, rows.GetArrayLength());
        for (int k = 0; k < 2; k++)
            for (int w = 0; w < 3; w++)
                Assert.Equal(model.TopicWord[k, w], rows[k][w].GetDouble());
        IReadOnlyList<IReadOnlyList<TopicTerm>> top = model.TopWords(5);
        for (int k = 0; k < 2; k++)
        {
            Assert.Equal(3, top[k].Count);
            Assert.True(top[k][0].Probability >= top[k][1].Probability && top[k][1].Probability >= top[k][2].Probability);
            Assert.Equal(new[] { "apple", "banana", "cherry" }[top[k][0].Index], top[k][0].Term);
            Assert.Equal(model.TopicWord[k, top[k][0].Index], top[k][0].Probability);
        }
    }

    [Fact]
    public void TheSameSeedGivesTheSameModel()
    {
        Corpus corpus = TopicCorpora.Random(50, 20, 15, 91);
        var options = new LdaOptions { TopicCount = 3, Seed = 7, MaxIterations = 5, Backend = GpuEm.Backend.Reference };
        Assert.Equal(new Lda(options).Fit(corpus).TopicWord, new Lda(options).Fit(corpus).TopicWord);
        Assert.NotEqual(new Lda(options).Fit(corpus).TopicWord, new Lda(options with { Seed = 8 }).Fit(corpus).TopicWord);
    }

    [Fact]
    public void BadSettingsAndCorporaAreClearErrors()
    {
        Corpus corpus = Tiny();
        Assert.Contains("K = 3 exceeds the number of documents D = 2",
            Assert.Throws<ArgumentException>(() => new Lda(new LdaOptions { TopicCount = 3 }).Fit(corpus)).Message);
        Assert.Contains("no tokens", Assert.Throws<ArgumentException>(
            () => new Plsa(new PlsaOptions { TopicCount = 1 }).Fit(Corpus.FromDense(new int[2, 3]))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Plsa(new PlsaOptions { Tempering = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lda(new LdaOptions { Alpha = -1 }));
        Assert.Throws<ArgumentException>(() => new Lda(new LdaOptions { TopicCount = 2, TopicAlphas = [1.0] }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lda(new LdaOptions { Eta = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lda(new LdaOptions { MaxDocumentIterations = 0 }));
        TopicModel model = new Plsa(new PlsaOptions { TopicCount = 1, Backend = GpuEm.Backend.Reference }).Fit(corpus);
        Assert.Contains("fitted on 3", Assert.Throws<ArgumentException>(() => model.Transform(Corpus.FromDense(new int[1, 4]))).Message);
        Assert.Throws<InvalidOperationException>(() => model.BoundPerplexity(corpus));
    }

    private static void AssertNonDecreasing(IReadOnlyList<double> history, double slack)
    {
        for (int i = 1; i < history.Count; i++)
            Assert.True(history[i] >= history[i - 1] - slack * Math.Abs(history[i - 1]),
                $"objective fell at iteration {i}: {history[i - 1]:R} → {history[i]:R}");
    }
}
