using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Kernels.HiddenMarkov;
using GpuEm.Models.GaussianMixture;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// The accelerator engine of hidden Markov models. Per E-step and device chunk (whole sequences,
/// planned by <see cref="DeviceBudget.Plan"/>; resident data is uploaded once per fit): the
/// emission log-densities (<see cref="HmmLauncher"/>'s Emission*Kernel), the scaled
/// forward-backward pass over the chunk's sequences with the transition and start counts and the
/// log-likelihood summed per group in float64 and combined in group order, then the emission
/// statistics of the posteriors γ: Gaussian and Poisson by the mixture code's weighted moments
/// (<see cref="MomentsLauncher"/>, Σ γ, Σ γ (x − μ), Σ γ (x − μ)(x − μ)ᵀ per state), added across
/// chunks on the device; the host reads the totals and the per-sequence log-likelihoods once per
/// E-step. Categorical emissions read the posteriors back and count symbols on the host.
/// </summary>
/// <remarks>
/// Not on the device (<see cref="LaunchLimitException"/>, so <see cref="Backend.Auto"/> falls
/// back to the reference engine with a notice): mixtures of Gaussians per state, and data with
/// missing entries, and, for K above <see cref="HmmLauncher.MaxSegmentStates"/>, a sequence
/// longer than a device chunk.
/// Long sequences (longer than a chunk, or ≥ <see cref="LongSequenceRows"/> steps when there are
/// fewer than <see cref="FewSequences"/> sequences) are cut into segments of at most
/// <see cref="SegmentRows"/> steps, each a unit of its own, so that chunks hold whole segments and
/// the device runs a long sequence's segments in parallel: a first pass over the chunks gives
/// every segment's transfer matrix Φ (<see cref="HmmKernels.SegmentTransferKernel"/>), the host
/// scans them in float64 into the α̂ entering and the β̂ leaving each segment, and the second pass
/// runs forward-backward on every unit from its messages, the boundary ξ included.
/// </remarks>
internal sealed class AcceleratorHmmEngine : IEmEngine<HmmParameters, HmmStatistics>
{
    private readonly AcceleratorHandle _handle;
    private readonly HmmData _data;
    private readonly HmmEmission _emission;
    private readonly CovarianceType _covariance;
    private readonly int _k;
    private readonly int _d;
    private readonly int _symbols;
    private readonly ChunkPlan _plan;
    private readonly ChunkStream _chunks;
    private readonly HmmLauncher _launcher;
    private readonly MomentsLauncher? _moments;
    private readonly MemoryBuffer1D<int, Stride1D.Dense>[] _starts;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _noLabels;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _logB;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _posteriors;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _stepScales;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _sequenceLogLikelihood;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _rowConstant;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _means;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _factors;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _logNorm;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _logStart;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _transitions;
    private readonly int _entryCount;
    private readonly UnitLayout _units;
    private readonly int[] _unitSequence;
    private readonly int[][] _unitFlags;
    private readonly int[] _firstSlot;
    private readonly (int FirstSlot, int Segments)[] _segmented;
    private readonly MemoryBuffer1D<int, Stride1D.Dense>[] _flags;
    private readonly MemoryBuffer1D<double, Stride1D.Dense>? _transfers;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _messages;

    /// <summary>Steps of a segment of a long sequence (fewer when a device chunk holds fewer).</summary>
    public const int SegmentRows = 4096;

    /// <summary>A sequence at least this long is cut into segments when there are few sequences.</summary>
    public const int LongSequenceRows = 16_384;

    /// <summary>Fewer sequences than this leave the device idle unless long ones are cut in time.</summary>
    public const int FewSequences = 256;

