using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Models.Topics;
using Xunit;

namespace GpuEm.Tests.Topics;

/// <summary>
/// LDA by online variational Bayes (<see cref="LdaLearning.Online"/>): the update's closed form
/// against the batch engine's statistics, the step sizes over batches and passes, convergence to
/// what batch variational EM finds on the same corpus, and its settings.
/// </summary>
public sealed class OnlineLdaTests
{
    private static LdaOptions Online(int topics, int seed) => new()
    {
        TopicCount = topics,
        Seed = seed,
        Backend = Backend.Reference,
        LearningMethod = LdaLearning.Online,
    };

    [Fact]
    public void OneBatchOfTheWholeCorpusWithStepOneIsTheBatchMStep()
    {
        // ρ₁ = (τ₀ + 1)^−κ = 1 with τ₀ = 0: the first online update replaces λ by the batch M-step's λ.
        Corpus corpus = TopicCorpora.Random(40, 15, 12, 5);
        LdaParameters start = TopicStarts.Lda(corpus.Counts, 3, [0.2, 0.2, 0.2], 0.1, seed: 9);
        var engine = new ReferenceLdaEngine(corpus.Counts, 3, 100, 1e-3);
        LdaParameters batch = LdaMStep.Maximize(engine.Expect(start), start, learnAlpha: false, documents: 40);
        var options = Online(3, 0) with { BatchSize = 40, LearningOffset = 0, LearningDecay = 1 };
        var solver = new OnlineLdaSolver(OnlineLdaEngine.Resident(corpus.Counts, options), corpus.TokenCount, options);
        (LdaStatistics pass, double objective) = solver.Expect(start);
        LdaParameters online = solver.Maximize(pass, start);
        Assert.Equal(1, online.Updates);
        for (int i = 0; i < batch.Lambda.Length; i++)
            Assert.Equal(batch.Lambda[i], online.Lambda[i], 12);
        Assert.Equal(batch.Gamma, pass.Gamma);
        // The pass's objective: the document bound at the start's λ plus the topic bound at the new λ.
        LdaStatistics atStart = engine.Expect(start);
        Assert.Equal((atStart.DocumentBound + online.TopicBound) / corpus.TokenCount, objective, 12);
    }

    [Fact]
    public void EachBatchBlendsWithItsStepSizeAndTheDocumentRatio()
    {
        // Two batches of 25 and 15 documents: the second sees the first's λ, with ρ₂ = (τ₀ + 2)^−κ and D / B = 40 / 15.
        Corpus corpus = TopicCorpora.Random(40, 15, 12, 6);
        LdaParameters start = TopicStarts.Lda(corpus.Counts, 2, [0.5, 0.5], 0.2, seed: 4);
        var engine = new ReferenceLdaEngine(corpus.Counts, 2, 100, 1e-3);
        var options = Online(2, 0) with { BatchSize = 25, LearningOffset = 3, LearningDecay = 0.6 };
        var solver = new OnlineLdaSolver(OnlineLdaEngine.Resident(corpus.Counts, options), corpus.TokenCount, options);
        (LdaStatistics pass, _) = solver.Expect(start);
        LdaParameters end = pass.Next!;
        Assert.Equal(2, end.Updates);

        var gamma = (double[])start.Gamma.Clone();
        var sums = new double[15 * 2];
        engine.ExpectBatch(start, 0, 25, gamma, sums);
        double rho1 = Math.Pow(4, -0.6);
        var lambda1 = new double[30];
        for (int i = 0; i < 30; i++)
            lambda1[i] = (1 - rho1) * start.Lambda[i] + rho1 * (0.2 + 40.0 / 25 * start.ExpElogBeta[i] * sums[i]);
        var middle = new LdaParameters(2, 15, lambda1, gamma, start.Alpha, 0.2, 1);
        engine.ExpectBatch(middle, 25, 40, gamma, sums);
        double rho2 = Math.Pow(5, -0.6);
        for (int i = 0; i < 30; i++)
            Assert.Equal((1 - rho2) * lambda1[i] + rho2 * (0.2 + 40.0 / 15 * middle.ExpElogBeta[i] * sums[i]), end.Lambda[i], 12);
        Assert.Equal(gamma, pass.Gamma);

        // The next pass continues the count: its first step is ρ₃.
        LdaStatistics second = solver.Expect(solver.Maximize(pass, start)).Statistics;
        Assert.Equal(4, second.Next!.Updates);
    }

    [Fact]
    public void TheBatchStatisticsDoNotDependOnTheThreadCount()
    {
        // ExpectBatch adds the documents' statistics in document order after the parallel E-step:
        // one document at a time gives the same bits.
        Corpus corpus = TopicCorpora.Random(30, 20, 15, 8);
        LdaParameters start = TopicStarts.Lda(corpus.Counts, 4, [0.25, 0.25, 0.25, 0.25], 0.1, seed: 2);
        var engine = new ReferenceLdaEngine(corpus.Counts, 4, 100, 1e-3);
        var gammaAll = (double[])start.Gamma.Clone();
        var sumsAll = new double[20 * 4];
        (double bound, long iterations, double[] logTheta) = engine.ExpectBatch(start, 0, 30, gammaAll, sumsAll);
        var gammaOne = (double[])start.Gamma.Clone();
        var sumsOne = new double[20 * 4];
        var total = new double[20 * 4];
        double boundOne = 0;
        long iterationsOne = 0;
        for (int d = 0; d < 30; d++)
        {
            (double b, long i, _) = engine.ExpectBatch(start, d, d + 1, gammaOne, sumsOne);
            for (int j = 0; j < total.Length; j++)
                total[j] += sumsOne[j];
            boundOne += b;
            iterationsOne += i;
        }
        Assert.Equal(gammaAll, gammaOne);
        Assert.Equal(iterations, iterationsOne);
        for (int j = 0; j < total.Length; j++)
            Assert.Equal(total[j], sumsAll[j], 12);
        Assert.Equal(boundOne, bound, 9);
        Assert.All(logTheta, v => Assert.True(double.IsFinite(v) && v < 0));
    }

