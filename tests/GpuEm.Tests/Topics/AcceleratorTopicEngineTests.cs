using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Kernels.Topics;
using GpuEm.Models.Topics;
using GpuEm.Tests.Support;
using MathNet.Numerics;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace GpuEm.Tests.Topics;

/// <summary>
/// The topic models' accelerator engines (ILGPU's CPU accelerator, and the GPU-shaped CPU device:
/// float32 digamma, exp and products, float64 sums) against the float64 reference engines at
/// random parameters, from fresh random seeds (each assertion names its seed): LDA's statistics
/// S and γ to 1e-4 relative, E[log θ] sums and the bound to 1e-5 relative, the γ updates exactly
/// (document tolerance 0: every document runs the same number of updates); PLSA's n_wk, n_dk
/// to 1e-4 and the log-likelihood to 1e-5 relative. Shapes include empty documents, a one-term
/// vocabulary, K = 1, documents longer than a group and more topics than threads, asymmetric and
/// learned α, tempered PLSA. Streamed (three or more chunks) equals resident, and γ kept on the
/// device equals γ uploaded, to the bit.
/// </summary>
public sealed class AcceleratorTopicEngineTests(ITestOutputHelper output)
{
    private static AcceleratorHandle Cpu => DeviceManager.Resolve(Backend.CpuAccelerator, null)!;

    // documents, terms, topics, most tokens per document, α: "symmetric", "asymmetric" or "learned",
    // warm start (γ from the parameters, else α + n_d / K), GPU-shaped.
    public static TheoryData<int, int, int, int, string, bool, bool> LdaShapes => new()
    {
        { 60, 30, 4, 40, "symmetric", false, false },
        { 60, 30, 4, 40, "asymmetric", true, false },
        { 40, 1, 3, 12, "symmetric", true, false },        // one-term vocabulary
        { 50, 25, 1, 30, "symmetric", false, false },      // K = 1
        { 24, 300, 5, 200, "asymmetric", true, false },    // documents of ~100 non-zeros, longer than a group
        { 30, 40, 37, 30, "learned", false, false },       // more topics than threads (16 on the CPU device)
        { 20, 80, 6, 120, "learned", true, true },         // warps of 32, groups of 32
    };

    // Tolerances. The device runs the γ iterations in float32 (digamma, exp, the φnorm dots and the
    // γ sums: ~1e-6 relative per update; over four runs of these shapes, two E-steps of 8 updates,
    // measured ≤ 1.8e-6 on S and ≤ 2.7e-6 on γ), so 1e-4 leaves room for longer documents; the
    // bound and Σ E[log θ] are float64 functions of the float32 γ (measured ≤ 3.7e-7 and
    // ≤ 2.5e-7), held to 1e-5. PLSA has no iterations: n_wk, n_dk measured ≤ 1e-6, the
    // log-likelihood ≤ 5e-9.
    private const double StatisticsRelative = 1e-4;
    private const double BoundRelative = 1e-5;

    [Theory]
    [MemberData(nameof(LdaShapes))]
    public void Lda_E_step_matches_the_reference_engine(
        int documents, int terms, int topics, int maxTokens, string alpha, bool warmStart, bool gpuShaped)
    {
        int seed = Random.Shared.Next();
        string what = $"LDA D = {documents}, W = {terms}, K = {topics}, α {alpha}, warm start {warmStart}, seed {seed}";
        var random = new Random(seed);
        SparseCounts data = RandomCorpus(random, documents, terms, maxTokens);
        LdaParameters start = RandomLda(random, data, topics, alpha != "symmetric");
        using var reference = new ReferenceLdaEngine(data, topics, 8, 0, warmStart);
        using var device = new AcceleratorLdaEngine(gpuShaped ? GpuShapedDevice.Handle : Cpu, data, topics, 8, 0, null, warmStart);
        Assert.Equal(1, device.ChunkCount);
        // Two E-steps, each from its own engine's γ (the device's carried on the device), the
        // second after an M-step (with α learned in the "learned" case).
        LdaParameters atReference = start, atDevice = start;
        for (int step = 0; step < 2; step++)
        {
            LdaStatistics expected = reference.Expect(atReference);
            LdaStatistics actual = device.Expect(atDevice);
            SameLda(expected, actual, $"{what}, E-step {step + 1}");
            atReference = LdaMStep.Maximize(expected, atReference, alpha == "learned", documents);
            atDevice = LdaMStep.Maximize(actual, atDevice, alpha == "learned", documents);
        }
    }