    /// <summary>Prepares the engine; <paramref name="segmentRows"/> (tests) cuts every sequence
    /// longer than it into segments of that many steps.</summary>
    public AcceleratorHmmEngine(AcceleratorHandle handle, HmmData data, HmmSettings settings, long? deviceMemoryLimit, int? segmentRows = null)
    {
        if (settings.Emission == HmmEmission.GaussianMixture && settings.Components > 1)
            throw new LaunchLimitException("Mixtures of Gaussians per state run on the reference engine.");
        if (data.Rows.Incomplete is not null)
            throw new LaunchLimitException("Sequences with missing entries run on the reference engine.");
        _handle = handle;
        _data = data;
        _emission = settings.Emission == HmmEmission.GaussianMixture ? HmmEmission.Gaussian : settings.Emission;
        _covariance = settings.Covariance;
        _k = settings.States;
        _d = data.Rows.Columns;
        _symbols = settings.Symbols;
        Accelerator accelerator = handle.Accelerator;
        LaunchLimits.Require(HmmLauncher.Launches(handle.Limits, _k).Concat(MomentsLauncher.Launches(handle.Limits, _d)), handle,
            $"K = {_k} states, d = {_d} columns");
        bool full = _emission == HmmEmission.Gaussian && !GaussianStatistics.NeedsDiagonalOnly(_covariance);
        int[]? entries = _emission switch
        {
            HmmEmission.Gaussian => full ? MomentsLauncher.FullEntries(_d) : MomentsLauncher.DiagonalEntries(_d, squares: true),
            HmmEmission.Poisson => MomentsLauncher.DiagonalEntries(_d, squares: false),
            _ => null,
        };
        _entryCount = entries is null ? 0 : entries.Length / 2;
        (long perRow, long fixedBytes) = Footprint(_k, _d, _entryCount);
        (long, long) resident = (perRow, fixedBytes);
        (long, long) streamed = (perRow + 4L * (_d + 1), fixedBytes);
        int rowsPerChunk = DeviceBudget.Plan(accelerator, deviceMemoryLimit, UnitLayout.Rows(data.Rows.Rows), resident, streamed).MaxItems;
        bool canSegment = HmmLauncher.TransferGroup(handle.Limits, _k) is not null;
        (_units, _unitSequence, int[] unitFlags, _segmented) = Segments(
            data.Sequences, rowsPerChunk, canSegment, segmentRows, handle.Backend, _k);
        _plan = DeviceBudget.Plan(accelerator, deviceMemoryLimit, _units, resident, streamed);
        int chunkRows = _plan.MaxItems;
        int mostSequences = _plan.Chunks.Max(c => c.UnitCount);
        // Per chunk: each unit's flags with its message slot local to the chunk (slot ≪ 3).
        _unitFlags = new int[_plan.Count][];
        _firstSlot = new int[_plan.Count];
        int slot = 0;
        int mostSlots = 0;
        for (int c = 0; c < _plan.Count; c++)
        {
            DataChunk chunk = _plan.Chunks[c];
            _firstSlot[c] = slot;
            var flags = new int[chunk.UnitCount];
            for (int u = 0; u < chunk.UnitCount; u++)
            {
                int f = unitFlags[chunk.FirstUnit + u];
                if (f != 0)
                    flags[u] = f | ((slot++ - _firstSlot[c]) << 3);
            }
            _unitFlags[c] = flags;
            mostSlots = Math.Max(mostSlots, slot - _firstSlot[c]);
        }
        lock (handle.Sync)
        {
            _chunks = new ChunkStream(accelerator, data.Rows, _plan, null, data.Labels);
            _launcher = new HmmLauncher(handle, _k, mostSequences);
            _moments = entries is null ? null : new MomentsLauncher(handle, chunkRows, _d, _k, entries, useLabels: false);
            _starts = new MemoryBuffer1D<int, Stride1D.Dense>[_plan.Count];
            for (int c = 0; c < _plan.Count; c++)
            {
                DataChunk chunk = _plan.Chunks[c];
                var starts = new int[chunk.UnitCount + 1];
                for (int u = 0; u <= chunk.UnitCount; u++)
                    starts[u] = (int)(_units.Start(chunk.FirstUnit + u) - chunk.FirstItem);
                _starts[c] = accelerator.Allocate1D(starts);
            }
            _flags = new MemoryBuffer1D<int, Stride1D.Dense>[mostSlots > 0 ? _plan.Count : 0];
            for (int c = 0; c < _flags.Length; c++)
                _flags[c] = accelerator.Allocate1D(_unitFlags[c]);
            if (mostSlots > 0)
            {
                _transfers = accelerator.Allocate1D<double>((long)mostSlots * _k * _k);
                _messages = accelerator.Allocate1D<float>((long)mostSlots * 2 * _k);
            }
            _noLabels = accelerator.Allocate1D<int>(1);
            _logB = accelerator.Allocate1D<float>((long)chunkRows * _k);
            _posteriors = accelerator.Allocate1D<float>((long)chunkRows * _k);
            _stepScales = accelerator.Allocate1D<float>(2L * chunkRows);
            _sequenceLogLikelihood = accelerator.Allocate1D<double>(Math.Max(1, mostSequences));
            _rowConstant = accelerator.Allocate1D<float>(_emission == HmmEmission.Poisson ? data.Rows.Rows : 1);
            if (_emission == HmmEmission.Poisson)
                _rowConstant.View.CopyFromCPU(PoissonRowConstants(data.Rows));
            int factorLength = full ? _k * _d * _d : _k * Math.Max(_d, _symbols);
            _means = accelerator.Allocate1D<float>(Math.Max(1, _k * _d));
            _factors = accelerator.Allocate1D<float>(Math.Max(1, factorLength));
            _logNorm = accelerator.Allocate1D<float>(_k);
            _logStart = accelerator.Allocate1D<float>(_k);
            _transitions = accelerator.Allocate1D<float>(_k * _k);
        }
    }

