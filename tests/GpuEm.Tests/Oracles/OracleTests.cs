using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Models.BernoulliMixture;
using GpuEm.Models.CategoricalMixture;
using GpuEm.Models.KMeans;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Oracles;

/// <summary>
/// Both engines of the Bernoulli mixture, the categorical mixture and k-means against their plain
/// float64 oracles at random parameters (a fresh seed per run, in the test name), with weights
/// and missing entries.
/// </summary>
/// <remarks>
/// Tolerances: the reference engines are float64 like the oracles and differ by summation order
/// only (held to 1e-10 relative + 1e-10 absolute). The accelerator forms each log p(x, k) in
/// float32 from d terms of size ≤ ~5 (error ~1e-6 relative) and sums in float64: statistics are
/// held to 1e-4 relative + 1e-4 absolute, the log-likelihood to 1e-5 per point. K-means'
/// accelerator ranks distances in float32 on well-separated clusters (no near ties), so its
/// clusters are the oracle's; its sums are taken around float32 centres (held to 1e-4 relative).
/// </remarks>
public sealed class OracleTests
{
    public static TheoryData<int, bool> Seeds()
    {
        int fresh = Environment.TickCount & 0xFFFF;
        return new TheoryData<int, bool> { { fresh, false }, { fresh + 1, true } };
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Both_bernoulli_engines_match_the_oracle(int seed, bool accelerator)
    {
        var random = new Random(seed);
        const int N = 300, D = 9, K = 3;
        var x = new float[N, D];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < D; j++)
                x[i, j] = random.NextDouble() < 0.1 ? float.NaN : random.Next(2);
        float[] weights = Enumerable.Range(0, N).Select(_ => (float)(0.5 + random.NextDouble())).ToArray();
        double[] mixing = Normalized(K, random);
        var p = new double[K, D];
        var flat = new double[K * D];
        for (int c = 0; c < K; c++)
            for (int j = 0; j < D; j++)
                flat[c * D + j] = p[c, j] = 0.05 + 0.9 * random.NextDouble();
        var parameters = new BernoulliParameters(K, D, mixing, flat);
        BinaryData data = BinaryData.From(x, weights);
        BernoulliStatistics actual = Expect(accelerator, parameters,
            handle => new AcceleratorBernoulliEngine(handle, data, K, null), () => new ReferenceBernoulliEngine(data));
        (double[] nk, double[] ones, double[] observed, double logLikelihood, double total) = DiscreteOracles.Bernoulli(x, weights, mixing, p);
        (double abs, double rel) = accelerator ? (1e-4, 1e-4) : (1e-10, 1e-10);
        Tolerance.Close(nk, actual.Weight, abs, rel, "N_k");
        Tolerance.Close(ones, actual.Ones, abs, rel, "S_kj");
        Tolerance.Close(observed, actual.Observed!, abs, rel, "O_kj");
        Tolerance.Close(logLikelihood, actual.LogLikelihood, accelerator ? 1e-5 * N : 1e-10, rel, "log-likelihood");
        Tolerance.Close(total, actual.TotalWeight, 1e-9, 1e-12, "total weight");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Both_categorical_engines_match_the_oracle(int seed, bool accelerator)
    {
        var random = new Random(seed);
        const int N = 300, K = 3;
        int[] levels = [3, 2, 5];
        var x = new int[N, levels.Length];
        for (int i = 0; i < N; i++)
            for (int j = 0; j < levels.Length; j++)
                x[i, j] = random.NextDouble() < 0.1 && j > 0 ? -1 : random.Next(levels[j]);
        float[] weights = Enumerable.Range(0, N).Select(_ => (float)(0.5 + random.NextDouble())).ToArray();
        double[] mixing = Normalized(K, random);
        double[][][] theta = Enumerable.Range(0, K).Select(_ => levels.Select(l => Normalized(l, random)).ToArray()).ToArray();
        var layout = new LevelLayout(levels);
        double[] flat = theta.SelectMany(c => c.SelectMany(j => j)).ToArray();
        var parameters = new CategoricalParameters(K, layout, mixing, flat);
        CategoricalData data = CategoricalData.From(x, levels, weights);
        CategoricalStatistics actual = Expect(accelerator, parameters,
            handle => new AcceleratorCategoricalEngine(handle, data, K, null), () => new ReferenceCategoricalEngine(data));
        (double[] nk, double[] counts, double logLikelihood, double total) = DiscreteOracles.Categorical(x, weights, mixing, theta);
        (double abs, double rel) = accelerator ? (1e-4, 1e-4) : (1e-10, 1e-10);
        Tolerance.Close(nk, actual.Weight, abs, rel, "N_k");
        Tolerance.Close(counts, actual.Counts, abs, rel, "C_kjl");
        Tolerance.Close(logLikelihood, actual.LogLikelihood, accelerator ? 1e-5 * N : 1e-10, rel, "log-likelihood");
        Tolerance.Close(total, actual.TotalWeight, 1e-9, 1e-12, "total weight");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Both_kmeans_engines_match_the_oracle(int seed, bool accelerator)
    {
        (float[,] x, _, double[,] means) = Synthetic.Mixture(400, 4, 5, seed: seed, separation: 12);
        float[] weights = Enumerable.Range(0, 400).Select(i => 0.5f + i % 3).ToArray();
        var random = new Random(seed);
        var centres = new double[5, 4];
        var flat = new double[20];
        for (int c = 0; c < 5; c++)
            for (int j = 0; j < 4; j++)
                flat[c * 4 + j] = centres[c, j] = means[c, j] + 0.3 * Synthetic.Normal(random);
        DataMatrix data = DataMatrix.From(x, weights);
        var parameters = new KMeansParameters(5, 4, flat);
        KMeansStatistics actual = Expect(accelerator, parameters,
            handle => new AcceleratorKMeansEngine(handle, data, 5), () => new ReferenceKMeansEngine(data));
        (double[] counts, double[] sums, double inertia) = DiscreteOracles.KMeans(x, weights, centres);
        Assert.Equal(counts, actual.Counts);
        // The engines accumulate Σ w (x − c) around their centres c (the shifts): add them back.
        double[] engineSums = actual.Sums.Select((s, i) => s + actual.Counts[i / 4] * actual.Shifts[i]).ToArray();
        double rel = accelerator ? 1e-4 : 1e-10;
        Tolerance.Close(sums, engineSums, rel, rel, "Σ w x");
        Tolerance.Close(inertia, actual.Inertia, rel, rel, "inertia");
    }

    // One E-step on the CPU accelerator or on the reference engine.
    private static TStats Expect<TParams, TStats>(
        bool accelerator, TParams parameters, Func<AcceleratorHandle, IEmEngine<TParams, TStats>> onDevice,
        Func<IEmEngine<TParams, TStats>> reference)
    {
        using IEmEngine<TParams, TStats> engine = accelerator
            ? onDevice(DeviceManager.Resolve(Backend.CpuAccelerator, null)!)
            : reference();
        return engine.Expect(parameters);
    }

    private static double[] Normalized(int count, Random random)
    {
        double[] values = Enumerable.Range(0, count).Select(_ => 0.2 + random.NextDouble()).ToArray();
        double sum = values.Sum();
        return values.Select(v => v / sum).ToArray();
    }
}
