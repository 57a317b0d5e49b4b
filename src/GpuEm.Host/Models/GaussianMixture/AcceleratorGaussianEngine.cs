using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Kernels.GaussianMixture;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// The accelerator engine: device buffers are allocated once per fit, kernels are compiled once
/// per accelerator. When the data fits the device budget (see <see cref="DeviceBudget"/>) it is
/// uploaded once and stays; otherwise each E-step streams it through the device in fixed chunks
/// (the same buffers reused). Each E-step uploads the parameters (float32, k·d·d numbers) and,
/// per chunk, runs either the fused pass (diagonal and spherical covariances whose statistics fit
/// a group's shared memory: <see cref="FusedDiagonalLauncher"/>) or the E-step kernel (tiled for
/// full and tied covariances), the log-likelihood sum and the moments reduction. The float64
/// statistics are added across chunks on the device, in chunk order, and read back once per
/// E-step (the unfused path reads the statistics and the log-likelihood: two small copies).
/// </summary>
/// <remarks>
/// Streamed chunks are double-buffered (<see cref="ChunkStream"/>): the next chunk is read and
/// copied on a second stream while the current one's kernels run. The result equals the resident
/// fit's to rounding (the chunk sums are added in a different order).
/// </remarks>
internal sealed class AcceleratorGaussianEngine : IEmEngine<GaussianParameters, GaussianStatistics>
{
    private const string FullKey = "gmm-estep-full";
    private const string DiagonalKey = "gmm-estep-diag";
    private readonly AcceleratorHandle _handle;
    private readonly int _d;
    private readonly int _k;
    private readonly bool _full;
    private readonly bool _useWeights;
    private readonly bool _useLabels;
    private readonly (int Width, int Height) _tile;
    private readonly ChunkStream _chunks;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _noLabels;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _means;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _factors;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _logNorm;
    private readonly FusedDiagonalLauncher? _fused;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _responsibilities;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _pointLogLikelihood;
    private readonly MomentsLauncher? _moments;
    private readonly SumLauncher? _sum;
    private readonly double[] _totals;
    private readonly int _entryCount;
    private readonly double _totalWeight;
    private readonly MissingValueGaussian? _incomplete;

    /// <summary>Binds the data: complete rows go to the device; rows with missing entries stay on
    /// the host (<see cref="MissingValueGaussian"/>), their statistics added to the device's.</summary>
    /// <param name="handle">The accelerator.</param>
    /// <param name="allData">The fit's data.</param>
    /// <param name="k">Components.</param>
    /// <param name="type">Covariance type.</param>
    /// <param name="deviceMemoryLimit">The user's device-memory limit in bytes, or null.</param>
    /// <param name="fullTile">Tests only: the tiled full E-step's group (threads wide, high)
    /// instead of <see cref="TileShape"/>'s, so that shapes a GPU would use (width ≠ height) run on
    /// the CPU accelerator's 16-thread groups.</param>
    public AcceleratorGaussianEngine(
        AcceleratorHandle handle, DataMatrix allData, int k, CovarianceType type, long? deviceMemoryLimit = null,
        (int Width, int Height)? fullTile = null)
    {
        _incomplete = allData.Incomplete is null ? null : new MissingValueGaussian(allData);
        _totalWeight = allData.TotalWeight;
        // The device needs at least one row to launch; an all-incomplete data set keeps one
        // zero-weight row there, which adds nothing.
        DataMatrix data = allData.CompleteRows();
        if (data.Rows == 0)
            data = DataMatrix.Placeholder(allData.Columns);
        _handle = handle;
        _d = data.Columns;
        _k = k;
        _full = !GaussianStatistics.NeedsDiagonalOnly(type);
        _useWeights = data.Weights is not null;
        _useLabels = data.Labels is not null;
        Accelerator accelerator = handle.Accelerator;
        LaunchLimits.Require(Launches(handle.Limits, _d, k, type), handle, $"d = {_d} columns, k = {k}");
        bool fused = !_full && FusedDiagonalLauncher.TilePoints(accelerator, _d, k) is not null;
        _tile = fullTile ?? TileShape(DeviceLimits.Of(accelerator), _d);
        int[] entries = _full ? MomentsLauncher.FullEntries(_d) : MomentsLauncher.DiagonalEntries(_d, squares: true);
        _entryCount = entries.Length / 2;
        int chunkRows = DeviceBudget.ChunkRows(
            accelerator, deviceMemoryLimit, data.Rows, Footprint(_d, k, type, fused: fused),
            Footprint(_d, k, type, streamed: true, fused: fused));
        lock (handle.Sync)
        {
            _chunks = new ChunkStream(accelerator, data, chunkRows, data.Weights, data.Labels);
            _noLabels = accelerator.Allocate1D<int>(1);
            _means = accelerator.Allocate1D<float>(k * _d);
            _factors = accelerator.Allocate1D<float>(_full ? k * _d * _d : k * _d);
            _logNorm = accelerator.Allocate1D<float>(k);
            if (fused)
            {
                _fused = new FusedDiagonalLauncher(handle, chunkRows, _d, k, _useWeights, _useLabels);
            }
            else
            {
                _responsibilities = accelerator.Allocate1D<float>((long)chunkRows * k);
                _pointLogLikelihood = accelerator.Allocate1D<float>(chunkRows);
                _moments = new MomentsLauncher(handle, chunkRows, _d, k, entries, useLabels: false);
                _sum = new SumLauncher(handle);
            }
        }
        _totals = new double[fused ? _fused!.SlotCount : k * _entryCount];
    }

