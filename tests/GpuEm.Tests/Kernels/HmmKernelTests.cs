using GpuEm.Engines;
using GpuEm.Kernels.HiddenMarkov;
using GpuEm.Tests.Oracles;
using GpuEm.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using Xunit;
using Xunit.Sdk;

namespace GpuEm.Tests.Kernels;

/// <summary>
/// The hidden Markov model kernels (<see cref="HmmKernels"/>, launched by <see cref="HmmLauncher"/>)
/// against the float64 oracle (<see cref="HmmOracle"/>: log-space forward-backward, no scaling) on
/// random inputs with fresh seeds: K = 1, 3, 8, 40 (more than the 16 threads of the default CPU
/// device's group, so a thread owns several states), 70 (the counts no longer fit in shared
/// memory beside A) and 120 (A does not either); sequences of length 1, many short sequences over
/// fewer groups than sequences, one of 2,000 steps; labels at some steps; the default CPU device
/// and the GPU-shaped one (groups of 32 and 64 threads).
/// </summary>
/// <remarks>
/// Tolerances. Emissions: each log-density is formed in float32 from the same float inputs in
/// ≤ d² + 2 roundings of 6e-8, so it is held to 1e-6·(d + 1) of the magnitude of its terms.
/// Forward-backward: the float32 scaled recursions are stable (each step renormalizes), so the
/// errors do not grow with T; measured over all cases (fresh seeds, the 2,000-step sequence
/// included) γ differed by at most 1.2e-7 and the ξ sums and start counts by at most 1.5e-7
/// relative. γ is held to 1e-5 absolute, the ξ sums and start counts (float32 terms summed in
/// float64) to 1e-5 relative + 1e-5 absolute. A sequence's log-likelihood is Σ (m_t + log c_t)
/// with m_t exact and c_t ≤ 1 formed in float32 (log c_t within ~1 ulp of |log c_t| ≲ 10, ~1e-6):
/// held to 2e-6 per step + 1e-6 relative (measured at most 1.4e-7 per step).
/// </remarks>
public sealed class HmmKernelTests
{
    private static readonly int Fresh = Environment.TickCount & 0xFFFF;

    public static TheoryData<int, int, int, int> EmissionCases()
    {
        var cases = new TheoryData<int, int, int, int>();
        foreach ((int n, int d, int k) in new[] { (1, 1, 1), (37, 3, 3), (100, 7, 8), (20, 3, 40), (5, 1, 40) })
            cases.Add(n, d, k, Fresh + 13 * n + d + k);
        return cases;
    }

    [Theory]
    [MemberData(nameof(EmissionCases))]
    public void Gaussian_emission_densities_match_the_oracle(int n, int d, int k, int seed)
    {
        var random = new Random(seed);
        float[] data = Floats(n * d, () => 3 * Synthetic.Normal(random));
        float[] means = Floats(k * d, () => 2 * Synthetic.Normal(random));
        float[] diagonal = Floats(k * d, () => 0.5 + 1.5 * random.NextDouble());
        var factors = new float[k * d * d];
        for (int state = 0; state < k; state++)
            for (int i = 0; i < d; i++)
                for (int j = i; j < d; j++)
                    factors[state * d * d + i * d + j] = (float)(i == j ? 0.5 + 1.5 * random.NextDouble() : 0.3 * Synthetic.Normal(random));
        float[] logNorm = Floats(k, () => Synthetic.Normal(random) - 0.5 * d * Math.Log(2 * Math.PI));

        AcceleratorHandle handle = DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
        float[] diagonalActual, fullActual;
        lock (handle.Sync)
        {
            Accelerator a = handle.Accelerator;
            using var dataBuffer = a.Allocate1D(data);
            using var meanBuffer = a.Allocate1D(means);
            using var diagonalBuffer = a.Allocate1D(diagonal);
            using var factorBuffer = a.Allocate1D(factors);
            using var normBuffer = a.Allocate1D(logNorm);
            using var logB = a.Allocate1D<float>(n * k);
            using var launcher = new HmmLauncher(handle, k, 1);
            launcher.EmissionDiagonal(n, d, dataBuffer.View, meanBuffer.View, diagonalBuffer.View, normBuffer.View, logB.View);
            diagonalActual = logB.GetAsArray1D();
            launcher.EmissionFull(n, d, dataBuffer.View, meanBuffer.View, factorBuffer.View, normBuffer.View, logB.View);
            fullActual = logB.GetAsArray1D();
        }

        (double[] expected, double[] magnitude) = HmmOracle.Diagonal(data, n, d, means, diagonal, logNorm, k);
        for (int e = 0; e < expected.Length; e++)
            Tolerance.Close(expected[e], diagonalActual[e], 1e-6 * (d + 1) * magnitude[e] + 1e-7, 0, $"diagonal logB[{e / k},{e % k}]");
        (expected, magnitude) = HmmOracle.Full(data, n, d, means, factors, logNorm, k);
        for (int e = 0; e < expected.Length; e++)
            Tolerance.Close(expected[e], fullActual[e], 1e-6 * (d + 1) * magnitude[e] + 1e-7, 0, $"full logB[{e / k},{e % k}]");
    }

