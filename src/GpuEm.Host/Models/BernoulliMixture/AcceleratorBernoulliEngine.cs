using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Kernels.BernoulliMixture;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// The accelerator engine of a mixture of independent indicators (Bernoulli mixtures; categorical
/// mixtures through their one-hot columns). When the rows fit the device budget
/// (<see cref="DeviceBudget"/>) the indicators, mask and weights are uploaded once; beyond it they
/// stream through the device in chunks of whole rows every E-step (<see cref="ChunkStream"/>,
/// double-buffered). Buffers are allocated once per fit, kernels compiled once per accelerator.
/// Each E-step uploads 2·k·d + k floats and, per chunk, runs <see cref="BernoulliKernels.EStepKernel"/>,
/// the float64 log-likelihood sum, and the shared moments reduction with zero shifts: over the
/// indicators it gives N_k and S_kj = Σ r·x (missing entries hold 0), and, when entries are
/// missing, a second reduction over the mask gives O_kj = Σ r·[observed]. Chunk totals are added
/// on the device in chunk order; k·(d + 1) sums per reduction and one double come back per E-step.
/// </summary>
internal sealed class AcceleratorBernoulliEngine : IEmEngine<BernoulliParameters, BernoulliStatistics>
{
    private const string EStepKey = "bernoulli-estep";
    private readonly AcceleratorHandle _handle;
    private readonly int _d;
    private readonly int _k;
    private readonly bool _useWeights;
    private readonly bool _useMask;
    private readonly double _totalWeight;
    private readonly ChunkStream _chunks;
    private readonly ChunkStream? _maskChunks;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _noMask;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _noLabels;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _zeroShifts;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _logOne;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _logZero;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _logWeights;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _responsibilities;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _pointLogLikelihood;
    private readonly MomentsLauncher _ones;
    private readonly MomentsLauncher? _observed;
    private readonly SumLauncher _sum;
    private readonly double[] _onesTotals;
    private readonly double[] _observedTotals;

    public AcceleratorBernoulliEngine(AcceleratorHandle handle, BinaryData data, int k, long? deviceMemoryLimit)
        : this(handle, data.Indicators, data.Mask is null ? null : DataMatrix.From(data.Mask, data.Rows, data.Columns, null),
            k, deviceMemoryLimit)
    {
    }

    /// <summary>Binds n × d indicators (0/1, 0 where missing, with the sample weights) and an
    /// optional n × d observed mask (1 observed, 0 missing).</summary>
    public AcceleratorBernoulliEngine(
        AcceleratorHandle handle, DataMatrix indicators, DataMatrix? mask, int k, long? deviceMemoryLimit)
    {
        _handle = handle;
        int n = indicators.Rows;
        _d = indicators.Columns;
        _k = k;
        _useWeights = indicators.Weights is not null;
        _useMask = mask is not null;
        _totalWeight = indicators.TotalWeight;
        Accelerator accelerator = handle.Accelerator;
        LaunchLimits.Require(Launches(handle.Limits, _d), handle, $"d = {_d} indicator columns");
        ChunkPlan plan = DeviceBudget.Plan(
            accelerator, deviceMemoryLimit, UnitLayout.Rows(n), Footprint(_d, k, _useMask), Footprint(_d, k, _useMask, streamed: true));
        int chunkRows = plan.MaxItems;
        lock (handle.Sync)
        {
            _chunks = new ChunkStream(accelerator, indicators, plan, indicators.Weights, null);
            _maskChunks = mask is null ? null : new ChunkStream(accelerator, mask, plan, null, null);
            _noMask = accelerator.Allocate1D<float>(1);
            _noLabels = accelerator.Allocate1D<int>(1);
            _zeroShifts = accelerator.Allocate1D(new float[k * _d]);
            _logOne = accelerator.Allocate1D<float>(k * _d);
            _logZero = accelerator.Allocate1D<float>(k * _d);
            _logWeights = accelerator.Allocate1D<float>(k);
            _responsibilities = accelerator.Allocate1D<float>((long)chunkRows * k);
            _pointLogLikelihood = accelerator.Allocate1D<float>(chunkRows);
            int[] entries = MomentsLauncher.DiagonalEntries(_d, squares: false);
            _ones = new MomentsLauncher(handle, chunkRows, _d, k, entries, useLabels: false);
            _observed = mask is null ? null : new MomentsLauncher(handle, chunkRows, _d, k, entries, useLabels: false);
            _sum = new SumLauncher(handle);
        }
        _onesTotals = new double[k * _ones.EntryCount];
        _observedTotals = new double[k * _ones.EntryCount];
    }

    /// <summary>
    /// Device bytes per row (resident: indicators, mask, weight, k responsibilities, the point's
    /// log-likelihood; streamed: two slots of the rows) and for the rest (log tables, the moments
    /// partials of one or two reductions, 64 KiB of slack).
    /// </summary>
    internal static (long PerRow, long Fixed) Footprint(int d, int k, bool masked, bool streamed = false)
    {
        long rowValues = (masked ? 2L : 1L) * d + 1;
        long perRow = 4L * ((streamed ? 2 : 1) * rowValues + k + 1);
        long partials = (masked ? 2L : 1L) * 8L * k * (d + 1) * 257;
        return (perRow, partials + 4L * (3L * k * d + k) + (1L << 16));
    }