    /// <summary>Device bytes per resident row (data, label, logB, posteriors, step scales) and for
    /// the rest (parameters, the groups' and the moments' partials, 64 KiB of slack).</summary>
    internal static (long PerRow, long Fixed) Footprint(int k, int d, int entryCount) =>
        (4L * (d + 1) + 8L * k + 8 + 4 + 4 + (8L * k * k + 8L * k) / 1024,
         4L * k * (d * d + d + k + 2) + 8L * (HmmLauncher.MaxGroups + 256) * (k * k + k + 1 + k * Math.Max(1, entryCount)) + (1L << 16));

    public Backend Backend => _handle.Backend;

    public string DeviceName => _handle.DeviceName;

    public int ChunkCount => _plan.Count;

    public HmmStatistics Expect(HmmParameters p)
    {
        float[] means = UploadParameters(p, out float[] logStart, out float[] transitions, out float[] factors, out float[] logNorm);
        bool segmented = _segmented.Length > 0;
        var counts = new double[_launcher.Stride];
        var moments = new double[_k * _entryCount];
        var sequenceLogLikelihoods = new double[_data.Sequences.SequenceCount];
        double[]? symbolCounts = _emission == HmmEmission.Categorical ? new double[_k * _symbols] : null;
        lock (_handle.Sync)
        {
            CopyParameters(means, factors, logNorm, logStart, transitions);
            float[]? messages = segmented ? Messages() : null;
            _chunks.Start(0);
            for (int c = 0; c < _plan.Count; c++)
            {
                DataChunk chunk = _plan.Chunks[c];
                int rows = chunk.ItemCount;
                bool first = c == 0;
                _chunks.Wait();
                (ArrayView<float> values, _, ArrayView<int> labels) = _chunks.Slot(c);
                ArrayView<float> logB = _logB.View.SubView(0, (long)rows * _k);
                // Resident and segmented: the first pass left this chunk's logB in place (the
                // forward-backward kernel only reads it).
                if (!(segmented && _plan.Count == 1))
                    Emissions(rows, values, logB, (int)chunk.FirstItem);
                ArrayView<float> posteriors = _posteriors.View.SubView(0, (long)rows * _k);
                int slots = segmented ? Slots(c) : 0;
                if (slots > 0)
                    _messages!.View.SubView(0, (long)slots * 2 * _k).CopyFromCPU(
                        messages.AsSpan(_firstSlot[c] * 2 * _k, slots * 2 * _k).ToArray());
                _launcher.ForwardBackward(
                    chunk.UnitCount, logB, _starts[c].View, _logStart.View, _transitions.View,
                    _data.Labels is null ? _noLabels.View : labels, _data.Labels is not null, posteriors,
                    _stepScales.View.SubView(0, 2L * rows), _sequenceLogLikelihood.View, first,
                    segmented ? _flags[c].View : default, segmented ? _messages!.View : default, segmented);
                if (c + 1 < _plan.Count)
                    _chunks.Start(c + 1);
                _moments?.Accumulate(rows, values, _posteriors.View, _noLabels.View, values, _means.View, first);
                var chunkLogLikelihoods = new double[chunk.UnitCount];
                _sequenceLogLikelihood.View.SubView(0, chunk.UnitCount).CopyToCPU(chunkLogLikelihoods);
                for (int u = 0; u < chunk.UnitCount; u++)
                    sequenceLogLikelihoods[_unitSequence[chunk.FirstUnit + u]] += chunkLogLikelihoods[u];
                if (symbolCounts is not null)
                    CountSymbols(posteriors, chunk, symbolCounts);
            }
            _launcher.Read(counts);
            _moments?.Read(moments);
        }
        for (int s = 0; s < sequenceLogLikelihoods.Length; s++)
            if (double.IsNegativeInfinity(sequenceLogLikelihoods[s]) || double.IsNaN(sequenceLogLikelihoods[s]))
                throw new InvalidOperationException(
                    $"Sequence {s} (zero-based) has probability 0 under the model: no state path can produce it " +
                    "(known states, a transition mask, or emission probabilities of 0 forbid every path).");
        return Statistics(p, counts, moments, symbolCounts, means);
    }