    /// <summary>
    /// Device bytes per row (data, weight, label and, unfused, responsibilities and
    /// log-likelihood; streamed rows have a second slot of data, weight and label) and for the
    /// rest (parameters, the partial sums, 64 KiB of slack). <paramref name="fused"/> null: as on
    /// a device with at least 48 KiB of shared memory per group (CUDA, the CPU accelerator).
    /// </summary>
    internal static (long PerRow, long Fixed) Footprint(
        int d, int k, CovarianceType type, bool streamed = false, bool? fused = null)
    {
        bool full = !GaussianStatistics.NeedsDiagonalOnly(type);
        bool isFused = fused ?? (!full && FusedDiagonalLauncher.TilePoints(int.MaxValue, d, k) is not null);
        long entryCount = full ? (d + 1L) * (d + 2) / 2 : 2L * d + 1;
        long parameters = 8L * k * (d * d + d + 1);
        long perRow = 4L * (d + 2) + (isFused ? 0 : 4L * (k + 1)) + (streamed ? 4L * (d + 2) : 0);
        long partials = isFused ? FusedDiagonalLauncher.FixedBytes(d, k) : 8L * k * entryCount * 257;
        return (perRow, parameters + partials + (1L << 16));
    }

    /// <summary>
    /// The tiled full E-step's group: 4·width columns per step, just covering d up to 64 (d = 32:
    /// 8 threads wide, so no half-empty column tiles), and as many rows of threads as make 256
    /// threads (or the device's limit); at least 4 × 4 (the kernel needs a thread per point).
    /// </summary>
    private static (int Width, int Height) TileShape(DeviceLimits limits, int d)
    {
        int width = 4;
        while (width < 16 && GaussianKernels.MicroTile * width < d)
            width *= 2;
        int threads = Math.Min(256, limits.MaxThreadsPerGroup);
        while (width > 4 && width * 4 > threads)
            width /= 2;
        return (width, Math.Max(4, threads / width));
    }

