using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.HiddenMarkov;
using GpuEm.Tests.Support;
using ILGPU.Runtime;
using Xunit;

namespace GpuEm.Tests.Hmm;

/// <summary>
/// Viterbi on the accelerator (ILGPU's CPU accelerator; float32 emissions, float64 scores) against
/// the float64 reference recursion: the same path at every step, and each sequence's
/// log p(x, path) to 1e-5 relative (plus 1e-3 absolute). Shapes include K = 1, sequences of length 1,
/// data that streams in several chunks, long sequences cut into segments (the (max, +) scan), and
/// exact ties across segment boundaries, where the device must still return one consistent path.
/// </summary>
public sealed class HmmViterbiDeviceTests
{
    public static TheoryData<string, int, int, int> Cases => new()
    {
        { "diagonal", 3, 2, 21 },
        { "full", 4, 3, 22 },
        { "spherical", 1, 2, 23 },
        { "tied", 2, 3, 24 },
        { "categorical", 3, 1, 25 },
        { "poisson", 3, 2, 26 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ViterbiOnTheDeviceEqualsTheReference(string kind, int k, int d, int seed)
    {
        int[] lengths = [1, 7, 40, 3, 1, 120, 9];
        (HmmData data, HmmParameters at, HmmSettings settings, int entries) = Problem(kind, k, d, seed, lengths);
        (int[] path, double[] logProbabilities) = new ReferenceHmmEngine(data).Decode(at);
        (long perRow, long fixedBytes) = AcceleratorHmmEngine.Footprint(k, d, entries);
        foreach (long? limit in new long?[] { null, fixedBytes + 125 * (perRow + 4L * (d + 1)) })
        {
            using var device = new AcceleratorHmmEngine(DeviceManager.Resolve(Backend.CpuAccelerator, null)!, data, settings, limit);
            if (limit is not null)
                Assert.True(device.ChunkCount > 1, $"{device.ChunkCount} chunk(s) under a {limit} byte limit");
            (int[] devicePath, double[] deviceLogProbabilities) = device.Decode(at);
            Assert.Equal(path, devicePath);
            SameScores(logProbabilities, deviceLogProbabilities);
        }
    }

    public static TheoryData<string, int, int, int, int, bool> SegmentCases => new()
    {
        { "diagonal", 3, 2, 31, 64, false },
        { "full", 2, 3, 32, 37, false },
        { "categorical", 4, 1, 33, 50, false },
        { "poisson", 1, 2, 34, 16, false },
        { "diagonal", 5, 2, 35, 1, false },
        { "full", 3, 2, 36, 45, true },
    };

    // Long sequences cut into segments (forced small, or cut because they are longer than a chunk):
    // the segments' (max, +) transfer matrices scanned into entering messages, Viterbi from them,
    // each segment's last state from δ + β, the paths traced per segment and joined.
    [Theory]
    [MemberData(nameof(SegmentCases))]
    public void SegmentedViterbiEqualsTheSequentialRecursion(string kind, int k, int d, int seed, int segmentRows, bool gpuShaped)
    {
        int[] lengths = segmentRows == 1 ? [9, 1, 4] : gpuShaped ? [120, 3, 1, 50] : [400, 3, 1, 150, 40];
        (HmmData data, HmmParameters at, HmmSettings settings, int entries) = Problem(kind, k, d, seed, lengths);
        (int[] path, double[] logProbabilities) = new ReferenceHmmEngine(data).Decode(at);
        AcceleratorHandle handle = gpuShaped ? GpuShapedDevice.Handle : DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
        (long perRow, long fixedBytes) = AcceleratorHmmEngine.Footprint(k, d, entries);
        var runs = new List<(int? Segment, long? Limit)> { (segmentRows, null) };
        if (segmentRows > 1 && !gpuShaped)
            runs.Add((null, fixedBytes + 120 * (perRow + 4L * (d + 1))));
        foreach ((int? segment, long? limit) in runs)
        {
            using var device = new AcceleratorHmmEngine(handle, data, settings, limit, segment);
            if (limit is not null)
                Assert.True(device.ChunkCount > 2, $"{device.ChunkCount} chunk(s) under a {limit} byte limit");
            (int[] devicePath, double[] deviceLogProbabilities) = device.Decode(at);
            SamePathOrATie(data, at, path, devicePath, lengths);
            SameScores(logProbabilities, deviceLogProbabilities);
        }
    }

    // Two states that must alternate (A = [[0, 1], [1, 0]]) with the same emissions: both paths tie
    // exactly, and a segment's own choice of last state (the lower, on a tie) disagrees with its
    // successor's path at every other boundary. The device must trace those segments again, and the
    // joined path must be the reference's (it ends in state 0 and alternates), with no forbidden step.
    [Fact]
    public void ExactTiesAtSegmentBoundariesStillGiveOneAllowedPath()
    {
        GaussianEmissions same = HmmTestModels.Gaussian(CovarianceType.Diagonal, [0, 0], [1, 1], 2, 1);
        HiddenMarkovModel model = HmmTestModels.Model([0.5, 0.5], [0, 1, 1, 0], same, [false, true, true, false]);
        float[,] rows = new float[101, 1];
        var random = new Random(5);
        for (int t = 0; t < 101; t++)
            rows[t, 0] = (float)random.NextDouble();
        HmmData data = HmmData.Create(SequenceData.From(DataMatrix.From(rows, null), [101]), HmmEmission.Gaussian, 0, null, 2);
        (int[] path, double[] logProbabilities) = new ReferenceHmmEngine(data).Decode(model.Parameters);
        using var device = new AcceleratorHmmEngine(DeviceManager.Resolve(Backend.CpuAccelerator, null)!, data, model.Settings(), null, 10);
        (int[] devicePath, double[] deviceLogProbabilities) = device.Decode(model.Parameters);
        Assert.True(device.Retraced > 0, "no segment was traced again: the tie did not reach a boundary");
        for (int t = 1; t < devicePath.Length; t++)
            Assert.NotEqual(devicePath[t - 1], devicePath[t]);
        Assert.Equal(path, devicePath);
        SameScores(logProbabilities, deviceLogProbabilities);
    }

    [Fact]
    public void DecodeOptionsPickTheBackendAndKeepTheReferenceAsDefault()
    {
        HiddenMarkovModel model = HmmTestModels.ThreeStates();
        HmmSample sample = model.Sample([60, 1, 25], seed: 7);
        HmmPath host = model.Decode(sample.Rows, sample.Lengths);
        HmmPath device = model.Decode(sample.Rows, sample.Lengths, new HmmDecodeOptions { Backend = Backend.CpuAccelerator });
        Assert.Equal(host.States, device.States);
        SameScores(host.SequenceLogProbabilities.ToArray(), device.SequenceLogProbabilities.ToArray());
        // The default options are the reference engine's: bit for bit the overload without options.
        HmmPath byDefault = model.Decode(sample.Rows, sample.Lengths, new HmmDecodeOptions());
        Assert.Equal(host.SequenceLogProbabilities, byDefault.SequenceLogProbabilities);
        // A data source too.
        HmmPath fromSource = model.Decode(new ArrayDataSource(sample.Rows), sample.Lengths, new HmmDecodeOptions { Backend = Backend.CpuAccelerator });
        Assert.Equal(host.States, fromSource.States);
        // A small device budget streams the rows in chunks and gives the same path.
        (long perRow, long fixedBytes) = AcceleratorHmmEngine.Footprint(3, 2, 5);
        HmmPath streamed = model.Decode(sample.Rows, sample.Lengths,
            new HmmDecodeOptions { Backend = Backend.CpuAccelerator, DeviceMemoryLimit = fixedBytes + 70 * (perRow + 12) });
        Assert.Equal(host.States, streamed.States);
    }

    [Fact]
    public void WhatTheDeviceDoesNotRunFallsBackUnderAutoAndThrowsOnAnExplicitBackend()
    {
        HiddenMarkovModel model = HmmTestModels.ThreeStates();
        float[,] rows = (float[,])model.Sample([80], seed: 8).Rows.Clone();
        HmmPath host = model.Decode(rows);
        rows[10, 1] = float.NaN;
        HmmPath hostMissing = model.Decode(rows);
        var limit = Assert.Throws<LaunchLimitException>(() => model.Decode(rows, null, new HmmDecodeOptions { Backend = Backend.CpuAccelerator }));
        Assert.Contains("missing", limit.Reason);
        // Auto here (no CUDA or OpenCL device) is the reference engine.
        HmmPath auto = model.Decode(rows, null, new HmmDecodeOptions { Backend = Backend.Auto });
        Assert.Equal(hostMissing.States, auto.States);
        Assert.Equal(80, host.States.Count);

        var mixture = HmmTestModels.Model(
            [0.5, 0.5], [0.9, 0.1, 0.1, 0.9],
            HmmTestModels.Gaussian(CovarianceType.Diagonal, [0, 0, 1, 1, 5, 5, 6, 6], [1, 1, 1, 1, 1, 1, 1, 1], 2, 2, m: 2));
        Assert.Throws<LaunchLimitException>(() =>
            mixture.Decode(new float[,] { { 0, 0 }, { 5, 5 } }, null, new HmmDecodeOptions { Backend = Backend.CpuAccelerator }));

        Assert.Throws<ArgumentOutOfRangeException>(() =>
            model.Decode(rows, null, new HmmDecodeOptions { Backend = Backend.CpuAccelerator, DeviceMemoryLimit = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Decode(rows, null, new HmmDecodeOptions { Backend = (Backend)42 }));
        Assert.Throws<ArgumentNullException>(() => model.Decode(rows, null, null!));
    }

    // A symbol that no state emits: no path; the device says which sequence, as the reference does.
    [Fact]
    public void ASequenceWithoutAnyPathIsAnErrorOnTheDevice()
    {
        HiddenMarkovModel model = HmmTestModels.Model(
            [0.5, 0.5], [0.5, 0.5, 0.5, 0.5], new CategoricalEmissions(2, 3, [0.5, 0.5, 0, 0.5, 0.5, 0]));
        float[,] rows = { { 0 }, { 1 }, { 0 }, { 2 }, { 1 } };
        Assert.Throws<InvalidOperationException>(() => model.Decode(rows, [2, 3]));
        var error = Assert.Throws<InvalidOperationException>(() =>
            model.Decode(rows, [2, 3], new HmmDecodeOptions { Backend = Backend.CpuAccelerator }));
        Assert.Contains("Sequence 1", error.Message);
    }

    // The kernel itself: a unit that loses every path at step 1 of 4 stops there, but its remaining back
    // pointers are still states (0), not what the buffer held before (here int.MaxValue), so a trace through
    // them stays in range; the other unit is unaffected; the failed unit scores −∞ with final δ −∞.
    [Fact]
    public void AUnitWithoutAPathLeavesEveryBackPointerAState()
    {
        const int k = 2;
        float[] logB = [-1, -2, float.NegativeInfinity, float.NegativeInfinity, -1, -1, -3, -1, /* unit 1: */ -1, -2, -2, -1];
        int[] starts = [0, 4, 6];
        float[] logStart = [MathF.Log(0.5f), MathF.Log(0.5f)];
        float[] logA = [MathF.Log(0.9f), MathF.Log(0.1f), MathF.Log(0.2f), MathF.Log(0.8f)];
        AcceleratorHandle handle = DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
        int[] pointers;
        float[] delta;
        double[] score;
        lock (handle.Sync)
        {
            var a = handle.Accelerator;
            using var logBBuffer = a.Allocate1D(logB);
            using var startBuffer = a.Allocate1D(starts);
            using var logStartBuffer = a.Allocate1D(logStart);
            using var logABuffer = a.Allocate1D(logA);
            using var backPointers = a.Allocate1D(Enumerable.Repeat(int.MaxValue, logB.Length).ToArray());
            using var finalDelta = a.Allocate1D<float>(2 * k);
            using var unitScore = a.Allocate1D<double>(2);
            using var launcher = new HmmLauncher(handle, k, 2);
            launcher.Viterbi(2, logBBuffer.View, startBuffer.View, logStartBuffer.View, logABuffer.View, backPointers.View, finalDelta.View, unitScore.View);
            pointers = backPointers.GetAsArray1D();
            delta = finalDelta.GetAsArray1D();
            score = unitScore.GetAsArray1D();
        }
        Assert.All(pointers, p => Assert.InRange(p, 0, k - 1));
        // Unit 0: step 0 has no predecessor (0); step 1 is computed (the best predecessor of state 0 is 0,
        // of state 1 is 1), then every path is gone; steps 2 and 3 are not reached and get 0.
        Assert.Equal(new[] { 0, 0, 0, 1, 0, 0, 0, 0 }, pointers[..8]);
        Assert.Equal(double.NegativeInfinity, score[0]);
        Assert.Equal(new[] { float.NegativeInfinity, float.NegativeInfinity }, delta[..2]);
        // Unit 1: δ_0 = log ½ + (−1, −2); state 0 at step 1 comes from 0 (log .9 − 1 > log .2 − 2), state 1
        // from 1 (log .8 − 2 > log .1 − 1); the best path 0 → 0 scores log ½ − 1 + log .9 − 2.
        Assert.Equal(new[] { 0, 0, 0, 1 }, pointers[8..12]);
        Tolerance.Close(Math.Log(0.5) - 1 + Math.Log(0.9) - 2, score[1], 1e-5, 1e-6, "unit 1 score");
    }

    private static (HmmData Data, HmmParameters At, HmmSettings Settings, int Entries) Problem(string kind, int k, int d, int seed, int[] lengths)
    {
        var random = new Random(seed);
        (HmmEmission emission, CovarianceType type) = AcceleratorHmmEngineTests.EmissionOf(kind);
        HmmParameters truth = AcceleratorHmmEngineTests.RandomParameters(emission, type, k, d, random);
        float[,] rows = HmmTestModels.Model(truth.Start, truth.Transitions, truth.Emissions).Sample(lengths, seed).Rows;
        // Viterbi at parameters a little off the truth (the sampled ones), as a decode of new data would be.
        HmmParameters at = AcceleratorHmmEngineTests.RandomParameters(emission, type, k, d, random);
        HmmData data = HmmData.Create(SequenceData.From(DataMatrix.From(rows, null), lengths), emission, 0, null, k);
        var options = new HiddenMarkovOptions(k) { Emission = emission, Covariance = type };
        HmmSettings settings = HmmSettings.Resolve(options, data.Rows, emission == HmmEmission.Categorical ? 4 : 0);
        int entries = emission == HmmEmission.Categorical ? 0 : emission == HmmEmission.Poisson ? d + 1
            : type is CovarianceType.Full or CovarianceType.Tied ? (d + 1) * (d + 2) / 2 : 2 * d + 1;
        return (data, at, settings, entries);
    }

    // Categorical emissions tie exactly (a visit moved by a step between two equal symbols): where the
    // device's path differs from the reference's, its float64 log p(x, path) must equal the optimum.
    private static void SamePathOrATie(HmmData data, HmmParameters at, int[] expected, int[] actual, int[] lengths)
    {
        int k = at.States;
        var a = new double[k, k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                a[i, j] = at.Transitions[i * k + j];
        var scratch = new double[at.Emissions.ScratchLength];
        var logB = new double[k];
        int first = 0;
        foreach (int length in lengths)
        {
            if (!expected.AsSpan(first, length).SequenceEqual(actual.AsSpan(first, length)))
            {
                int offset = first;
                double Log(int t, int state)
                {
                    at.Emissions.LogDensity(data.Rows.Row(offset + t), logB, scratch);
                    return logB[state];
                }
                double best = HmmTestModels.PathLogProbability(at.Start, a, expected, first, length, Log);
                double device = HmmTestModels.PathLogProbability(at.Start, a, actual, first, length, Log);
                Assert.True(Math.Abs(best - device) <= 1e-9 * Math.Abs(best),
                    $"the sequence at row {first}: reference path log p {best}, device path {device}");
            }
            first += length;
        }
    }

    private static void SameScores(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int s = 0; s < expected.Length; s++)
            Assert.True(Math.Abs(expected[s] - actual[s]) <= 1e-3 + 1e-5 * Math.Abs(expected[s]),
                $"sequence {s}: reference log p(x, path) {expected[s]}, device {actual[s]}");
    }
}