    /// <summary>
    /// The Viterbi path of every sequence and its log p(x, path): emissions in float32 on the device,
    /// the max-product recursion normalized per step with its scores summed in float64
    /// (<see cref="HmmKernels.ViterbiKernel"/>), back pointers kept on the device and traced there
    /// (<see cref="HmmKernels.ViterbiBacktrackKernel"/>). Chunks run last to first, so that a long
    /// sequence's segment knows the state its successor's path starts from. A long sequence's segments
    /// enter with the (max, +) scan of their transfer matrices and pick their last state by the
    /// max-marginal δ + β; where that disagrees with the successor's path (near ties), the segment takes
    /// the successor's predecessor and is traced again, until the whole path is consistent.
    /// </summary>
    public (int[] Path, double[] LogProbabilities) Decode(HmmParameters p)
    {
        int k = _k;
        Retraced = 0;
        float[] means = UploadParameters(p, out float[] logStart, out _, out float[] factors, out float[] logNorm);
        float[] logTransitions = p.LogTransitions.Select(v => (float)v).ToArray();
        var path = new int[_data.Rows.Rows];
        var scores = new double[_data.Sequences.SequenceCount];
        bool segmented = _segmented.Length > 0;
        int mostUnits = _plan.Chunks.Max(c => c.UnitCount);
        Accelerator accelerator = _handle.Accelerator;
        lock (_handle.Sync)
        {
            CopyParameters(means, factors, logNorm, logStart, logTransitions);
            (float[] entering, double[] leaving) = segmented ? MaxMessages() : (Array.Empty<float>(), Array.Empty<double>());
            using MemoryBuffer1D<float, Stride1D.Dense> finalDelta = accelerator.Allocate1D<float>((long)mostUnits * k);
            using MemoryBuffer1D<int, Stride1D.Dense> endStates = accelerator.Allocate1D<int>(mostUnits);
            using MemoryBuffer1D<int, Stride1D.Dense> predecessors = accelerator.Allocate1D<int>(mostUnits);
            using MemoryBuffer1D<int, Stride1D.Dense> unitList = accelerator.Allocate1D<int>(mostUnits);
            // The back pointers (n × K ints) and the path (n ints) reuse the E-step's posteriors and step scales.
            ArrayView<int> backPointers = _posteriors.View.BaseView.Cast<int>();
            ArrayView<int> chunkPath = _stepScales.View.BaseView.Cast<int>();
            int nextPredecessor = 0; // the state that the first unit of chunk c + 1 needs before it
            for (int c = _plan.Count - 1; c >= 0; c--)
            {
                DataChunk chunk = _plan.Chunks[c];
                int rows = chunk.ItemCount;
                int units = chunk.UnitCount;
                _chunks.Start(c);
                _chunks.Wait();
                (ArrayView<float> values, _, _) = _chunks.Slot(c);
                ArrayView<float> logB = _logB.View.SubView(0, (long)rows * k);
                Emissions(rows, values, logB, (int)chunk.FirstItem);
                int slots = segmented ? Slots(c) : 0;
                if (slots > 0)
                    _messages!.View.SubView(0, (long)slots * 2 * k).CopyFromCPU(
                        entering.AsSpan(_firstSlot[c] * 2 * k, slots * 2 * k).ToArray());
                _launcher.Viterbi(
                    units, logB, _starts[c].View, _logStart.View, _transitions.View, backPointers, finalDelta.View,
                    _sequenceLogLikelihood.View, segmented ? _flags[c].View : default, segmented ? _messages!.View : default, segmented);
                var delta = new float[units * k];
                finalDelta.View.SubView(0, delta.Length).CopyToCPU(delta);
                var unitScores = new double[units];
                _sequenceLogLikelihood.View.SubView(0, units).CopyToCPU(unitScores);
                for (int u = 0; u < units; u++)
                    if (!(unitScores[u] > double.NegativeInfinity))
                        throw NoPath(_unitSequence[chunk.FirstUnit + u]);
                int[] flags = segmented ? _unitFlags[c] : new int[units];
                var ends = new int[units];
                for (int u = 0; u < units; u++)
                {
                    int f = flags[u];
                    ends[u] = (f & HmmKernels.HasOutgoing) == 0 ? ArgMax(delta, u * k, k, null, 0)
                        : u + 1 == units ? nextPredecessor
                        : ArgMax(delta, u * k, k, leaving, (long)(_firstSlot[c] + (f >> 3)) * k);
                }
                endStates.View.SubView(0, units).CopyFromCPU(ends);
                unitList.View.SubView(0, units).CopyFromCPU(Enumerable.Range(0, units).ToArray());
                var before = new int[units];
                int traced = units;
                while (traced > 0)
                {
                    _launcher.ViterbiBacktrack(
                        traced, unitList.View, _starts[c].View, backPointers, endStates.View, chunkPath, predecessors.View);
                    predecessors.View.SubView(0, units).CopyToCPU(before);
                    var again = new List<int>();
                    for (int u = 0; u + 1 < units; u++)
                    {
                        if ((flags[u] & HmmKernels.HasOutgoing) != 0 && before[u + 1] != ends[u])
                        {
                            ends[u] = before[u + 1];
                            again.Add(u);
                        }
                    }
                    traced = again.Count;
                    Retraced += traced;
                    if (traced > 0)
                    {
                        endStates.View.SubView(0, units).CopyFromCPU(ends);
                        unitList.View.SubView(0, traced).CopyFromCPU(again.ToArray());
                    }
                }
                nextPredecessor = before[0];
                chunkPath.SubView(0, rows).CopyToCPU(path.AsSpan((int)chunk.FirstItem, rows));
                for (int u = 0; u < units; u++)
                    scores[_unitSequence[chunk.FirstUnit + u]] += unitScores[u];
            }
        }
        for (int s = 0; s < scores.Length; s++)
            if (!(scores[s] > double.NegativeInfinity))
                throw NoPath(s);
        return (path, scores);
    }

