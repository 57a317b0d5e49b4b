using System.Numerics;
using GpuEm.Kernels.HiddenMarkov;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Engines;

/// <summary>
/// Launches the hidden Markov model kernels (<see cref="HmmKernels"/>) for one fit: the emission
/// log-densities, the forward-backward pass over a fixed grid of sequence groups and the combine of
/// the groups' partials in group order. Owns the partials and totals (allocated once per fit); the
/// caller owns the n-row buffers (logB, posteriors, step scales, per-sequence log-likelihoods).
/// </summary>
internal sealed class HmmLauncher : IDisposable
{
    /// <summary>Most sequence groups of one forward-backward launch.</summary>
    public const int MaxGroups = 1024;

    /// <summary>Upper bound on the partial sums kept on the device, in bytes.</summary>
    private const long PartialBudgetBytes = 64L << 20;

    /// <summary>Most threads per forward-backward group (fewer on a device that has fewer).</summary>
    private const int MaxGroupSize = 256;

    /// <summary>Shared memory a forward-backward group plans within (CUDA's default 48 KiB at most).</summary>
    private const long SharedBudgetBytes = 48 * 1024;

    private const string DiagonalKey = "hmm-emission-diagonal";
    private const string FullKey = "hmm-emission-full";
    private const string CategoricalKey = "hmm-emission-categorical";
    private const string PoissonKey = "hmm-emission-poisson";
    private const string ForwardBackwardKey = "hmm-forward-backward";
    private const string TransferKey = "hmm-segment-transfer";
    private const string ViterbiKey = "hmm-viterbi";
    private const string BacktrackKey = "hmm-viterbi-backtrack";

    /// <summary>Most states for which long sequences are cut into segments (Φ, K² doubles, in 32 KiB of shared memory).</summary>
    public const int MaxSegmentStates = 64;

    /// <summary>Threads per <see cref="HmmKernels.SegmentTransferKernel"/> group (fewer on a device that has fewer).</summary>
    private const int TransferGroupSize = 256;

    private readonly AcceleratorHandle _handle;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _totals;
    private readonly int _stateCount;
    private readonly ForwardBackwardPlan _plan;

    /// <summary>Prepares launches for K states over batches of at most <paramref name="sequenceCount"/> sequences.</summary>
    /// <param name="handle">The accelerator.</param>
    /// <param name="stateCount">K.</param>
    /// <param name="sequenceCount">The most sequences of one <see cref="ForwardBackward"/> call.</param>
    /// <param name="groupCount">The grid G (tests); by default <see cref="GroupCount"/>. Results
    /// are deterministic for a given G.</param>
    public HmmLauncher(AcceleratorHandle handle, int stateCount, int sequenceCount, int? groupCount = null)
    {
        _handle = handle;
        _stateCount = stateCount;
        _plan = Plan(handle.Limits, stateCount);
        LaunchLimits.Require(Launches(handle.Limits, stateCount), handle, $"K = {stateCount} states");
        Groups = groupCount ?? GroupCount(sequenceCount, stateCount);
        Stride = HmmKernels.PartialStride(stateCount);
        _partials = handle.Accelerator.Allocate1D<double>((long)Groups * Stride);
        _totals = handle.Accelerator.Allocate1D<double>(Stride);
    }

    /// <summary>The grid G of the forward-backward launch.</summary>
    public int Groups { get; }

    /// <summary>Doubles per group and of the totals: K² transition counts, K start counts, the log-likelihood.</summary>
    public int Stride { get; }

    /// <summary>The forward-backward group size and shared-memory layout for K states.</summary>
    /// <param name="GroupSize">Threads per group (a power of two).</param>
    /// <param name="CountsInShared">Whether the K² float64 counts are summed in shared memory.</param>
    /// <param name="TransitionsInShared">Whether the transition matrix is staged in shared memory.</param>
    internal readonly record struct ForwardBackwardPlan(int GroupSize, bool CountsInShared, bool TransitionsInShared)
    {
        /// <summary>The dynamic shared memory of one group, in doubles.</summary>
        public int SharedDoubles(int stateCount) =>
            HmmKernels.SharedDoubles(stateCount, GroupSize, CountsInShared, TransitionsInShared);
    }

