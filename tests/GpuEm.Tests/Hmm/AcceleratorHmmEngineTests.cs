using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Kernels.HiddenMarkov;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.HiddenMarkov;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Hmm;

/// <summary>
/// The accelerator engine (ILGPU's CPU accelerator; float32 kernels, float64 sums) against the
/// float64 reference engine at random parameters: the expected starts and transitions and the
/// log-likelihood to 2e-5 relative, and the M-step's parameters from the two sets of statistics
/// to 1e-4 (means, rates, probabilities) and 1e-3 relative (covariances). Shapes include K = 1,
/// sequences of length 1, known states at some steps, and data that streams in several chunks.
/// </summary>
public sealed class AcceleratorHmmEngineTests
{
    /// <summary>The emission and covariance type a test case names ("categorical", "poisson", or a covariance type).</summary>
    internal static (HmmEmission Emission, CovarianceType Type) EmissionOf(string kind) => kind switch
    {
        "categorical" => (HmmEmission.Categorical, CovarianceType.Diagonal),
        "poisson" => (HmmEmission.Poisson, CovarianceType.Diagonal),
        _ => (HmmEmission.Gaussian, Enum.Parse<CovarianceType>(kind, ignoreCase: true)),
    };

    public static TheoryData<string, int, int, int> Cases => new()
    {
        { "diagonal", 3, 2, 1 },
        { "full", 4, 3, 2 },
        { "spherical", 1, 2, 3 },
        { "tied", 2, 3, 4 },
        { "categorical", 3, 1, 5 },
        { "poisson", 3, 2, 6 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesReferenceAtRandomParameters(string kind, int k, int d, int seed)
    {
        var random = new Random(seed);
        (HmmEmission emission, CovarianceType type) = EmissionOf(kind);
        int[] lengths = [1, 7, 40, 3, 1, 120, 9];
        int n = lengths.Sum();
        HmmParameters truth = RandomParameters(emission, type, k, d, random);
        HiddenMarkovModel planted = HmmTestModels.Model(truth.Start, truth.Transitions, truth.Emissions);
        float[,] rows = planted.Sample(lengths, seed).Rows;
        int[] labels = Enumerable.Range(0, n).Select(t => t % 11 == 5 ? random.Next(k) : -1).ToArray();
        HmmParameters at = RandomParameters(emission, type, k, d, random);

        int entries = emission == HmmEmission.Categorical ? 0 : emission == HmmEmission.Poisson ? d + 1 : type is CovarianceType.Full or CovarianceType.Tied ? (d + 1) * (d + 2) / 2 : 2 * d + 1;
        (long perRow, long fixedBytes) = AcceleratorHmmEngine.Footprint(k, d, entries);
        // Room for 125 streamed rows (not the 181 resident ones): two chunks, the 120-step sequence in one.
        foreach (long? limit in new long?[] { null, fixedBytes + 125 * (perRow + 4L * (d + 1)) })
        {
            HmmData data = HmmData.Create(SequenceData.From(DataMatrix.From(rows, null), lengths), emission, 0, labels, k);
            var options = new HiddenMarkovOptions(k) { Emission = emission, Covariance = type };
            HmmSettings settings = HmmSettings.Resolve(options, data.Rows, emission == HmmEmission.Categorical ? 4 : 0);
            using var reference = new ReferenceHmmEngine(data);
            AcceleratorHandle handle = DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
            using var device = new AcceleratorHmmEngine(handle, data, settings, limit);
            if (limit is not null)
                Assert.True(device.ChunkCount > 1, $"{device.ChunkCount} chunk(s) under a {limit} byte limit");
            SameStatistics(reference.Expect(at), device.Expect(at), at, settings, lengths);
        }
    }

    // The parallel-in-time path: long sequences cut into segments (forced small here), the
    // segments' transfer matrices scanned into boundary messages, forward-backward from them.
    // It must equal the sequential recursion of the reference engine; one case streams a
    // sequence over three times longer than a device chunk, which the engine cuts by itself.
    // The last case runs on the GPU-shaped CPU device (warps of 32, groups up to 256 threads).
    public static TheoryData<string, int, int, int, int, bool> SegmentCases => new()
    {
        { "diagonal", 3, 2, 11, 64, false },
        { "full", 2, 3, 12, 37, false },
        { "categorical", 4, 1, 13, 50, false },
        { "poisson", 1, 2, 14, 16, false },
        { "diagonal", 5, 2, 15, 1, false },
        { "full", 3, 2, 16, 45, true },
    };

    [Theory]
    [MemberData(nameof(SegmentCases))]
    public void LongSequencesCutIntoSegmentsMatchTheSequentialRecursion(string kind, int k, int d, int seed, int segmentRows, bool gpuShaped)
    {
        var random = new Random(seed);
        (HmmEmission emission, CovarianceType type) = EmissionOf(kind);
        // The GPU-shaped device emulates 32-thread warps slowly: a shorter problem, resident only.
        int[] lengths = segmentRows == 1 ? [9, 1, 4] : gpuShaped ? [120, 3, 1, 50] : [400, 3, 1, 150, 40];
        int n = lengths.Sum();
        HmmParameters truth = RandomParameters(emission, type, k, d, random);
        float[,] rows = HmmTestModels.Model(truth.Start, truth.Transitions, truth.Emissions).Sample(lengths, seed).Rows;
        int[] labels = Enumerable.Range(0, n).Select(t => t % 97 == 40 ? random.Next(k) : -1).ToArray();
        HmmParameters at = RandomParameters(emission, type, k, d, random);
        HmmData data = HmmData.Create(SequenceData.From(DataMatrix.From(rows, null), lengths), emission, 0, labels, k);
        var options = new HiddenMarkovOptions(k) { Emission = emission, Covariance = type };
        HmmSettings settings = HmmSettings.Resolve(options, data.Rows, emission == HmmEmission.Categorical ? 4 : 0);
        using var reference = new ReferenceHmmEngine(data);
        HmmStatistics expected = reference.Expect(at);
        AcceleratorHandle handle = gpuShaped ? GpuShapedDevice.Handle : DeviceManager.Resolve(Backend.CpuAccelerator, null)!;

        int entries = emission == HmmEmission.Categorical ? 0 : emission == HmmEmission.Poisson ? d + 1 : type is CovarianceType.Full or CovarianceType.Tied ? (d + 1) * (d + 2) / 2 : 2 * d + 1;
        (long perRow, long fixedBytes) = AcceleratorHmmEngine.Footprint(k, d, entries);
        // Forced segments, resident; then no forcing but a budget of ~120 streamed rows, so the
        // 400-step sequence (longer than a chunk) must be cut.
        var runs = new List<(int? Segment, long? Limit)> { (segmentRows, null) };
        if (segmentRows > 1 && !gpuShaped)
            runs.Add((null, fixedBytes + 120 * (perRow + 4L * (d + 1))));
        foreach ((int? segment, long? limit) in runs)
        {
            using var device = new AcceleratorHmmEngine(handle, data, settings, limit, segment);
            if (limit is not null)
                Assert.True(device.ChunkCount > 2, $"{device.ChunkCount} chunk(s) under a {limit} byte limit");
            HmmStatistics actual = device.Expect(at);
            SameStatistics(expected, actual, at, settings, lengths);
            if (limit is null)
            {
                // Same engine, same parameters: the same statistics to the last bit (fixed group
                // order on the device, the float64 scan on the host).
                HmmStatistics again = device.Expect(at);
                Assert.Equal(actual.LogLikelihood, again.LogLikelihood);
                Assert.Equal(actual.Transitions, again.Transitions);
                Assert.Equal(actual.Start, again.Start);
            }
        }
    }

    // Which sequences the device cuts (no device needed): longer than a chunk always; ≥ 16,384
    // steps when there are fewer than 256 sequences; never when K is above 64, where a sequence
    // longer than a chunk is a launch limit (Auto falls back to the reference engine).
    [Fact]
    public void TheDeviceCutsLongSequencesIntoSegmentsByTheDocumentedRule()
    {
        static SequenceData Of(params int[] lengths) =>
            SequenceData.From(DataMatrix.From(new float[lengths.Sum(), 1], null), lengths);

        var few = AcceleratorHmmEngine.Segments(Of(20_000, 100, 16_383), 1 << 20, canSegment: true, forced: null, Backend.Cuda, 8);
        Assert.Equal([(0, 5)], few.Segmented);                  // 20,000 = 4 × 4,096 + 3,616
        Assert.Equal([4096, 4096, 4096, 4096, 3616, 100, 16_383], Enumerable.Range(0, few.Units.UnitCount).Select(u => (int)few.Units.Length(u)));
        Assert.Equal([0, 0, 0, 0, 0, 1, 2], few.UnitSequence);
        Assert.Equal(HmmKernels.NeedsTransfer | HmmKernels.HasOutgoing, few.Flags[0]);
        Assert.Equal(HmmKernels.NeedsTransfer | HmmKernels.HasIncoming | HmmKernels.HasOutgoing, few.Flags[2]);
        Assert.Equal(HmmKernels.NeedsTransfer | HmmKernels.HasIncoming, few.Flags[4]);
        Assert.Equal([0, 0], few.Flags[5..]);

        int[] many = Enumerable.Repeat(20_000, 256).ToArray();
        Assert.Empty(AcceleratorHmmEngine.Segments(Of(many), 1 << 23, true, null, Backend.Cuda, 8).Segmented);
        // Longer than a chunk of 10,000 rows: cut, in segments of at most the chunk's rows.
        var chunked = AcceleratorHmmEngine.Segments(Of(many), 10_000, true, null, Backend.Cuda, 8);
        Assert.Equal(256, chunked.Segmented.Length);
        Assert.All(Enumerable.Range(0, chunked.Units.UnitCount), u => Assert.True(chunked.Units.Length(u) <= 4096));

        Assert.Empty(AcceleratorHmmEngine.Segments(Of(20_000), 1 << 20, canSegment: false, null, Backend.Cuda, 100).Segmented);
        var limit = Assert.Throws<LaunchLimitException>(() =>
            AcceleratorHmmEngine.Segments(Of(20_000), 10_000, canSegment: false, null, Backend.Cuda, 100));
        Assert.Contains("Sequence 0", limit.Reason);
        Assert.Contains("K = 100", limit.Reason);
    }

    [Fact]
    public void FitOnTheAcceleratorFollowsTheReferenceFit()
    {
        HmmSample sample = HmmTestModels.ThreeStates().Sample([150, 90, 60], seed: 2);
        var options = new HiddenMarkovOptions(3) { Covariance = CovarianceType.Full, Seed = 4, MaxIterations = 5, Tolerance = 0 };
        HiddenMarkovModel reference = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options with { Backend = Backend.Reference });
        HiddenMarkovModel device = HiddenMarkov.Fit(sample.Rows, sample.Lengths, options with { Backend = Backend.CpuAccelerator });
        Assert.Equal(Backend.CpuAccelerator, device.Backend);
        Assert.Equal(reference.ObjectiveHistory.Count, device.ObjectiveHistory.Count);
        for (int i = 0; i < reference.ObjectiveHistory.Count; i++)
            Assert.Equal(reference.ObjectiveHistory[i], device.ObjectiveHistory[i], 1e-5);
        Close(reference.TransitionMatrix.Cast<double>().ToArray(), device.TransitionMatrix.Cast<double>().ToArray(), 1e-4, 0);
    }

    [Fact]
    public void MixturesPerStateAndMissingDataFallBackToTheReferenceUnderAuto()
    {
        HmmSample sample = HmmTestModels.ThreeStates().Sample([200], seed: 3);
        float[,] rows = (float[,])sample.Rows.Clone();
        rows[10, 1] = float.NaN;
        var notices = new List<string>();
        var options = new HiddenMarkovOptions(2)
        {
            Backend = Backend.CpuAccelerator,
            Missing = MissingValues.Marginalize,
            MaxIterations = 2,
        };
        Assert.Throws<LaunchLimitException>(() => HiddenMarkov.Fit(rows, null, options));
        Assert.Throws<LaunchLimitException>(() => HiddenMarkov.Fit(sample.Rows, null,
            options with { Emission = HmmEmission.GaussianMixture, MixtureComponents = 2 }));
    }

    // The device's statistics against the reference's: log-likelihood 2e-5 relative, start and
    // transition counts 2e-5 per sequence / step, and the M-step's parameters from each set.
    private static void SameStatistics(HmmStatistics expected, HmmStatistics actual, HmmParameters at, HmmSettings settings, int[] lengths)
    {
        int k = at.States;
        int n = lengths.Sum();
        Assert.Equal(expected.LogLikelihood, actual.LogLikelihood, 2e-5 * Math.Abs(expected.LogLikelihood));
        for (int i = 0; i < k; i++)
            Assert.Equal(expected.Start[i], actual.Start[i], 2e-5 * lengths.Length);
        for (int i = 0; i < k * k; i++)
            Assert.Equal(expected.Transitions[i], actual.Transitions[i], 2e-5 * n);
        HmmParameters fromReference = HmmMStep.Maximize(expected, at, settings);
        HmmParameters fromDevice = HmmMStep.Maximize(actual, at, settings);
        Close(fromReference.Transitions, fromDevice.Transitions, 1e-4, 0);
        switch (fromReference.Emissions)
        {
            case GaussianEmissions g:
                var h = (GaussianEmissions)fromDevice.Emissions;
                Close(g.Parameters.Means, h.Parameters.Means, 1e-4, 0);
                Close(g.Parameters.Covariances, h.Parameters.Covariances, 1e-4, 1e-3);
                break;
            case CategoricalEmissions c:
                Close(c.Probabilities, ((CategoricalEmissions)fromDevice.Emissions).Probabilities, 1e-4, 0);
                break;
            case PoissonEmissions p:
                Close(p.Rates, ((PoissonEmissions)fromDevice.Emissions).Rates, 1e-4, 1e-4);
                break;
        }
    }

    internal static HmmParameters RandomParameters(HmmEmission emission, CovarianceType type, int k, int d, Random random)
    {
        double[] start = HmmTestModels.Dirichlet(k, random);
        double[] transitions = Enumerable.Range(0, k).SelectMany(_ => HmmTestModels.Dirichlet(k, random)).ToArray();
        HmmEmissions emissions;
        switch (emission)
        {
            case HmmEmission.Categorical:
                emissions = new CategoricalEmissions(k, 4, Enumerable.Range(0, k).SelectMany(_ => HmmTestModels.Dirichlet(4, random)).ToArray());
                break;
            case HmmEmission.Poisson:
                emissions = new PoissonEmissions(k, d, Enumerable.Range(0, k * d).Select(_ => 0.5 + 6 * random.NextDouble()).ToArray());
                break;
            default:
                double[] means = Enumerable.Range(0, k * d).Select(_ => 4 * random.NextDouble() - 2).ToArray();
                GaussianParameters gp = Support.Synthetic.Parameters(type, k, d, means, random);
                emissions = new GaussianEmissions(k, 1, GaussianParameters.Create(type, k, d, Enumerable.Repeat(1.0, k).ToArray(), gp.Means, gp.Covariances));
                break;
        }
        return new HmmParameters(start, transitions, emissions);
    }

    private static void Close(double[] expected, double[] actual, double absolute, double relative)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= absolute + relative * Math.Abs(expected[i]),
                $"entry {i}: expected {expected[i]}, got {actual[i]}");
    }
}