    // A sequence without any state path (a unit of it scored −∞): thrown before its back pointers are traced.
    private static InvalidOperationException NoPath(int sequence) => new(
        $"Sequence {sequence} (zero-based) has probability 0 under the model: no state path can produce it " +
        "(a transition mask or emission probabilities of 0 forbid every path).");

    // The parameters onto the device (the caller holds the lock); transitions are A or, for Viterbi, log A.
    private void CopyParameters(float[] means, float[] factors, float[] logNorm, float[] logStart, float[] transitions)
    {
        _means.View.CopyFromCPU(means);
        _factors.View.SubView(0, factors.Length).CopyFromCPU(factors);
        _logNorm.View.CopyFromCPU(logNorm);
        _logStart.View.CopyFromCPU(logStart);
        _transitions.View.CopyFromCPU(transitions);
    }

    /// <summary>Units the last <see cref="Decode"/> traced again to join their successor's path (tests).</summary>
    internal int Retraced { get; private set; }

    // The lowest j with the largest values[at + j] (+ extra[extraAt + j] when given).
    private static int ArgMax(float[] values, int at, int count, double[]? extra, long extraAt)
    {
        int best = 0;
        double top = double.NegativeInfinity;
        for (int j = 0; j < count; j++)
        {
            double v = values[at + j] + (extra is null ? 0 : extra[extraAt + j]);
            if (v > top)
            {
                top = v;
                best = j;
            }
        }
        return best;
    }

    // The (max, +) scans of a segmented Viterbi pass (the caller holds the lock, log A uploaded), in float64
    // over the segments' Φ: δ into segment p + 1 = δ into p ⊗ Φ_p (max_i Φ_0[i, ·] for the first), the
    // leaving β of segment p − 1 = Φ_p ⊗ β of p (0 after the last), each shifted to max 0 (all −∞ where no
    // path is left). Returns 2K floats per slot (δ in, then unused) and K doubles per slot (β out).
    private (float[] Entering, double[] Leaving) MaxMessages()
    {
        int k = _k;
        int squares = k * k;
        int total = _segmented[^1].FirstSlot + _segmented[^1].Segments;
        double[] phi = Transfers(maxProduct: true);
        var entering = new float[(long)total * 2 * k];
        var leaving = new double[(long)total * k];
        var vector = new double[k];
        var next = new double[k];
        foreach ((int first, int segments) in _segmented)
        {
            Array.Fill(vector, double.NegativeInfinity);
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                    vector[j] = Math.Max(vector[j], phi[(long)first * squares + i * k + j]);
            for (int segment = 1; segment < segments; segment++)
            {
                ShiftToMaxZero(vector);
                for (int j = 0; j < k; j++)
                    entering[(long)(first + segment) * 2 * k + j] = (float)vector[j];
                if (segment + 1 < segments)
                {
                    Array.Fill(next, double.NegativeInfinity);
                    long at = (long)(first + segment) * squares;
                    for (int i = 0; i < k; i++)
                        for (int j = 0; j < k; j++)
                            next[j] = Math.Max(next[j], vector[i] + phi[at + i * k + j]);
                    (vector, next) = (next, vector);
                }
            }
            Array.Clear(vector);
            for (int segment = segments - 1; segment >= 1; segment--)
            {
                long at = (long)(first + segment) * squares;
                for (int i = 0; i < k; i++)
                {
                    double best = double.NegativeInfinity;
                    for (int j = 0; j < k; j++)
                        best = Math.Max(best, phi[at + i * k + j] + vector[j]);
                    next[i] = best;
                }
                (vector, next) = (next, vector);
                ShiftToMaxZero(vector);
                vector.CopyTo(leaving, (long)(first + segment - 1) * k);
            }
        }
        return (entering, leaving);
    }

