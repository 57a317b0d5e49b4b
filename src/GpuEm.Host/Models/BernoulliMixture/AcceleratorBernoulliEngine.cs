using GpuEm.Engines;
using GpuEm.Kernels.BernoulliMixture;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// The accelerator engine of a mixture of independent indicators (Bernoulli mixtures; categorical
/// mixtures through their one-hot columns). The indicators, mask and weights are uploaded once,
/// buffers allocated once per fit, kernels compiled once per accelerator. Each E-step uploads
/// 2·k·d + k floats, runs <see cref="BernoulliKernels.EStepKernel"/>, the float64 log-likelihood
/// sum, and the shared moments reduction with zero shifts: over the indicators it gives N_k and
/// S_kj = Σ r·x (missing entries hold 0), and, when entries are missing, a second pass over the
/// mask gives O_kj = Σ r·[observed]. Only k·(d + 1) sums per pass and 64 partials come back.
/// </summary>
internal sealed class AcceleratorBernoulliEngine : IBernoulliEngine
{
    private readonly AcceleratorHandle _handle;
    private readonly int _n;
    private readonly int _d;
    private readonly int _k;
    private readonly bool _useWeights;
    private readonly bool _useMask;
    private readonly double _totalWeight;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _data;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _mask;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _weights;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _noLabels;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _zeroShifts;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _logOne;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _logZero;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _logWeights;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _responsibilities;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _pointLogLikelihood;
    private readonly MomentsLauncher _moments;
    private readonly SumLauncher _sum;
    private readonly double[] _onesTotals;
    private readonly double[] _observedTotals;

    public AcceleratorBernoulliEngine(AcceleratorHandle handle, BinaryData data, int k)
        : this(handle, data.Indicators.Values, data.Mask, data.Indicators.Weights, data.Rows, data.Columns, k,
            data.TotalWeight)
    {
    }

    /// <summary>Binds row-major n × d indicators (0/1, 0 where missing) and an optional mask.</summary>
    public AcceleratorBernoulliEngine(
        AcceleratorHandle handle, ReadOnlyMemory<float> indicators, float[]? mask, float[]? weights,
        int n, int d, int k, double totalWeight)
    {
        _handle = handle;
        _n = n;
        _d = d;
        _k = k;
        _useWeights = weights is not null;
        _useMask = mask is not null;
        _totalWeight = totalWeight;
        Accelerator accelerator = handle.Accelerator;
        lock (handle.Sync)
        {
            _data = accelerator.Allocate1D<float>(indicators.Length);
            ((ArrayView<float>)_data.View).CopyFromCPU(indicators.Span);
            _mask = mask is null ? accelerator.Allocate1D<float>(1) : accelerator.Allocate1D(mask);
            _weights = weights is null ? accelerator.Allocate1D<float>(1) : accelerator.Allocate1D(weights);
            _noLabels = accelerator.Allocate1D<int>(1);
            _zeroShifts = accelerator.Allocate1D(new float[k * d]);
            _logOne = accelerator.Allocate1D<float>(k * d);
            _logZero = accelerator.Allocate1D<float>(k * d);
            _logWeights = accelerator.Allocate1D<float>(k);
            _responsibilities = accelerator.Allocate1D<float>((long)n * k);
            _pointLogLikelihood = accelerator.Allocate1D<float>(n);
            _moments = new MomentsLauncher(handle, n, d, k, MomentsLauncher.DiagonalEntries(d, squares: false), useLabels: false);
            _sum = new SumLauncher(handle);
        }
        _onesTotals = new double[k * _moments.EntryCount];
        _observedTotals = new double[k * _moments.EntryCount];
    }

    public Backend Backend => _handle.Backend;

    public string DeviceName => _handle.DeviceName;

    public BernoulliStatistics Expect(BernoulliParameters parameters) =>
        Expect(ToFloat(parameters.LogOne), ToFloat(parameters.LogZero), ToFloat(parameters.LogWeights));

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
            var eStep = _handle.Kernel("bernoulli-estep", a => a.LoadAutoGroupedStreamKernel<
                Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, ArrayView<float>, ArrayView<float>, BernoulliEStepParams>(BernoulliKernels.EStepKernel));
            eStep(_n, _data.View, _mask.View, _weights.View, _logOne.View, _logZero.View, _logWeights.View,
                _responsibilities.View, _pointLogLikelihood.View,
                new BernoulliEStepParams(_d, _k, _useWeights ? 1 : 0, _useMask ? 1 : 0));
            logLikelihood = _sum.Sum(_pointLogLikelihood.View);
            _moments.Run(_data.View, _responsibilities.View, _noLabels.View, _weights.View, _zeroShifts.View, _onesTotals);
            if (_useMask)
                _moments.Run(_mask.View, _responsibilities.View, _noLabels.View, _weights.View, _zeroShifts.View, _observedTotals);
        }

        // Totals are k × (1 + d): Σ r, then Σ r·z_j for each column.
        var stats = new BernoulliStatistics(_k, _d, _useMask)
        {
            LogLikelihood = logLikelihood,
            TotalWeight = _totalWeight,
        };
        int width = _moments.EntryCount;
        for (int c = 0; c < _k; c++)
        {
            stats.Weight[c] = _onesTotals[c * width];
            Array.Copy(_onesTotals, c * width + 1, stats.Ones, c * _d, _d);
            if (stats.Observed is not null)
                Array.Copy(_observedTotals, c * width + 1, stats.Observed, c * _d, _d);
        }
        return stats;
    }

    private static float[] ToFloat(double[] values)
    {
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++)
            result[i] = (float)values[i];
        return result;
    }

    public void Dispose()
    {
        lock (_handle.Sync)
        {
            _data.Dispose();
            _mask.Dispose();
            _weights.Dispose();
            _noLabels.Dispose();
            _zeroShifts.Dispose();
            _logOne.Dispose();
            _logZero.Dispose();
            _logWeights.Dispose();
            _responsibilities.Dispose();
            _pointLogLikelihood.Dispose();
            _moments.Dispose();
            _sum.Dispose();
        }
    }
}