    /// <summary>
    /// The kernels this engine launches for d columns and k components of the given covariance
    /// type (its own E-steps and those of the launchers it uses), at the shapes it plans.
    /// </summary>
    internal static IEnumerable<KernelLaunch> Launches(DeviceLimits limits, int d, int k, CovarianceType type)
    {
        if (!GaussianStatistics.NeedsDiagonalOnly(type))
        {
            (int width, int height) = TileShape(limits, d);
            yield return new KernelLaunch(
                FullKey, KernelLaunch.Method(typeof(GaussianKernels), nameof(GaussianKernels.EStepFullKernel)),
                width * height, (long)GaussianKernels.FullSharedFloats(width, height) * sizeof(float));
        }
        else
        {
            bool fused = false;
            foreach (KernelLaunch launch in FusedDiagonalLauncher.Launches(limits, d, k))
            {
                fused = true;
                yield return launch;
            }
            if (fused)
                yield break;
            yield return new KernelLaunch(
                DiagonalKey, KernelLaunch.Method(typeof(GaussianKernels), nameof(GaussianKernels.EStepDiagonalKernel)),
                null, 0);
        }
        foreach (KernelLaunch launch in MomentsLauncher.Launches(limits, d).Concat(SumLauncher.Launches(limits)))
            yield return launch;
    }

    public Backend Backend => _handle.Backend;

    public string DeviceName => _handle.DeviceName;

    /// <summary>Device chunks per E-step: 1 when the data stays resident.</summary>
    public int ChunkCount => _chunks.ChunkCount;

    /// <summary>Whether E-steps run the fused pass (<see cref="FusedDiagonalLauncher"/>).</summary>
    public bool Fused => _fused is not null;

    public GaussianStatistics Expect(GaussianParameters p)
    {
        (float[] means, float[] factors, float[] logNorm) = DeviceParameters(p);
        double logLikelihood;
        lock (_handle.Sync)
        {
            _means.View.CopyFromCPU(means);
            _factors.View.CopyFromCPU(factors);
            _logNorm.View.CopyFromCPU(logNorm);
            _chunks.Start(0);
            for (int chunk = 0; chunk < ChunkCount; chunk++)
            {
                int rows = _chunks.RowCount(chunk);
                bool first = chunk == 0;
                _chunks.Wait();
                (ArrayView<float> data, ArrayView<float> weights, ArrayView<int> labels) = _chunks.Slot(chunk);
                if (_fused is not null)
                {
                    _fused.Accumulate(rows, data, weights, labels, _means.View, _factors.View, _logNorm.View, first);
                    if (chunk + 1 < ChunkCount)
                        _chunks.Start(chunk + 1);
                    continue;
                }
                ArrayView<float> pointLogLikelihood = ((ArrayView<float>)_pointLogLikelihood!.View).SubView(0, rows);
                EStep(rows, data, weights, labels, pointLogLikelihood);
                if (chunk + 1 < ChunkCount)
                    _chunks.Start(chunk + 1);
                _sum!.Accumulate(pointLogLikelihood, first);
                _moments!.Accumulate(rows, data, _responsibilities!.View, _noLabels.View, weights, _means.View, first);
            }
            if (_fused is not null)
            {
                _fused.Read(_totals);
                logLikelihood = _totals[^1];
            }
            else
            {
                _moments!.Read(_totals);
                logLikelihood = _sum!.Read();
            }
        }

        // The device centred on the float32 means: the statistics carry exactly those shifts.
        var shifts = new double[_k * _d];
        for (int i = 0; i < shifts.Length; i++)
            shifts[i] = means[i];
        var stats = new GaussianStatistics(_k, _d, !_full, shifts)
        {
            LogLikelihood = logLikelihood,
            TotalWeight = _totalWeight,
        };
        Unpack(stats);
        if (_incomplete is not null)
        {
            // The device's log-likelihood covers the complete rows; the host adds the rest.
            stats.TotalWeight = 0;
            _incomplete.Accumulate(p, stats);
            stats.TotalWeight = _totalWeight;
        }
        return stats;
    }