    // v −= max v; all −∞ (or a non-finite max) leaves all −∞.
    private static void ShiftToMaxZero(double[] v)
    {
        double top = v.Max();
        if (!double.IsFinite(top))
        {
            Array.Fill(v, double.NegativeInfinity);
            return;
        }
        for (int i = 0; i < v.Length; i++)
            v[i] -= top;
    }

    // Message slots of chunk c (its segments of long sequences).
    private int Slots(int c) => (c + 1 < _plan.Count ? _firstSlot[c + 1] : _segmented[^1].FirstSlot + _segmented[^1].Segments) - _firstSlot[c];

    // The first pass of a segmented E-step (the caller holds the lock, the parameters uploaded): every
    // segment's Φ, then per segmented sequence the float64 scans: α̂ into segment p + 1 ∝ α̂ into p · Φ_p
    // (1ᵀ Φ_0 for the first), β̂ out of segment p − 1 ∝ Φ_p β̂ out of p (1 after the last), each
    // normalized (sum, max). Returns 2K floats per slot: α̂ in, β̂ out (zeros where a scan hit 0).
    private float[] Messages()
    {
        int k = _k;
        int squares = k * k;
        int total = _segmented[^1].FirstSlot + _segmented[^1].Segments;
        double[] phi = Transfers(maxProduct: false);
        var messages = new float[(long)total * 2 * k];
        var vector = new double[k];
        var next = new double[k];
        foreach ((int first, int segments) in _segmented)
        {
            // Forward: α̂ entering segments 1 … P − 1.
            Array.Clear(vector);
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                    vector[j] += phi[(long)first * squares + i * k + j];
            for (int segment = 1; segment < segments; segment++)
            {
                Normalize(vector, byMax: false);
                for (int j = 0; j < k; j++)
                    messages[(long)(first + segment) * 2 * k + j] = (float)vector[j];
                if (segment + 1 < segments)
                {
                    Array.Clear(next);
                    long at = (long)(first + segment) * squares;
                    for (int i = 0; i < k; i++)
                        for (int j = 0; j < k; j++)
                            next[j] += vector[i] * phi[at + i * k + j];
                    (vector, next) = (next, vector);
                }
            }
            // Backward: β̂ leaving segments P − 2 … 0.
            Array.Fill(vector, 1.0);
            for (int segment = segments - 1; segment >= 1; segment--)
            {
                long at = (long)(first + segment) * squares;
                for (int i = 0; i < k; i++)
                {
                    double sum = 0;
                    for (int j = 0; j < k; j++)
                        sum += phi[at + i * k + j] * vector[j];
                    next[i] = sum;
                }
                (vector, next) = (next, vector);
                Normalize(vector, byMax: true);
                for (int i = 0; i < k; i++)
                    messages[(long)(first + segment - 1) * 2 * k + k + i] = (float)vector[i];
            }
        }
        return messages;
    }

    // Every segment's Φ by a pass over the chunks (the caller holds the lock, the parameters uploaded:
    // A, or log A for the (max, +) Φ of Viterbi), K² doubles per message slot.
    private double[] Transfers(bool maxProduct)
    {
        int k = _k;
        int squares = k * k;
        int total = _segmented[^1].FirstSlot + _segmented[^1].Segments;
        var phi = new double[(long)total * squares];
        _chunks.Start(0);
        for (int c = 0; c < _plan.Count; c++)
        {
            DataChunk chunk = _plan.Chunks[c];
            int rows = chunk.ItemCount;
            _chunks.Wait();
            (ArrayView<float> values, _, ArrayView<int> labels) = _chunks.Slot(c);
            ArrayView<float> logB = _logB.View.SubView(0, (long)rows * k);
            int slots = Slots(c);
            if (slots > 0)
            {
                Emissions(rows, values, logB, (int)chunk.FirstItem);
                _launcher.SegmentTransfer(
                    chunk.UnitCount, logB, _starts[c].View, _logStart.View, _transitions.View,
                    _data.Labels is null ? _noLabels.View : labels, _data.Labels is not null, _flags[c].View, _transfers!.View, maxProduct);
            }
            if (c + 1 < _plan.Count)
                _chunks.Start(c + 1);
            if (slots > 0)
            {
                var part = new double[slots * squares];
                _transfers!.View.SubView(0, part.Length).CopyToCPU(part);
                part.CopyTo(phi, (long)_firstSlot[c] * squares);
            }
        }
        return phi;
    }

    // Scales v to sum 1 (or max 1); all zeros (a segment of zero likelihood) stays zeros.
    private static void Normalize(double[] v, bool byMax)
    {
        double scale = byMax ? v.Max() : v.Sum();
        if (!(scale > 0) || !double.IsFinite(scale))
        {
            Array.Clear(v);
            return;
        }
        for (int i = 0; i < v.Length; i++)
            v[i] /= scale;
    }