    public Backend Backend => _handle.Backend;

    public string DeviceName => _handle.DeviceName;

    /// <summary>Device chunks per E-step: 1 when the rows stay resident.</summary>
    public int ChunkCount => _chunks.ChunkCount;

    public BernoulliStatistics Expect(BernoulliParameters parameters) =>
        Expect(DeviceCopy.ToFloat(parameters.LogOne), DeviceCopy.ToFloat(parameters.LogZero), DeviceCopy.ToFloat(parameters.LogWeights));

    /// <summary>
    /// The kernels this engine launches for d indicator columns (its E-step, auto-grouped, and
    /// those of the launchers it uses), at the shapes it plans.
    /// </summary>
    internal static IEnumerable<KernelLaunch> Launches(DeviceLimits limits, int d)
    {
        yield return new KernelLaunch(
            EStepKey, KernelLaunch.Method(typeof(BernoulliKernels), nameof(BernoulliKernels.EStepKernel)), null, 0);
        foreach (KernelLaunch launch in MomentsLauncher.Launches(limits, d).Concat(SumLauncher.Launches(limits)))
            yield return launch;
    }

    /// <summary>The E-step with the given log tables (float32 on the device).</summary>
    /// <param name="logOne">k × d, log P(x_j = 1 | k).</param>
    /// <param name="logZero">k × d, log P(x_j = 0 | k).</param>
    /// <param name="logWeights">k log weights.</param>
    /// <returns>N_k, S_kj, O_kj (when masked), the log-likelihood and the total weight.</returns>
    public BernoulliStatistics Expect(float[] logOne, float[] logZero, float[] logWeights)
    {
        double logLikelihood;
        lock (_handle.Sync)
        {
            _logOne.View.CopyFromCPU(logOne);
            _logZero.View.CopyFromCPU(logZero);
            _logWeights.View.CopyFromCPU(logWeights);
            var eStep = _handle.Kernel(EStepKey, a => a.LoadAutoGroupedStreamKernel<
                Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, ArrayView<float>, ArrayView<float>, BernoulliEStepParams>(BernoulliKernels.EStepKernel));
            var parameters = new BernoulliEStepParams(_d, _k, _useWeights ? 1 : 0, _useMask ? 1 : 0);
            _chunks.Start(0);
            _maskChunks?.Start(0);
            for (int chunk = 0; chunk < ChunkCount; chunk++)
            {
                int rows = _chunks.RowCount(chunk);
                _chunks.Wait();
                _maskChunks?.Wait();
                (ArrayView<float> data, ArrayView<float> weights, _) = _chunks.Slot(chunk);
                ArrayView<float> mask = _maskChunks is null ? _noMask.View : _maskChunks.Slot(chunk).Values;
                eStep(rows, data, mask, weights, _logOne.View, _logZero.View, _logWeights.View,
                    _responsibilities.View, _pointLogLikelihood.View, parameters);
                if (chunk + 1 < ChunkCount)
                {
                    _chunks.Start(chunk + 1);
                    _maskChunks?.Start(chunk + 1);
                }
                bool first = chunk == 0;
                _sum.Accumulate(((ArrayView<float>)_pointLogLikelihood.View).SubView(0, rows), first);
                _ones.Accumulate(rows, data, _responsibilities.View, _noLabels.View, weights, _zeroShifts.View, first);
                _observed?.Accumulate(rows, mask, _responsibilities.View, _noLabels.View, weights, _zeroShifts.View, first);
            }
            logLikelihood = _sum.Read();
            _ones.Read(_onesTotals);
            _observed?.Read(_observedTotals);
        }

        // Totals are k × (1 + d): Σ r, then Σ r·z_j for each column.
        var stats = new BernoulliStatistics(_k, _d, _useMask)
        {
            LogLikelihood = logLikelihood,
            TotalWeight = _totalWeight,
        };
        int width = _ones.EntryCount;
        for (int c = 0; c < _k; c++)
        {
            stats.Weight[c] = _onesTotals[c * width];
            Array.Copy(_onesTotals, c * width + 1, stats.Ones, c * _d, _d);
            if (stats.Observed is not null)
                Array.Copy(_observedTotals, c * width + 1, stats.Observed, c * _d, _d);
        }
        return stats;
    }

    public void Dispose()
    {
        lock (_handle.Sync)
        {
            _chunks.Dispose();
            _maskChunks?.Dispose();
            _noMask.Dispose();
            _noLabels.Dispose();
            _zeroShifts.Dispose();
            _logOne.Dispose();
            _logZero.Dispose();
            _logWeights.Dispose();
            _responsibilities.Dispose();
            _pointLogLikelihood.Dispose();
            _ones.Dispose();
            _observed?.Dispose();
            _sum.Dispose();
        }
    }
}