    // The default document tolerance (1e-3): documents stop after their own number of updates,
    // which float32 may shift by one near the threshold. An update past the threshold moves each
    // γ_k by less than K·tolerance, so γ is held to 2·K·tolerance absolute (+ 1e-4 relative), S to
    // 1e-3 relative (measured ≤ 1e-5), the bound to 1e-5 (it is stationary in γ; measured ~1e-8).
    [Fact]
    public void Lda_E_step_with_the_default_document_tolerance_follows_the_reference()
    {
        int seed = Random.Shared.Next();
        var random = new Random(seed);
        SparseCounts data = RandomCorpus(random, 60, 40, 60);
        LdaParameters at = RandomLda(random, data, 5, asymmetric: true);
        const double tolerance = LdaOptions.LdaDefaults.DocumentTolerance;
        using var reference = new ReferenceLdaEngine(data, 5, LdaOptions.LdaDefaults.MaxDocumentIterations, tolerance);
        using var device = new AcceleratorLdaEngine(Cpu, data, 5, LdaOptions.LdaDefaults.MaxDocumentIterations, tolerance, null);
        LdaStatistics expected = reference.Expect(at), actual = device.Expect(at);
        (double s, double gamma, _, double bound) = LdaErrors(expected, actual);
        output.WriteLine($"seed {seed}: S {s:E2}, γ {gamma:E2}, bound {bound:E2}, updates {expected.DocumentIterations} / {actual.DocumentIterations}");
        Assert.True(s < 1e-3 && bound < 1e-5, $"seed {seed}: S {s:E2}, bound {bound:E2}");
        Tolerance.Close(expected.Gamma, actual.Gamma, 2 * 5 * tolerance, 1e-4, $"seed {seed}: γ");
        Assert.True(Math.Abs(expected.DocumentIterations - actual.DocumentIterations) <= data.DocumentCount / 10,
            $"seed {seed}: {expected.DocumentIterations} and {actual.DocumentIterations} updates");
    }

    // Whole fits (LDA with fresh and warm γ starts, tempered PLSA): the objective per iteration on
    // the CPU accelerator within 1e-5 relative of the reference's, five EM iterations from one seed.
    [Fact]
    public void Fits_on_the_cpu_accelerator_follow_the_reference_fits()
    {
        Corpus corpus = TopicCorpora.Random(40, 15, 12, seed: 31);
        var lda = new LdaOptions
        {
            TopicCount = 3,
            Seed = 5,
            Tolerance = 0,
            MaxIterations = 5,
            LearnAlpha = true,
            DocumentTolerance = 0,
            MaxDocumentIterations = 10,
            Backend = Backend.Reference,
        };
        var plsa = new PlsaOptions { TopicCount = 3, Seed = 5, Tolerance = 0, MaxIterations = 5, Tempering = 0.9, Backend = Backend.Reference };
        (TopicModel Reference, TopicModel Device)[] fits =
        [
            (new Lda(lda).Fit(corpus), new Lda(lda with { Backend = Backend.CpuAccelerator }).Fit(corpus)),
            (new Lda(lda with { WarmStart = true }).Fit(corpus),
                new Lda(lda with { WarmStart = true, Backend = Backend.CpuAccelerator }).Fit(corpus)),
            (new Plsa(plsa).Fit(corpus), new Plsa(plsa with { Backend = Backend.CpuAccelerator }).Fit(corpus)),
        ];
        foreach ((TopicModel reference, TopicModel device) in fits)
        {
            Assert.Equal(reference.ObjectiveHistory.Count, device.ObjectiveHistory.Count);
            for (int i = 0; i < reference.ObjectiveHistory.Count; i++)
                Tolerance.Close(reference.ObjectiveHistory[i], device.ObjectiveHistory[i], 0, 1e-5, $"{reference.Method} objective {i}");
        }
    }