    // The units of the device: whole sequences, and the segments of the long ones (see the remarks).
    internal static (UnitLayout Units, int[] UnitSequence, int[] Flags, (int FirstSlot, int Segments)[] Segmented) Segments(
        SequenceData sequences, int rowsPerChunk, bool canSegment, int? forced, Backend backend, int k)
    {
        int segmentLength = Math.Min(forced ?? SegmentRows, rowsPerChunk);
        bool few = sequences.SequenceCount < FewSequences;
        var lengths = new List<int>();
        var unitSequence = new List<int>();
        var flags = new List<int>();
        var segmented = new List<(int, int)>();
        int slot = 0;
        for (int s = 0; s < sequences.SequenceCount; s++)
        {
            int length = sequences.Sequence(s).Length;
            bool cut = canSegment && length > segmentLength
                && (length > rowsPerChunk || (forced is int f && length > f) || (few && length >= LongSequenceRows));
            if (!cut)
            {
                if (length > rowsPerChunk)
                    throw new LaunchLimitException(
                        $"Sequence {s} (zero-based) has {length:N0} steps, more than a device chunk ({rowsPerChunk:N0}), and with " +
                        $"K = {k} states (above {HmmLauncher.MaxSegmentStates}) long sequences are not cut into segments on {backend}. " +
                        "Raise DeviceMemoryLimit or use the reference backend.");
                lengths.Add(length);
                unitSequence.Add(s);
                flags.Add(0);
                continue;
            }
            int pieces = (length + segmentLength - 1) / segmentLength;
            segmented.Add((slot, pieces));
            for (int piece = 0; piece < pieces; piece++)
            {
                lengths.Add(Math.Min(segmentLength, length - piece * segmentLength));
                unitSequence.Add(s);
                flags.Add(HmmKernels.NeedsTransfer | (piece > 0 ? HmmKernels.HasIncoming : 0) | (piece + 1 < pieces ? HmmKernels.HasOutgoing : 0));
                slot++;
            }
        }
        return (UnitLayout.FromLengths(lengths, "sequence segment", 1), unitSequence.ToArray(), flags.ToArray(), segmented.ToArray());
    }

    private void Emissions(int rows, ArrayView<float> values, ArrayView<float> logB, int firstRow)
    {
        switch (_emission)
        {
            case HmmEmission.Gaussian when GaussianStatistics.NeedsDiagonalOnly(_covariance):
                _launcher.EmissionDiagonal(rows, _d, values, _means.View, _factors.View, _logNorm.View, logB);
                break;
            case HmmEmission.Gaussian:
                _launcher.EmissionFull(rows, _d, values, _means.View, _factors.View, _logNorm.View, logB);
                break;
            case HmmEmission.Categorical:
                _launcher.EmissionCategorical(rows, _symbols, values, _factors.View, logB);
                break;
            default:
                _launcher.EmissionPoisson(rows, _d, values, _factors.View.SubView(0, _k * _d), _means.View,
                    _rowConstant.View.SubView(firstRow, rows), logB);
                break;
        }
    }

    // Posteriors back to the host (categorical emissions only): Σ γ_t(k) over the steps showing s.
    private void CountSymbols(ArrayView<float> posteriors, DataChunk chunk, double[] counts)
    {
        var gamma = new float[posteriors.Length];
        posteriors.CopyToCPU(gamma);
        for (int t = 0; t < chunk.ItemCount; t++)
        {
            int symbol = (int)_data.Rows.Row((int)chunk.FirstItem + t)[0];
            for (int k = 0; k < _k; k++)
                counts[k * _symbols + symbol] += gamma[(long)t * _k + k];
        }
    }

    // The parameters as the kernels take them (float32); returns the means the moments centre on.
    private float[] UploadParameters(
        HmmParameters p, out float[] logStart, out float[] transitions, out float[] factors, out float[] logNorm)
    {
        logStart = p.LogStart.Select(v => (float)v).ToArray();
        transitions = p.Transitions.Select(v => (float)v).ToArray();
        logNorm = new float[_k];
        var means = new float[Math.Max(1, _k * _d)];
        switch (p.Emissions)
        {
            case GaussianEmissions g:
                {
                    GaussianParameters gp = g.Parameters;
                    int d = _d;
                    bool full = !GaussianStatistics.NeedsDiagonalOnly(gp.Type);
                    factors = new float[full ? _k * d * d : _k * d];
                    for (int i = 0; i < _k * d; i++)
                        means[i] = (float)gp.Means[i];
                    for (int c = 0; c < _k; c++)
                    {
                        logNorm[c] = (float)gp.LogNorm[c];
                        for (int i = 0; i < (full ? d * d : d); i++)
                            factors[full ? c * d * d + i : c * d + i] = gp.Type switch
                            {
                                CovarianceType.Full => (float)gp.PrecisionCholesky[c * d * d + i],
                                CovarianceType.Tied => (float)gp.PrecisionCholesky[i],
                                CovarianceType.Diagonal => (float)gp.PrecisionCholesky[c * d + i],
                                _ => (float)gp.PrecisionCholesky[c],
                            };
                    }
                    return means;
                }
            case CategoricalEmissions categorical:
                factors = categorical.Probabilities.Select(v => (float)Math.Log(v)).ToArray();
                return means;
            default:
                var poisson = (PoissonEmissions)p.Emissions;
                factors = poisson.Rates.Select(v => (float)Math.Log(v)).ToArray();
                // The Poisson kernel reads the rates from the means buffer (the moments centre at 0).
                for (int i = 0; i < _k * _d; i++)
                    means[i] = (float)poisson.Rates[i];
                return means;
        }
    }