    /// <summary>
    /// The forward-backward plan: a power-of-two group of at least one warp (32) and at least K
    /// threads where the device allows (at most 256); A staged in shared memory when it fits in
    /// 48 KiB beside the vectors, the float64 counts as well when both fit (counts in shared
    /// imply A in shared: the kernel relies on it).
    /// </summary>
    internal static ForwardBackwardPlan Plan(DeviceLimits limits, int stateCount)
    {
        int cap = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Min(MaxGroupSize, limits.MaxThreadsPerGroup) + 1) / 2;
        int wanted = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(32, stateCount));
        int groupSize = Math.Min(wanted, cap);
        long budget = Math.Min(limits.MaxSharedBytesPerGroup, SharedBudgetBytes);
        bool transitions = (long)HmmKernels.SharedDoubles(stateCount, groupSize, false, true) * sizeof(double) <= budget;
        bool counts = transitions
            && (long)HmmKernels.SharedDoubles(stateCount, groupSize, true, true) * sizeof(double) <= budget;
        return new ForwardBackwardPlan(groupSize, counts, transitions);
    }

    /// <summary>The default grid: one group per sequence up to <see cref="MaxGroups"/>, within 64 MiB of partials.</summary>
    internal static int GroupCount(int sequenceCount, int stateCount)
    {
        long byBudget = PartialBudgetBytes / ((long)HmmKernels.PartialStride(stateCount) * sizeof(double));
        return (int)Math.Clamp(Math.Min(Math.Min(sequenceCount, MaxGroups), byBudget), 1, MaxGroups);
    }

    /// <summary>The kernels this launcher launches for K states (every emission kind).</summary>
    internal static IEnumerable<KernelLaunch> Launches(DeviceLimits limits, int stateCount)
    {
        yield return new KernelLaunch(DiagonalKey, KernelLaunch.Method(typeof(HmmKernels), nameof(HmmKernels.EmissionDiagonalKernel)), null, 0);
        yield return new KernelLaunch(FullKey, KernelLaunch.Method(typeof(HmmKernels), nameof(HmmKernels.EmissionFullKernel)), null, 0);
        yield return new KernelLaunch(CategoricalKey, KernelLaunch.Method(typeof(HmmKernels), nameof(HmmKernels.EmissionCategoricalKernel)), null, 0);
        yield return new KernelLaunch(PoissonKey, KernelLaunch.Method(typeof(HmmKernels), nameof(HmmKernels.EmissionPoissonKernel)), null, 0);
        ForwardBackwardPlan plan = Plan(limits, stateCount);
        yield return new KernelLaunch(
            ForwardBackwardKey, KernelLaunch.Method(typeof(HmmKernels), nameof(HmmKernels.ForwardBackwardKernel)),
            plan.GroupSize, (long)plan.SharedDoubles(stateCount) * sizeof(double));
        yield return new KernelLaunch(
            ViterbiKey, KernelLaunch.Method(typeof(HmmKernels), nameof(HmmKernels.ViterbiKernel)),
            plan.GroupSize, (long)HmmKernels.SharedDoubles(stateCount, plan.GroupSize, false, plan.TransitionsInShared) * sizeof(double));
        yield return new KernelLaunch(BacktrackKey, KernelLaunch.Method(typeof(HmmKernels), nameof(HmmKernels.ViterbiBacktrackKernel)), null, 0);
        if (TransferGroup(limits, stateCount) is int transferGroup)
        {
            yield return new KernelLaunch(
                TransferKey, KernelLaunch.Method(typeof(HmmKernels), nameof(HmmKernels.SegmentTransferKernel)),
                transferGroup, (long)HmmKernels.TransferSharedDoubles(stateCount, transferGroup) * sizeof(double));
        }
        yield return MomentsLauncher.CombineLaunch;
    }

    /// <summary>
    /// The transfer kernel's group size for K states: a power of two, 256 where the device allows, at
    /// least K; null when long sequences cannot be cut into segments (K above
    /// <see cref="MaxSegmentStates"/>, or Φ beyond the device's shared memory).
    /// </summary>
    internal static int? TransferGroup(DeviceLimits limits, int stateCount)
    {
        if (stateCount > MaxSegmentStates)
            return null;
        int groupSize = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Min(TransferGroupSize, limits.MaxThreadsPerGroup) + 1) / 2;
        if (groupSize < stateCount)
            return null;
        long bytes = (long)HmmKernels.TransferSharedDoubles(stateCount, groupSize) * sizeof(double);
        return bytes <= Math.Min(limits.MaxSharedBytesPerGroup, SharedBudgetBytes) ? groupSize : null;
    }

    /// <summary>Whether long sequences can be cut into segments on this device.</summary>
    public bool CanSegment => TransferGroup(_handle.Limits, _stateCount) is not null;

    /// <summary>
    /// The transfer matrix Φ of every unit of the batch flagged <see cref="HmmKernels.NeedsTransfer"/>
    /// into <paramref name="transfers"/> at its slot (flags ≫ 3) · K²; <paramref name="maxProduct"/>: in the
    /// (max, +) semiring, <paramref name="transition"/> holding log A (Viterbi).
    /// </summary>
    public void SegmentTransfer(
        int sequenceCount, ArrayView<float> logB, ArrayView<int> sequenceStarts, ArrayView<float> logStart,
        ArrayView<float> transition, ArrayView<int> labels, bool useLabels, ArrayView<int> boundaryFlags,
        ArrayView<double> transfers, bool maxProduct = false)
    {
        int groupSize = TransferGroup(_handle.Limits, _stateCount)
            ?? throw new InvalidOperationException($"K = {_stateCount} states: long sequences are not cut into segments on this device.");
        var kernel = _handle.Kernel(TransferKey, a => a.LoadStreamKernel<
            ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<int>,
            ArrayView<double>, SegmentTransferParams>(HmmKernels.SegmentTransferKernel));
        var config = new KernelConfig(
            new Index1D(Math.Clamp(sequenceCount, 1, MaxGroups)), new Index1D(groupSize),
            SharedMemoryConfig.RequestDynamic<double>(HmmKernels.TransferSharedDoubles(_stateCount, groupSize)));
        kernel(config, logB, sequenceStarts, logStart, transition, labels, boundaryFlags, transfers,
            new SegmentTransferParams(_stateCount, sequenceCount, useLabels ? 1 : 0, maxProduct ? 1 : 0));
    }

    /// <summary>
    /// The Viterbi forward pass over <paramref name="sequenceCount"/> units
    /// (<see cref="HmmKernels.ViterbiKernel"/>): back pointers, each unit's final δ and score.
    /// </summary>
    public void Viterbi(
        int sequenceCount, ArrayView<float> logB, ArrayView<int> sequenceStarts, ArrayView<float> logStart,
        ArrayView<float> logTransition, ArrayView<int> backPointers, ArrayView<float> finalDelta, ArrayView<double> unitScore,
        ArrayView<int> boundaryFlags = default, ArrayView<float> boundaryMessages = default, bool useBoundaries = false)
    {
        if (!useBoundaries)
        {
            boundaryFlags = sequenceStarts;
            boundaryMessages = logStart;
        }
        var kernel = _handle.Kernel(ViterbiKey, a => a.LoadStreamKernel<
            ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>,
            ArrayView<double>, ArrayView<int>, ArrayView<float>, ViterbiParams>(HmmKernels.ViterbiKernel));
        var config = new KernelConfig(
            new Index1D(Math.Clamp(sequenceCount, 1, MaxGroups)), new Index1D(_plan.GroupSize),
            SharedMemoryConfig.RequestDynamic<double>(HmmKernels.SharedDoubles(_stateCount, _plan.GroupSize, false, _plan.TransitionsInShared)));
        kernel(config, logB, sequenceStarts, logStart, logTransition, backPointers, finalDelta, unitScore, boundaryFlags,
            boundaryMessages, new ViterbiParams(_stateCount, sequenceCount, _plan.TransitionsInShared ? 1 : 0, useBoundaries ? 1 : 0));
    }

    /// <summary>Traces the listed units' paths back from their end states (<see cref="HmmKernels.ViterbiBacktrackKernel"/>).</summary>
    public void ViterbiBacktrack(
        int unitCount, ArrayView<int> units, ArrayView<int> sequenceStarts, ArrayView<int> backPointers, ArrayView<int> endStates,
        ArrayView<int> path, ArrayView<int> predecessors)
    {
        if (unitCount == 0)
            return;
        var kernel = _handle.Kernel(BacktrackKey, a => a.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>,
            ViterbiBacktrackParams>(HmmKernels.ViterbiBacktrackKernel));
        kernel(unitCount, units, sequenceStarts, backPointers, endStates, path, predecessors, new ViterbiBacktrackParams(_stateCount));
    }

    /// <summary>Diagonal (and spherical) Gaussian log-densities of <paramref name="rows"/> rows into logB.</summary>
    public void EmissionDiagonal(
        int rows, int dimension, ArrayView<float> data, ArrayView<float> means, ArrayView<float> precisionDiagonal,
        ArrayView<float> logNorm, ArrayView<float> logB)
    {
        var kernel = _handle.Kernel(DiagonalKey, a => a.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            HmmEmissionParams>(HmmKernels.EmissionDiagonalKernel));
        kernel(rows, data, means, precisionDiagonal, logNorm, logB, new HmmEmissionParams(dimension, _stateCount, 0));
    }

    /// <summary>Full (and tied) Gaussian log-densities of <paramref name="rows"/> rows into logB.</summary>
    public void EmissionFull(
        int rows, int dimension, ArrayView<float> data, ArrayView<float> means, ArrayView<float> precisionCholesky,
        ArrayView<float> logNorm, ArrayView<float> logB)
    {
        var kernel = _handle.Kernel(FullKey, a => a.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            HmmEmissionParams>(HmmKernels.EmissionFullKernel));
        kernel(rows, data, means, precisionCholesky, logNorm, logB, new HmmEmissionParams(dimension, _stateCount, 0));
    }

    /// <summary>Categorical log-probabilities of <paramref name="rows"/> symbols into logB.</summary>
    public void EmissionCategorical(
        int rows, int symbolCount, ArrayView<float> symbols, ArrayView<float> logEmission, ArrayView<float> logB)
    {
        var kernel = _handle.Kernel(CategoricalKey, a => a.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, HmmEmissionParams>(HmmKernels.EmissionCategoricalKernel));
        kernel(rows, symbols, logEmission, logB, new HmmEmissionParams(1, _stateCount, symbolCount));
    }

    /// <summary>Poisson log-probabilities of <paramref name="rows"/> rows into logB.</summary>
    public void EmissionPoisson(
        int rows, int dimension, ArrayView<float> data, ArrayView<float> logRate, ArrayView<float> rate,
        ArrayView<float> rowConstant, ArrayView<float> logB)
    {
        var kernel = _handle.Kernel(PoissonKey, a => a.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            HmmEmissionParams>(HmmKernels.EmissionPoissonKernel));
        kernel(rows, data, logRate, rate, rowConstant, logB, new HmmEmissionParams(dimension, _stateCount, 0));
    }

    /// <summary>
    /// Runs forward-backward over <paramref name="sequenceCount"/> sequences (at most the
    /// constructor's) and adds the combined counts and log-likelihood to the totals on the device
    /// (<paramref name="first"/>: replaces them); nothing is read back.
    /// </summary>
    /// <param name="sequenceCount">S of this batch.</param>
    /// <param name="logB">n × K emission log-densities.</param>
    /// <param name="sequenceStarts">S + 1 row offsets.</param>
    /// <param name="logStart">K log start probabilities.</param>
    /// <param name="transition">K × K transition matrix.</param>
    /// <param name="labels">n labels (−1 = unknown), or any view when <paramref name="useLabels"/> is false.</param>
    /// <param name="useLabels">Whether to read the labels.</param>
    /// <param name="posteriors">Output n × K γ.</param>
    /// <param name="stepScales">Scratch, 2n floats.</param>
    /// <param name="sequenceLogLikelihood">Output S log-likelihoods (−∞: the sequence has zero likelihood).</param>
    /// <param name="first">Replace the totals instead of adding to them.</param>
    /// <param name="boundaryFlags">Per unit flags and message slot (<see cref="HmmKernels.HasIncoming"/>, …), or any view.</param>
    /// <param name="boundaryMessages">Per message slot 2K floats (α̂ in, β̂ out), or any view.</param>
    /// <param name="useBoundaries">Whether to read the flags (some units are segments of long sequences).</param>
    public void ForwardBackward(
        int sequenceCount,
        ArrayView<float> logB,
        ArrayView<int> sequenceStarts,
        ArrayView<float> logStart,
        ArrayView<float> transition,
        ArrayView<int> labels,
        bool useLabels,
        ArrayView<float> posteriors,
        ArrayView<float> stepScales,
        ArrayView<double> sequenceLogLikelihood,
        bool first,
        ArrayView<int> boundaryFlags = default,
        ArrayView<float> boundaryMessages = default,
        bool useBoundaries = false)
    {
        if (!useBoundaries)
        {
            boundaryFlags = labels;
            boundaryMessages = logStart;
        }
        var kernel = _handle.Kernel(ForwardBackwardKey, a => a.LoadStreamKernel<
            ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>,
            ArrayView<float>, ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<float>,
            ForwardBackwardParams>(HmmKernels.ForwardBackwardKernel));
        var parameters = new ForwardBackwardParams(
            _stateCount, sequenceCount, useLabels ? 1 : 0, _plan.CountsInShared ? 1 : 0, _plan.TransitionsInShared ? 1 : 0,
            useBoundaries ? 1 : 0);
        var config = new KernelConfig(
            new Index1D(Groups), new Index1D(_plan.GroupSize),
            SharedMemoryConfig.RequestDynamic<double>(_plan.SharedDoubles(_stateCount)));
        kernel(config, logB, sequenceStarts, logStart, transition, labels, posteriors, stepScales,
            sequenceLogLikelihood, _partials.View, boundaryFlags, boundaryMessages, parameters);
        MomentsLauncher.Combine(_handle, _partials.View, _totals.View, Groups, first);
    }

    /// <summary>
    /// Reads the totals back: K² transition counts (row-major), K start counts, then the
    /// log-likelihood of the sequences with nonzero likelihood.
    /// </summary>
    public void Read(double[] totals) => _totals.View.CopyToCPU(totals);

    public void Dispose()
    {
        _partials.Dispose();
        _totals.Dispose();
    }
}