    public static TheoryData<int, int, int, int, double, bool> PlsaShapes => new()
    {
        { 60, 30, 4, 40, 1.0, false },
        { 40, 1, 3, 12, 1.0, false },
        { 50, 25, 1, 30, 0.7, false },
        { 24, 300, 5, 200, 1.0, false },
        { 30, 40, 37, 30, 0.85, false },
        { 20, 80, 6, 120, 0.9, true },
    };

    [Theory]
    [MemberData(nameof(PlsaShapes))]
    public void Plsa_E_step_matches_the_reference_engine(int documents, int terms, int topics, int maxTokens, double tempering, bool gpuShaped)
    {
        int seed = Random.Shared.Next();
        string what = $"PLSA D = {documents}, W = {terms}, K = {topics}, β {tempering}, seed {seed}";
        var random = new Random(seed);
        SparseCounts data = RandomCorpus(random, documents, terms, maxTokens);
        PlsaParameters at = RandomPlsa(random, data, topics);
        using var reference = new ReferencePlsaEngine(data, topics, tempering);
        using var device = new AcceleratorPlsaEngine(gpuShaped ? GpuShapedDevice.Handle : Cpu, data, topics, tempering, null);
        for (int step = 0; step < 2; step++)
        {
            PlsaStatistics expected = reference.Expect(at), actual = device.Expect(at);
            SamePlsa(expected, actual, $"{what}, E-step {step + 1}");
            at = PlsaMStep.Maximize(expected, at);
        }
    }

    [Fact]
    public void Streamed_lda_equals_resident_lda()
    {
        int seed = Random.Shared.Next();
        var random = new Random(seed);
        SparseCounts data = RandomCorpus(random, 80, 50, 40);
        LdaParameters start = RandomLda(random, data, 6, asymmetric: true);
        (long perItem, long fixedBytes) = AcceleratorLdaEngine.Footprint(data, 6);
        long limit = fixedBytes + perItem * (data.NonZeroCount / 4);
        foreach (bool warmStart in new[] { false, true })
        {
            using var resident = new AcceleratorLdaEngine(Cpu, data, 6, 10, 1e-4, null, warmStart);
            using var streamed = new AcceleratorLdaEngine(Cpu, data, 6, 10, 1e-4, limit, warmStart);
            Assert.True(streamed.ChunkCount >= 3, $"{streamed.ChunkCount} chunk(s) under {limit} bytes");
            LdaParameters at = start;
            for (int step = 0; step < 2; step++)
            {
                LdaStatistics one = resident.Expect(at), many = streamed.Expect(at);
                string what = $"seed {seed}, warm start {warmStart}, {streamed.ChunkCount} chunks, E-step {step + 1}";
                // Each document runs in one group either way: γ to the bit, the same updates; the
                // float64 sums differ only in where chunk totals are added.
                Assert.True(one.Gamma.SequenceEqual(many.Gamma), $"{what}: γ differs");
                Assert.Equal(one.DocumentIterations, many.DocumentIterations);
                Tolerance.Close(one.WordTopic, many.WordTopic, 1e-12, 1e-12, $"{what}: S");
                Tolerance.Close(one.LogThetaSum, many.LogThetaSum, 1e-12, 1e-12, $"{what}: Σ E[log θ]");
                Tolerance.Close(one.DocumentBound, many.DocumentBound, 1e-12, 1e-12, $"{what}: bound");
                at = LdaMStep.Maximize(one, at, learnAlpha: false, data.DocumentCount);
            }
        }
    }

    [Fact]
    public void Streamed_plsa_equals_resident_plsa()
    {
        int seed = Random.Shared.Next();
        var random = new Random(seed);
        SparseCounts data = RandomCorpus(random, 80, 50, 40);
        PlsaParameters at = RandomPlsa(random, data, 5);
        (long perItem, long fixedBytes) = AcceleratorPlsaEngine.Footprint(data, 5, tempered: true);
        long limit = fixedBytes + perItem * (data.NonZeroCount / 4);
        using var resident = new AcceleratorPlsaEngine(Cpu, data, 5, 0.8, null);
        using var streamed = new AcceleratorPlsaEngine(Cpu, data, 5, 0.8, limit);
        Assert.True(streamed.ChunkCount >= 3, $"{streamed.ChunkCount} chunk(s) under {limit} bytes");
        PlsaStatistics one = resident.Expect(at), many = streamed.Expect(at);
        string what = $"seed {seed}, {streamed.ChunkCount} chunks";
        Assert.True(one.DocumentTopic.SequenceEqual(many.DocumentTopic), $"{what}: n_dk differs");
        Tolerance.Close(one.WordTopic, many.WordTopic, 1e-12, 1e-12, $"{what}: n_wk");
        Tolerance.Close(one.LogLikelihood, many.LogLikelihood, 1e-12, 1e-12, $"{what}: log-likelihood");
    }