    private HmmStatistics Statistics(HmmParameters p, double[] counts, double[] moments, double[]? symbolCounts, float[] means)
    {
        int k = _k;
        int d = _d;
        HmmEmissionStatistics emission;
        switch (p.Emissions)
        {
            case GaussianEmissions g:
                {
                    bool full = !GaussianStatistics.NeedsDiagonalOnly(g.Parameters.Type);
                    var sums = new GaussianStatistics(k, d, !full, means.Take(k * d).Select(v => (double)v).ToArray());
                    for (int c = 0; c < k; c++)
                    {
                        ReadOnlySpan<double> t = moments.AsSpan(c * _entryCount, _entryCount);
                        sums.Weight[c] = t[0];
                        for (int j = 0; j < d; j++)
                            sums.Sum1[c * d + j] = t[1 + j];
                        if (full)
                        {
                            int e = d + 1;
                            for (int i = 0; i < d; i++)
                                for (int j = i; j < d; j++)
                                {
                                    sums.Sum2[c * d * d + i * d + j] = t[e];
                                    sums.Sum2[c * d * d + j * d + i] = t[e];
                                    e++;
                                }
                        }
                        else
                        {
                            for (int j = 0; j < d; j++)
                                sums.Sum2[c * d + j] = t[1 + d + j];
                        }
                    }
                    emission = g.FromSums(sums);
                    break;
                }
            case CategoricalEmissions:
                {
                    var stats = new CategoricalEmissions.Statistics(k, _symbols);
                    symbolCounts!.CopyTo(stats.Counts, 0);
                    emission = stats;
                    break;
                }
            default:
                {
                    // Moments centred at the rates: Σ γ (x − λ) + λ Σ γ = Σ γ x.
                    var stats = new PoissonEmissions.Statistics(k, d);
                    for (int c = 0; c < k; c++)
                    {
                        ReadOnlySpan<double> t = moments.AsSpan(c * _entryCount, _entryCount);
                        stats.Weight[c] = t[0];
                        for (int j = 0; j < d; j++)
                            stats.Sums[c * d + j] = t[1 + j] + means[c * d + j] * t[0];
                    }
                    emission = stats;
                    break;
                }
        }
        var result = new HmmStatistics(k, emission)
        {
            LogLikelihood = counts[k * k + k],
            ObservedSteps = _data.ObservedSteps,
        };
        Array.Copy(counts, 0, result.Transitions, 0, k * k);
        Array.Copy(counts, k * k, result.Start, 0, k);
        return result;
    }

    private static float[] PoissonRowConstants(DataMatrix rows)
    {
        var constants = new float[rows.Rows];
        for (int row = 0; row < rows.Rows; row++)
        {
            double sum = 0;
            foreach (float v in rows.Row(row))
                sum -= MathNet.Numerics.SpecialFunctions.FactorialLn((int)v);
            constants[row] = (float)sum;
        }
        return constants;
    }

    public void Dispose()
    {
        lock (_handle.Sync)
        {
            _chunks.Dispose();
            _launcher.Dispose();
            _moments?.Dispose();
            foreach (MemoryBuffer1D<int, Stride1D.Dense> starts in _starts)
                starts.Dispose();
            foreach (MemoryBuffer1D<int, Stride1D.Dense> flags in _flags)
                flags.Dispose();
            _transfers?.Dispose();
            _messages?.Dispose();
            _noLabels.Dispose();
            _logB.Dispose();
            _posteriors.Dispose();
            _stepScales.Dispose();
            _sequenceLogLikelihood.Dispose();
            _rowConstant.Dispose();
            _means.Dispose();
            _factors.Dispose();
            _logNorm.Dispose();
            _logStart.Dispose();
            _transitions.Dispose();
        }
    }
}