    private void EStep(
        int rows, ArrayView<float> data, ArrayView<float> weights, ArrayView<int> labels, ArrayView<float> pointLogLikelihood)
    {
        if (_full)
        {
            var tiled = _handle.Kernel(FullKey, a => a.LoadStreamKernel<
                ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>,
                ArrayView<float>, ArrayView<float>, ArrayView<float>, GaussianTiledParams>(GaussianKernels.EStepFullKernel));
            (int width, int height) = _tile;
            int points = GaussianKernels.MicroTile * height;
            var config = new KernelConfig(
                (rows + points - 1) / points,
                width * height,
                SharedMemoryConfig.RequestDynamic<float>(GaussianKernels.FullSharedFloats(width, height)));
            var shapes = new GaussianTiledParams(rows, _d, _k, width, height, _useWeights ? 1 : 0, _useLabels ? 1 : 0);
            tiled(config, data, weights, labels, _means.View, _factors.View, _logNorm.View,
                _responsibilities!.View, pointLogLikelihood, shapes);
            return;
        }
        var diagonal = _handle.Kernel(DiagonalKey, a => a.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>, GaussianEStepParams>(GaussianKernels.EStepDiagonalKernel));
        diagonal(rows, data, weights, labels, _means.View, _factors.View, _logNorm.View,
            _responsibilities!.View, pointLogLikelihood, new GaussianEStepParams(_d, _k, _useWeights ? 1 : 0, _useLabels ? 1 : 0));
    }

    // Totals are k × E in entry-table order: (0,0), then row 0 of z's upper triangle, and so on.
    private void Unpack(GaussianStatistics stats)
    {
        int d = _d;
        int entryCount = _entryCount;
        for (int c = 0; c < _k; c++)
        {
            ReadOnlySpan<double> t = _totals.AsSpan(c * entryCount, entryCount);
            stats.Weight[c] = t[0];
            for (int j = 0; j < d; j++)
                stats.Sum1[c * d + j] = t[1 + j];
            if (_full)
            {
                int e = d + 1;
                for (int i = 0; i < d; i++)
                    for (int j = i; j < d; j++)
                    {
                        stats.Sum2[c * d * d + i * d + j] = t[e];
                        stats.Sum2[c * d * d + j * d + i] = t[e];
                        e++;
                    }
            }
            else
            {
                for (int j = 0; j < d; j++)
                    stats.Sum2[c * d + j] = t[1 + d + j];
            }
        }
    }

    private (float[] Means, float[] Factors, float[] LogNorm) DeviceParameters(GaussianParameters p)
    {
        int d = _d;
        var means = new float[_k * d];
        for (int i = 0; i < means.Length; i++)
            means[i] = (float)p.Means[i];
        var factors = new float[_full ? _k * d * d : _k * d];
        var logNorm = new float[_k];
        for (int c = 0; c < _k; c++)
        {
            logNorm[c] = (float)p.LogNorm[c];
            switch (p.Type)
            {
                case CovarianceType.Full:
                case CovarianceType.Tied:
                    int source = p.Type == CovarianceType.Full ? c * d * d : 0;
                    for (int i = 0; i < d * d; i++)
                        factors[c * d * d + i] = (float)p.PrecisionCholesky[source + i];
                    break;
                case CovarianceType.Diagonal:
                    for (int j = 0; j < d; j++)
                        factors[c * d + j] = (float)p.PrecisionCholesky[c * d + j];
                    break;
                default:
                    for (int j = 0; j < d; j++)
                        factors[c * d + j] = (float)p.PrecisionCholesky[c];
                    break;
            }
        }
        return (means, factors, logNorm);
    }

    public void Dispose()
    {
        lock (_handle.Sync)
        {
            _chunks.Dispose();
            _noLabels.Dispose();
            _means.Dispose();
            _factors.Dispose();
            _logNorm.Dispose();
            _fused?.Dispose();
            _responsibilities?.Dispose();
            _pointLogLikelihood?.Dispose();
            _moments?.Dispose();
            _sum?.Dispose();
        }
    }
}