    // The engine keeps γ on the device when the next parameters carry the γ it returned; a fresh
    // engine given a copy of that γ uploads it. Both must give the same bits.
    [Fact]
    public void Gamma_carried_on_the_device_equals_gamma_uploaded()
    {
        int seed = Random.Shared.Next();
        var random = new Random(seed);
        SparseCounts data = RandomCorpus(random, 50, 30, 30);
        LdaParameters start = RandomLda(random, data, 4, asymmetric: false);
        using var carrying = new AcceleratorLdaEngine(Cpu, data, 4, 5, 1e-3, null, warmStart: true);
        LdaStatistics first = carrying.Expect(start);
        LdaParameters next = LdaMStep.Maximize(first, start, learnAlpha: true, data.DocumentCount);
        Assert.Same(first.Gamma, next.Gamma);
        LdaStatistics carried = carrying.Expect(next);

        using var uploading = new AcceleratorLdaEngine(Cpu, data, 4, 5, 1e-3, null, warmStart: true);
        var copy = new LdaParameters(4, data.TermCount, next.Lambda, (double[])first.Gamma.Clone(), next.Alpha, next.Eta);
        LdaStatistics uploaded = uploading.Expect(copy);
        Assert.True(carried.Gamma.SequenceEqual(uploaded.Gamma), $"seed {seed}: γ differs");
        Assert.True(carried.WordTopic.SequenceEqual(uploaded.WordTopic), $"seed {seed}: S differs");
        Assert.Equal(carried.DocumentBound, uploaded.DocumentBound);
        Assert.Equal(carried.LogThetaSum, uploaded.LogThetaSum);
        Assert.Equal(carried.DocumentIterations, uploaded.DocumentIterations);
        // The same engine and parameters again: the same bits (fixed grid and reduction order).
        LdaStatistics again = uploading.Expect(copy);
        Assert.True(again.WordTopic.SequenceEqual(uploaded.WordTopic), $"seed {seed}: a repeated E-step differs");
    }

    // On a CUDA device (skipped without one): the shapes of real corpora, K = 50 (groups of 64)
    // and K = 200 (groups of 128, four topics per thread), held to the same tolerances.
    [CudaFact]
    public void Cuda_engines_match_the_reference_engines()
    {
        int seed = Random.Shared.Next();
        var random = new Random(seed);
        AcceleratorHandle cuda = DeviceManager.Resolve(Backend.Cuda, null)!;
        SparseCounts data = RandomCorpus(random, 2000, 3000, 400);
        foreach (int topics in new[] { 50, 200 })
        {
            LdaParameters lda = RandomLda(random, data, topics, asymmetric: true);
            using (var reference = new ReferenceLdaEngine(data, topics, 8, 0))
            using (var device = new AcceleratorLdaEngine(cuda, data, topics, 8, 0, null))
                SameLda(reference.Expect(lda), device.Expect(lda), $"CUDA LDA K = {topics}, seed {seed}");
            PlsaParameters plsa = RandomPlsa(random, data, topics);
            using (var reference = new ReferencePlsaEngine(data, topics, 0.9))
            using (var device = new AcceleratorPlsaEngine(cuda, data, topics, 0.9, null))
                SamePlsa(reference.Expect(plsa), device.Expect(plsa), $"CUDA PLSA K = {topics}, seed {seed}");
        }
    }