    [Theory]
    [MemberData(nameof(EmissionCases))]
    public void Discrete_emission_densities_match_the_oracle(int n, int d, int k, int seed)
    {
        var random = new Random(seed);
        const int symbolCount = 5;
        // One symbol outside 0 … M − 1 (the last row): every state gets −∞ there.
        float[] symbols = Floats(n, () => random.Next(symbolCount));
        symbols[^1] = n > 1 ? symbolCount : symbols[^1];
        float[] logEmission = new float[k * symbolCount];
        for (int state = 0; state < k; state++)
        {
            double[] p = Enumerable.Range(0, symbolCount).Select(_ => 0.05 + random.NextDouble()).ToArray();
            for (int m = 0; m < symbolCount; m++)
                logEmission[state * symbolCount + m] = (float)Math.Log(p[m] / p.Sum());
        }
        float[] counts = Floats(n * d, () => random.Next(0, 25));
        float[] rate = Floats(k * d, () => 0.5 + 15 * random.NextDouble());
        float[] logRate = rate.Select(r => (float)Math.Log(r)).ToArray();
        float[] rowConstant = Enumerable.Range(0, n)
            .Select(t => (float)-Enumerable.Range(0, d).Sum(j => HmmOracle.LogFactorial((int)counts[t * d + j]))).ToArray();

        AcceleratorHandle handle = DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
        float[] categoricalActual, poissonActual;
        lock (handle.Sync)
        {
            Accelerator a = handle.Accelerator;
            using var symbolBuffer = a.Allocate1D(symbols);
            using var emissionBuffer = a.Allocate1D(logEmission);
            using var countBuffer = a.Allocate1D(counts);
            using var rateBuffer = a.Allocate1D(rate);
            using var logRateBuffer = a.Allocate1D(logRate);
            using var constantBuffer = a.Allocate1D(rowConstant);
            using var logB = a.Allocate1D<float>(n * k);
            using var launcher = new HmmLauncher(handle, k, 1);
            launcher.EmissionCategorical(n, symbolCount, symbolBuffer.View, emissionBuffer.View, logB.View);
            categoricalActual = logB.GetAsArray1D();
            launcher.EmissionPoisson(n, d, countBuffer.View, logRateBuffer.View, rateBuffer.View, constantBuffer.View, logB.View);
            poissonActual = logB.GetAsArray1D();
        }

        // Categorical: a copy of a float, exact.
        double[] expected = HmmOracle.Categorical(symbols, logEmission, k, symbolCount);
        Assert.Equal(expected, categoricalActual.Select(v => (double)v).ToArray());
        (expected, double[] magnitude) = HmmOracle.Poisson(counts, n, d, logRate, rate, k);
        for (int e = 0; e < expected.Length; e++)
            Tolerance.Close(expected[e], poissonActual[e], 1e-6 * (d + 1) * magnitude[e] + 1e-7, 0, $"poisson logB[{e / k},{e % k}]");
    }