    [Fact]
    public void OnlineApproachesBatchOnTheSameCorpus()
    {
        // A planted corpus of 600 documents in batches of 50 (12 updates a pass): after 40 passes
        // online VB finds the planted topics as batch EM does, and its held-out perplexity and
        // training bound perplexity come within 0.5 % of batch's.
        (Corpus all, double[,] planted) = TopicCorpora.Planted(700, 40, 4, 80, 0.2, 61);
        int[] trainRows = Enumerable.Range(0, 600).ToArray(), testRows = Enumerable.Range(600, 100).ToArray();
        Corpus train = Subset(all, trainRows), test = Subset(all, testRows);
        TopicModel batch = new Lda(new LdaOptions { TopicCount = 4, Seed = 61, Backend = Backend.Reference, MaxIterations = 200 }).Fit(train);
        TopicModel online = new Lda(Online(4, 61) with { BatchSize = 50, MaxIterations = 40, Tolerance = 0 }).Fit(train);
        Assert.Equal(40, online.Iterations);
        double batchDistance = TopicCorpora.MatchedDistance(batch.TopicWord, planted);
        double onlineDistance = TopicCorpora.MatchedDistance(online.TopicWord, planted);
        Assert.True(onlineDistance < 0.1, $"online: worst matched total-variation distance {onlineDistance:F4} (batch {batchDistance:F4})");
        double batchHeldOut = batch.HeldOutPerplexity(test), onlineHeldOut = online.HeldOutPerplexity(test);
        Assert.True(Math.Abs(onlineHeldOut / batchHeldOut - 1) < 0.005, $"held-out perplexity online {onlineHeldOut:F3}, batch {batchHeldOut:F3}");
        // The fitted model's ELBO against batch's, both evaluated exactly on the training corpus.
        double batchBound = batch.BoundPerplexity(train), onlineBound = online.BoundPerplexity(train);
        Assert.True(Math.Abs(onlineBound / batchBound - 1) < 0.005, $"bound perplexity online {onlineBound:F3}, batch {batchBound:F3}");
    }

    [Fact]
    public void OnlineOptionsAllWork()
    {
        (Corpus corpus, _) = TopicCorpora.Planted(120, 24, 3, 40, 0.3, 71);
        LdaOptions options = Online(3, 5) with { BatchSize = 32, MaxIterations = 6, Tolerance = 0 };
        TopicModel plain = new Lda(options).Fit(corpus);
        Assert.Equal(plain.TopicWord, new Lda(options).Fit(corpus).TopicWord);
        Assert.Equal(Backend.Reference, plain.Backend);
        // Auto picks the reference engine for online fits, with the same result.
        Assert.Equal(plain.TopicWord, new Lda(options with { Backend = Backend.Auto }).Fit(corpus).TopicWord);
        Assert.NotEqual(plain.TopicWord, new Lda(options with { BatchSize = 16 }).Fit(corpus).TopicWord);
        Assert.NotEqual(plain.TopicWord, new Lda(options with { LearningOffset = 1 }).Fit(corpus).TopicWord);
        Assert.NotEqual(plain.TopicWord, new Lda(options with { LearningDecay = 0.9 }).Fit(corpus).TopicWord);
        Assert.NotEqual(plain.TopicWord, new Lda(options with { WarmStart = true }).Fit(corpus).TopicWord);
        TopicModel learned = new Lda(options with { LearnAlpha = true }).Fit(corpus);
        Assert.NotEqual(plain.Alpha, learned.Alpha);
        Assert.All(learned.Alpha!, a => Assert.True(a > 0 && double.IsFinite(a)));
        Assert.True(double.IsFinite(learned.TrainingObjective));
        // A batch larger than the corpus is one batch a pass.
        TopicModel whole = new Lda(options with { BatchSize = 1000, MaxIterations = 1 }).Fit(corpus);
        Assert.True(double.IsFinite(whole.TrainingObjective));
        // The tolerance stops a fit once a pass's estimate changes by less.
        TopicModel stopped = new Lda(options with { MaxIterations = 200, Tolerance = 1e-3 }).Fit(corpus);
        Assert.True(stopped.Converged && stopped.Iterations < 200);
    }

    [Fact]
    public void BadOnlineSettingsAreClearErrors()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lda(new LdaOptions { BatchSize = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lda(new LdaOptions { LearningOffset = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lda(new LdaOptions { LearningOffset = double.PositiveInfinity }));
        Assert.Contains("(0.5, 1]", Assert.Throws<ArgumentOutOfRangeException>(() => new Lda(new LdaOptions { LearningDecay = 0.5 })).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lda(new LdaOptions { LearningDecay = 1.01 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lda(new LdaOptions { LearningDecay = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Lda(new LdaOptions { LearningMethod = (LdaLearning)7 }));
        Assert.Contains("reference engine", Assert.Throws<ArgumentException>(
            () => new Lda(new LdaOptions { LearningMethod = LdaLearning.Online, Backend = Backend.CpuAccelerator })).Message);
    }

    private static Corpus Subset(Corpus corpus, int[] rows)
    {
        var dense = new int[rows.Length, corpus.TermCount];
        SparseCounts counts = corpus.Counts;
        for (int r = 0; r < rows.Length; r++)
            for (long i = counts.Units.Start(rows[r]); i < counts.Units.Start(rows[r] + 1); i++)
                dense[r, counts.Terms[i]] = (int)counts.Counts[i];
        return Corpus.FromDense(dense);
    }
}