    [Fact]
    public void More_topics_than_the_kernels_hold_is_a_launch_limit()
    {
        SparseCounts data = SparseCounts.FromTriples(2, 1, [(0, 0, 1.0), (1, 0, 2.0)], "test");
        int k = TopicLauncher.MaxTopics + 1;
        Assert.Throws<LaunchLimitException>(() => new AcceleratorLdaEngine(Cpu, data, k, 5, 1e-3, null));
        Assert.Throws<LaunchLimitException>(() => new AcceleratorPlsaEngine(Cpu, data, k, 1, null));
    }

    // The kernels' float64 ln x, ln Γ and ψ, and float32 ψ, run here on the host, against .NET's
    // Math.Log, MathNet's GammaLn and the host's TopicMath.Digamma.
    [Fact]
    public void Kernel_special_functions_match_the_host_libraries()
    {
        foreach (double x in new[] { 1e-300, 1e-8, 1e-3, 0.01, 0.3, 0.7071, 1, 1.4142, 2, 2.5, 5.9, 6, 7.99, 8, 17, 1234.5, 3e7, 1e300 })
        {
            Tolerance.Close(Math.Log(x), TopicKernels.Log(x), 1e-15, 4e-16, $"ln {x}");
            Tolerance.Close(SpecialFunctions.GammaLn(x), TopicKernels.GammaLn(x), 1e-13, 1e-14, $"ln Γ({x})");
            if (x >= 1e-8 && x <= 1e7)
                Tolerance.Close(TopicMath.Digamma(x), TopicKernels.Digamma(x), 1e-13, 1e-14, $"ψ({x})");
            if (x >= 1e-3 && x <= 1e7)
                Tolerance.Close(TopicMath.Digamma(x), TopicKernels.Digamma((float)x), 2e-6, 1e-6, $"float32 ψ({x})");
        }
        Assert.Equal(double.NegativeInfinity, TopicKernels.Log(0));
    }

    // S and γ: max relative error (S relative to the largest entry of its term's row, so that
    // topics a document barely uses do not count float32 underflow); Σ E[log θ] relative to
    // max(1, |value|); the bound relative.
    private static (double S, double Gamma, double LogTheta, double Bound) LdaErrors(LdaStatistics expected, LdaStatistics actual)
    {
        int k = expected.K;
        double s = 0;
        for (int w = 0; w < expected.W; w++)
        {
            double scale = 0;
            for (int c = 0; c < k; c++)
                scale = Math.Max(scale, Math.Abs(expected.WordTopic[w * k + c]));
            for (int c = 0; c < k; c++)
                if (scale > 0)
                    s = Math.Max(s, Math.Abs(expected.WordTopic[w * k + c] - actual.WordTopic[w * k + c]) / scale);
        }
        double gamma = MaxRelative(expected.Gamma, actual.Gamma, 0);
        double logTheta = MaxRelative(expected.LogThetaSum, actual.LogThetaSum, 1);
        double bound = Math.Abs(expected.DocumentBound - actual.DocumentBound) / Math.Max(Math.Abs(expected.DocumentBound), 1);
        return (s, gamma, logTheta, bound);
    }

    private void SameLda(LdaStatistics expected, LdaStatistics actual, string what)
    {
        (double s, double gamma, double logTheta, double bound) = LdaErrors(expected, actual);
        output.WriteLine($"{what}: S {s:E2}, γ {gamma:E2}, Σ E[log θ] {logTheta:E2}, bound {bound:E2}");
        string errors = $"{what}: max relative errors S {s:E2}, γ {gamma:E2}, Σ E[log θ] {logTheta:E2}, bound {bound:E2}";
        if (!(s <= StatisticsRelative && gamma <= StatisticsRelative && logTheta <= BoundRelative && bound <= BoundRelative))
            throw new XunitException(errors);
        Assert.True(expected.DocumentIterations == actual.DocumentIterations,
            $"{what}: {expected.DocumentIterations} and {actual.DocumentIterations} γ updates");
    }