    /// <summary>
    /// A forward-backward case: states, sequence lengths, share of labelled steps, share of A's
    /// off-diagonal entries that are zero (labels may then contradict A), groups (0: the
    /// launcher's default), the device.
    /// </summary>
    public static TheoryData<string, int, int[], double, double, int, bool, int> ForwardBackwardCases()
    {
        int[] Lengths(int seed, int count, int min, int max)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ => random.Next(min, max + 1)).ToArray();
        }
        return new TheoryData<string, int, int[], double, double, int, bool, int>
        {
            { "one state", 1, [1, 1, 4, 7], 0.3, 0, 0, false, Fresh + 1 },
            { "many short over 7 groups", 3, Lengths(Fresh, 150, 1, 6), 0.1, 0.2, 7, false, Fresh + 2 },
            { "many short, a group each", 3, Lengths(Fresh + 1, 60, 1, 6), 0.0, 0.2, 0, false, Fresh + 3 },
            { "one long sequence", 8, [2000, 1, 3, 17], 0.05, 0, 0, false, Fresh + 4 },
            { "states beyond the group", 40, Lengths(Fresh + 2, 12, 1, 30), 0.1, 0.2, 5, false, Fresh + 5 },
            { "counts in global memory", 70, [9, 1, 6], 0.1, 0.2, 2, false, Fresh + 6 },
            { "transitions in global memory", 120, [5, 3], 0.0, 0.2, 0, false, Fresh + 7 },
            { "gpu-shaped, 32 threads", 3, Lengths(Fresh + 3, 40, 1, 20), 0.1, 0.2, 9, true, Fresh + 8 },
            { "gpu-shaped, 64 threads", 40, Lengths(Fresh + 4, 6, 1, 25), 0.1, 0, 0, true, Fresh + 9 },
        };
    }

    [Theory]
    [MemberData(nameof(ForwardBackwardCases))]
    public void Forward_backward_matches_the_log_space_oracle(
        string what, int k, int[] lengths, double labelShare, double zeroShare, int groups, bool gpuShaped, int seed)
    {
        var random = new Random(seed);
        Problem problem = RandomProblem(random, k, lengths, labelShare, zeroShare);
        Outcome actual = Run(gpuShaped ? GpuShapedDevice.Handle : DeviceManager.Resolve(Backend.CpuAccelerator, null)!, problem, groups);
        HmmOracle.Result expected = HmmOracle.ForwardBackward(
            problem.LogB.Select(v => (double)v).ToArray(), k, problem.Starts, problem.LogStart, problem.Transition, problem.Labels);
        // Without zeros in A no label contradicts it: every sequence, the longest included, is run.
        if (zeroShare == 0)
            Assert.All(expected.SequenceLogLikelihood, ll => Assert.True(double.IsFinite(ll), $"{what}: {ll}"));
        AssertClose(expected, actual, problem, what);
    }

    [Fact]
    public void A_sequence_of_zero_likelihood_is_flagged_and_adds_nothing()
    {
        var random = new Random(Fresh + 100);
        Problem problem = RandomProblem(random, 3, [6, 5, 4, 3], 0, 0) with { Labels = Enumerable.Repeat(-1, 18).ToArray() };
        // No move from state 0 to state 1; the second sequence is labelled 0 then 1 at steps 2, 3.
        problem.Transition[0 * 3 + 1] = 0f;
        problem.Transition[0 * 3 + 2] = 1f - problem.Transition[0];
        problem.Labels![problem.Starts[1] + 2] = 0;
        problem.Labels[problem.Starts[1] + 3] = 1;
        // The fourth has a step no state can emit (a categorical symbol outside 0 … M − 1).
        for (int state = 0; state < 3; state++)
            problem.LogB[(problem.Starts[3] + 1) * 3 + state] = float.NegativeInfinity;

        Outcome actual = Run(DeviceManager.Resolve(Backend.CpuAccelerator, null)!, problem, 2);
        HmmOracle.Result expected = HmmOracle.ForwardBackward(
            problem.LogB.Select(v => (double)v).ToArray(), 3, problem.Starts, problem.LogStart, problem.Transition, problem.Labels);

        Assert.True(double.IsNegativeInfinity(expected.SequenceLogLikelihood[1]), "the oracle sees the contradiction");
        Assert.True(double.IsNegativeInfinity(expected.SequenceLogLikelihood[3]), "the oracle sees the impossible step");
        Assert.True(double.IsNegativeInfinity(actual.SequenceLogLikelihood[1]), $"sequence 1: {actual.SequenceLogLikelihood[1]}");
        Assert.True(double.IsNegativeInfinity(actual.SequenceLogLikelihood[3]), $"sequence 3: {actual.SequenceLogLikelihood[3]}");
        foreach (int s in new[] { 1, 3 })
            for (int e = problem.Starts[s] * 3; e < problem.Starts[s + 1] * 3; e++)
                Assert.Equal(0f, actual.Gamma[e]);
        Assert.All(actual.Gamma, g => Assert.True(float.IsFinite(g)));
        AssertClose(expected, actual, problem, "zero likelihood");
    }

    // On a CUDA device (skipped without one): the production group sizes (32 to 128 threads), the
    // default grid (1,024 groups, each running two or more sequences) and every shared-memory
    // layout, at the tolerances above.
    [CudaFact]
    public void Forward_backward_matches_the_oracle_on_cuda()
    {
        AcceleratorHandle handle = DeviceManager.Resolve(Backend.Cuda, null)!;
        var random = new Random(Fresh + 300);
        int[] Lengths(int count, int min, int max) => Enumerable.Range(0, count).Select(_ => random.Next(min, max + 1)).ToArray();
        foreach ((string what, int k, int[] lengths, double zeroShare) in new[]
        {
            ("many sequences", 3, Lengths(2500, 1, 40), 0.2),
            ("one long sequence", 8, [20000, 5, 1], 0.0),
            ("A and counts in shared", 40, Lengths(50, 1, 60), 0.2),
            ("counts in global memory", 70, Lengths(10, 1, 30), 0.2),
            ("transitions in global memory", 120, Lengths(4, 1, 20), 0.0),
        })
        {
            Problem problem = RandomProblem(random, k, lengths, 0.05, zeroShare);
            Outcome actual = Run(handle, problem, 0);
            HmmOracle.Result expected = HmmOracle.ForwardBackward(
                problem.LogB.Select(v => (double)v).ToArray(), k, problem.Starts, problem.LogStart, problem.Transition, problem.Labels);
            AssertClose(expected, actual, problem, $"cuda {what}");
        }
    }

    [Fact]
    public void Runs_repeat_exactly_and_the_grid_changes_only_the_order_of_the_float64_sums()
    {
        var random = new Random(Fresh + 200);
        Problem problem = RandomProblem(random, 5, Enumerable.Range(0, 30).Select(i => 1 + i % 9).ToArray(), 0.1, 0.2);
        AcceleratorHandle cpu = DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
        Outcome first = Run(cpu, problem, 4);
        Outcome again = Run(cpu, problem, 4);
        // Same grid, same group size: the same float operations in the same order.
        Assert.Equal(first.Totals, again.Totals);
        Assert.Equal(first.Gamma, again.Gamma);
        Assert.Equal(first.SequenceLogLikelihood, again.SequenceLogLikelihood);
        // One group or 30: each sequence is computed alike (γ and its log-likelihood bit for bit);
        // only the float64 sums over sequences and groups are added in another order.
        foreach (int groups in new[] { 1, 30 })
        {
            Outcome other = Run(cpu, problem, groups);
            Assert.Equal(first.Gamma, other.Gamma);
            Assert.Equal(first.SequenceLogLikelihood, other.SequenceLogLikelihood);
            Tolerance.Close(first.Totals, other.Totals, 1e-12, 1e-12, $"totals over {groups} groups");
        }
    }

    [Fact]
    public void The_plan_keeps_groups_within_the_device_and_counts_beside_transitions()
    {
        foreach (DeviceLimits limits in new[] { DeviceLimits.Cuda, new DeviceLimits(16, 48 * 1024), new DeviceLimits(256, 96 * 1024) })
            foreach (int k in new[] { 1, 2, 3, 31, 32, 33, 40, 64, 65, 70, 110, 111, 120, 1000 })
            {
                HmmLauncher.ForwardBackwardPlan plan = HmmLauncher.Plan(limits, k);
                Assert.True(plan.GroupSize <= limits.MaxThreadsPerGroup && (plan.GroupSize & (plan.GroupSize - 1)) == 0, $"{limits} K={k}: {plan}");
                Assert.True(plan.GroupSize >= Math.Min(Math.Min(k, 32), limits.MaxThreadsPerGroup), $"{limits} K={k}: {plan}");
                Assert.True(!plan.CountsInShared || plan.TransitionsInShared, $"{limits} K={k}: {plan}");
                Assert.True(plan.SharedDoubles(k) * 8L <= 48 * 1024, $"{limits} K={k}: {plan}");
            }
        // K = 40: A and the counts (19.2 KiB) fit; K = 70: A only; K = 120: neither.
        Assert.Equal(new HmmLauncher.ForwardBackwardPlan(64, true, true), HmmLauncher.Plan(DeviceLimits.Cuda, 40));
        Assert.Equal(new HmmLauncher.ForwardBackwardPlan(128, false, true), HmmLauncher.Plan(DeviceLimits.Cuda, 70));
        Assert.Equal(new HmmLauncher.ForwardBackwardPlan(128, false, false), HmmLauncher.Plan(DeviceLimits.Cuda, 120));
        Assert.Equal(1024, HmmLauncher.GroupCount(100_000, 3));
        Assert.Equal(17, HmmLauncher.GroupCount(17, 3));
    }

    // SegmentTransferKernel (on the default CPU device's groups of 16 and the GPU-shaped 256) against Φ = Π_t A·diag(b_t) (diag(π ∘ b_0) first for a unit that starts its
    // sequence) in float64, normalized to sum 1: units of 1 … 150 steps, labels at some steps, units not
    // flagged left alone, a zero-likelihood unit all 0. The float32 inputs and the per-step
    // renormalization in float64 leave ≤ ~T roundings of 6e-8 per entry: held to 1e-5 relative of the
    // largest entry (it passes at 1e-7 on these seeds).
    [Theory]
    [InlineData(1, 21, false)]
    [InlineData(3, 22, false)]
    [InlineData(8, 23, false)]
    [InlineData(16, 24, false)]
    [InlineData(3, 25, true)]
    [InlineData(24, 26, true)]
    public void Segment_transfer_matrices_match_the_float64_product(int k, int seed, bool gpuShaped)
    {
        var random = new Random(Fresh + seed);
        int[] lengths = [1, 150, 7, 60, 2, 33];
        Problem problem = RandomProblem(random, k, lengths, labelShare: 0.1, zeroShare: 0);
        // Flags: transfer for all but unit 4; units 0 and 3 start their sequence; slot = order among the flagged.
        int[] flags = new int[lengths.Length];
        int slot = 0;
        for (int u = 0; u < lengths.Length; u++)
        {
            if (u == 4)
                continue;
            flags[u] = HmmKernels.NeedsTransfer | (u is 0 or 3 ? 0 : HmmKernels.HasIncoming) | (slot++ << 3);
        }
        // Unit 5 has a step that no state may produce (every logB −∞): Φ = 0.
        int impossible = problem.Starts[5] + 10;
        for (int state = 0; state < k; state++)
            problem.LogB[impossible * k + state] = float.NegativeInfinity;
        AcceleratorHandle handle = gpuShaped ? GpuShapedDevice.Handle : DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
        double[] actual;
        lock (handle.Sync)
        {
            Accelerator a = handle.Accelerator;
            using var logB = a.Allocate1D(problem.LogB);
            using var starts = a.Allocate1D(problem.Starts);
            using var logStart = a.Allocate1D(problem.LogStart);
            using var transition = a.Allocate1D(problem.Transition);
            using var labels = a.Allocate1D(problem.Labels!);
            using var flagBuffer = a.Allocate1D(flags);
            using var transfers = a.Allocate1D<double>((long)slot * k * k);
            using var launcher = new HmmLauncher(handle, k, lengths.Length);
            Assert.True(launcher.CanSegment);
            launcher.SegmentTransfer(lengths.Length, logB.View, starts.View, logStart.View, transition.View, labels.View, true,
                flagBuffer.View, transfers.View);
            actual = transfers.GetAsArray1D();
        }
        slot = 0;
        for (int u = 0; u < lengths.Length; u++)
        {
            if (flags[u] == 0)
                continue;
            double[] expected = Transfer(problem, k, u, startsSequence: (flags[u] & HmmKernels.HasIncoming) == 0);
            double[] got = actual.AsSpan(slot++ * k * k, k * k).ToArray();
            if (u == 5)
            {
                Assert.All(got, v => Assert.Equal(0.0, v));
                continue;
            }
            Assert.Equal(1.0, got.Sum(), 1e-12);
            Tolerance.Close(expected, got, 1e-5 * expected.Max(), 0, $"Φ of unit {u} (K={k}, T={lengths[u]})");
        }
    }

    private static double[] Transfer(Problem problem, int k, int unit, bool startsSequence)
    {
        var phi = new double[k * k];
        int first = problem.Starts[unit];
        int length = problem.Starts[unit + 1] - first;
        for (int t = 0; t < length; t++)
        {
            int step = first + t;
            int label = problem.Labels![step];
            var b = new double[k];
            double max = double.NegativeInfinity;
            for (int j = 0; j < k; j++)
                if (label < 0 || label == j)
                    max = Math.Max(max, problem.LogB[step * k + j]);
            for (int j = 0; j < k; j++)
                b[j] = label < 0 || label == j ? Math.Exp(problem.LogB[step * k + j] - max) : 0;
            var next = new double[k * k];
            if (t == 0)
            {
                for (int i = 0; i < k; i++)
                    for (int j = 0; j < k; j++)
                        next[i * k + j] = startsSequence
                            ? (i == j ? Math.Exp(problem.LogStart[i]) * b[i] : 0)
                            : problem.Transition[i * k + j] * b[j];
            }
            else
            {
                for (int i = 0; i < k; i++)
                    for (int j = 0; j < k; j++)
                    {
                        double sum = 0;
                        for (int l = 0; l < k; l++)
                            sum += phi[i * k + l] * problem.Transition[l * k + j];
                        next[i * k + j] = sum * b[j];
                    }
            }
            double total = next.Sum();
            phi = total > 0 ? next.Select(v => v / total).ToArray() : next;
        }
        return phi;
    }

    private sealed record Problem(float[] LogB, int[] Starts, float[] LogStart, float[] Transition, int[]? Labels);

    private sealed record Outcome(float[] Gamma, double[] SequenceLogLikelihood, double[] Totals, int Groups);

    // Random emission log-densities: per row a shift of up to −300 (the kernel's m_t takes it out)
    // plus per state up to −8; A with a share of its off-diagonal entries zero; labels at a share of
    // the steps (with zeros in A they may contradict it: both sides then report −∞), none (and the
    // kernel told not to read them; Run passes zeros, which would pin every step to state 0) when
    // the share is 0.
    private static Problem RandomProblem(Random random, int k, int[] lengths, double labelShare, double zeroShare)
    {
        int n = lengths.Sum();
        var starts = new int[lengths.Length + 1];
        for (int s = 0; s < lengths.Length; s++)
            starts[s + 1] = starts[s] + lengths[s];
        var logB = new float[n * k];
        for (int t = 0; t < n; t++)
        {
            double shift = -300 * random.NextDouble();
            for (int state = 0; state < k; state++)
                logB[t * k + state] = (float)(shift - 8 * random.NextDouble());
        }
        var transition = new float[k * k];
        for (int i = 0; i < k; i++)
        {
            double[] row = Enumerable.Range(0, k).Select(j => j != i && random.NextDouble() < zeroShare ? 0 : 0.05 + random.NextDouble()).ToArray();
            double sum = row.Sum();
            for (int j = 0; j < k; j++)
                transition[i * k + j] = (float)(row[j] / sum);
        }
        double[] start = Enumerable.Range(0, k).Select(_ => 0.05 + random.NextDouble()).ToArray();
        float[] logStart = start.Select(p => (float)Math.Log(p / start.Sum())).ToArray();
        int[] labels = Enumerable.Range(0, n).Select(_ => random.NextDouble() < labelShare ? random.Next(k) : -1).ToArray();
        return new Problem(logB, starts, logStart, transition, labelShare > 0 ? labels : null);
    }

    private static Outcome Run(AcceleratorHandle handle, Problem problem, int groups)
    {
        int k = problem.LogStart.Length;
        int n = problem.Starts[^1];
        int sequences = problem.Starts.Length - 1;
        lock (handle.Sync)
        {
            Accelerator a = handle.Accelerator;
            using var logB = a.Allocate1D(problem.LogB);
            using var starts = a.Allocate1D(problem.Starts);
            using var logStart = a.Allocate1D(problem.LogStart);
            using var transition = a.Allocate1D(problem.Transition);
            using var labels = a.Allocate1D(problem.Labels ?? new int[n]);
            using var posteriors = a.Allocate1D<float>((long)n * k);
            using var scales = a.Allocate1D<float>(2L * n);
            using var sequenceLl = a.Allocate1D<double>(sequences);
            using var launcher = new HmmLauncher(handle, k, sequences, groups > 0 ? groups : null);
            launcher.ForwardBackward(sequences, logB.View, starts.View, logStart.View, transition.View, labels.View,
                problem.Labels is not null, posteriors.View, scales.View, sequenceLl.View, first: true);
            var totals = new double[launcher.Stride];
            launcher.Read(totals);
            return new Outcome(posteriors.GetAsArray1D(), sequenceLl.GetAsArray1D(), totals, launcher.Groups);
        }
    }

    private static void AssertClose(HmmOracle.Result expected, Outcome actual, Problem problem, string what)
    {
        int k = problem.LogStart.Length;
        what = $"{what} (K={k}, G={actual.Groups})";
        for (int s = 0; s < expected.SequenceLogLikelihood.Length; s++)
        {
            double e = expected.SequenceLogLikelihood[s], a = actual.SequenceLogLikelihood[s];
            int length = problem.Starts[s + 1] - problem.Starts[s];
            if (double.IsNegativeInfinity(e) || double.IsNegativeInfinity(a))
            {
                if (e != a)
                    throw new XunitException($"{what} sequence {s}: expected {e}, got {a}");
                continue;
            }
            Tolerance.Close(e, a, 2e-6 * length, 1e-6, $"{what} log-likelihood of sequence {s} (T={length})");
        }
        for (int e = 0; e < expected.Gamma.Length; e++)
            Tolerance.Close(expected.Gamma[e], actual.Gamma[e], 1e-5, 0, $"{what} gamma[{e / k},{e % k}]");
        double[] counts = actual.Totals[..(k * k)];
        double[] startCounts = actual.Totals[(k * k)..(k * k + k)];
        Tolerance.Close(expected.TransitionCounts, counts, 1e-5, 1e-5, $"{what} transition counts");
        Tolerance.Close(expected.StartCounts, startCounts, 1e-5, 1e-5, $"{what} start counts");
        Tolerance.Close(expected.LogLikelihood, actual.Totals[k * k + k], 2e-6 * problem.Starts[^1], 1e-6, $"{what} log-likelihood");
    }

    private static float[] Floats(int count, Func<double> draw) =>
        Enumerable.Range(0, count).Select(_ => (float)draw()).ToArray();
}