    private void SamePlsa(PlsaStatistics expected, PlsaStatistics actual, string what)
    {
        double wordTopic = MaxRelative(expected.WordTopic, actual.WordTopic, 1e-9);
        double documentTopic = MaxRelative(expected.DocumentTopic, actual.DocumentTopic, 1e-9);
        // Relative to the tokens where the log-likelihood is ~0 (a one-term vocabulary: p = 1).
        double tokens = expected.DocumentTopic.Sum();
        double logLikelihood = Math.Abs(expected.LogLikelihood - actual.LogLikelihood) / Math.Max(Math.Abs(expected.LogLikelihood), tokens);
        output.WriteLine($"{what}: n_wk {wordTopic:E2}, n_dk {documentTopic:E2}, log-likelihood {logLikelihood:E2}");
        if (!(wordTopic <= StatisticsRelative && documentTopic <= StatisticsRelative && logLikelihood <= BoundRelative))
            throw new XunitException($"{what}: max relative errors n_wk {wordTopic:E2}, n_dk {documentTopic:E2}, log-likelihood {logLikelihood:E2}");
    }

    private static double MaxRelative(double[] expected, double[] actual, double floor)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double scale = Math.Max(Math.Abs(expected[i]), floor);
            double error = expected[i] == actual[i] ? 0 : Math.Abs(expected[i] - actual[i]) / scale;
            worst = Math.Max(worst, double.IsNaN(error) ? double.PositiveInfinity : error);
        }
        return worst;
    }

    // Every seventh document empty; the others 1 … maxTokens tokens over terms drawn with a skew
    // (u² · W), so that some terms are frequent and documents repeat them.
    private static SparseCounts RandomCorpus(Random random, int documents, int terms, int maxTokens)
    {
        var triples = new List<(int, int, double)>();
        for (int d = 0; d < documents; d++)
        {
            if (d % 7 == 3)
                continue;
            int tokens = random.Next(1, maxTokens + 1);
            for (int t = 0; t < tokens; t++)
            {
                double u = random.NextDouble();
                triples.Add((d, Math.Min(terms - 1, (int)(u * u * terms)), 1.0 + random.Next(3)));
            }
        }
        return SparseCounts.FromTriples(documents, terms, triples, "test");
    }

    // λ_kw from 0.05 + 4·Exp(1) (distinct topics), γ_dk = α_k + n_d / K times a factor in
    // [0.5, 1.5), α symmetric 0.3 or asymmetric in [0.05, 1.5).
    private static LdaParameters RandomLda(Random random, SparseCounts data, int topics, bool asymmetric)
    {
        double[] alpha = Enumerable.Range(0, topics).Select(_ => asymmetric ? 0.05 + 1.45 * random.NextDouble() : 0.3).ToArray();
        var lambda = new double[(long)data.TermCount * topics];
        for (int i = 0; i < lambda.Length; i++)
            lambda[i] = 0.05 - 4 * Math.Log(1 - random.NextDouble());
        var gamma = new double[(long)data.DocumentCount * topics];
        for (int d = 0; d < data.DocumentCount; d++)
        {
            double tokens = 0;
            for (long i = data.Units.Start(d); i < data.Units.Start(d + 1); i++)
                tokens += data.Counts[i];
            for (int k = 0; k < topics; k++)
                gamma[d * topics + k] = alpha[k] + tokens / topics * (0.5 + random.NextDouble());
        }
        return new LdaParameters(topics, data.TermCount, lambda, gamma, alpha, 0.1);
    }

    // p(w | k) and p(k | d) from normalized Exp(1) draws.
    private static PlsaParameters RandomPlsa(Random random, SparseCounts data, int topics)
    {
        int w = data.TermCount;
        var wordTopic = new double[(long)w * topics];
        for (int k = 0; k < topics; k++)
        {
            double sum = 0;
            for (int t = 0; t < w; t++)
                sum += wordTopic[t * topics + k] = -Math.Log(1 - random.NextDouble());
            for (int t = 0; t < w; t++)
                wordTopic[t * topics + k] /= sum;
        }
        var documentTopic = new double[(long)data.DocumentCount * topics];
        for (int d = 0; d < data.DocumentCount; d++)
        {
            double sum = 0;
            for (int k = 0; k < topics; k++)
                sum += documentTopic[d * topics + k] = -Math.Log(1 - random.NextDouble());
            for (int k = 0; k < topics; k++)
                documentTopic[d * topics + k] /= sum;
        }
        return new PlsaParameters(topics, w, wordTopic, documentTopic);
    }
}
