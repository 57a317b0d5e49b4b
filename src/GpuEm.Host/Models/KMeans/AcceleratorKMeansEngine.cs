using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Kernels.KMeans;
using GpuEm.Models;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Models.KMeans;

/// <summary>
/// K-means on an accelerator: data uploaded once; per iteration the centres go up (k·d floats),
/// the assignment kernel runs, the inertia is summed and the per-cluster counts and sums are
/// reduced by the shared moments kernel in label mode; only k·(d + 1) numbers come back.
/// </summary>
internal sealed class AcceleratorKMeansEngine : IKMeansEngine
{
    private const int GroupSize = 128;
    private readonly AcceleratorHandle _handle;
    private readonly int _n;
    private readonly int _d;
    private readonly int _k;
    private readonly bool _useWeights;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _data;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _weights;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _centres;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _noResponsibilities;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _labels;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _distances;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _changed;
    private readonly MomentsLauncher _moments;
    private readonly SumLauncher _sum;
    private readonly double[] _totals;
    private readonly DataMatrix _host;
    private readonly KernelConfig _assignConfig;
    private readonly KMeansAssignParams _assignParams;

    public AcceleratorKMeansEngine(AcceleratorHandle handle, DataMatrix data, int k)
    {
        _handle = handle;
        _host = data;
        _n = data.Rows;
        _d = data.Columns;
        _k = k;
        _useWeights = data.Weights is not null;
        Accelerator a = handle.Accelerator;
        int groupSize = Math.Min(GroupSize, a.MaxNumThreadsPerGroup);
        int tileCentres = Math.Clamp(4096 / _d, 1, k);
        _assignParams = new KMeansAssignParams(_n, _d, k, tileCentres, _useWeights ? 1 : 0);
        _assignConfig = new KernelConfig(
            (_n + groupSize - 1) / groupSize, groupSize,
            SharedMemoryConfig.RequestDynamic<float>(KMeansKernels.SharedFloats(tileCentres, _d)));
        lock (handle.Sync)
        {
            _data = a.Allocate1D<float>(data.Values.Length);
            ((ArrayView<float>)_data.View).CopyFromCPU(data.Values.Span);
            float[] weights = data.Weights ?? Enumerable.Repeat(1f, _n).ToArray();
            _weights = a.Allocate1D(weights);
            _centres = a.Allocate1D<float>(k * _d);
            _noResponsibilities = a.Allocate1D<float>(1);
            _labels = a.Allocate1D<int>(_n);
            _distances = a.Allocate1D<float>(_n);
            _changed = a.Allocate1D<float>(_n);
            _labels.MemSet(0xFF); // −1: every label counts as changed the first time
            _moments = new MomentsLauncher(handle, _n, _d, k, MomentsLauncher.DiagonalEntries(_d, squares: false), useLabels: true);
            _sum = new SumLauncher(handle);
        }
        _totals = new double[k * _moments.EntryCount];
    }

    public Backend Backend => _handle.Backend;

    public string DeviceName => _handle.DeviceName;

    public KMeansStatistics Expect(KMeansParameters p)
    {
        var centres = new float[p.Centres.Length];
        for (int i = 0; i < centres.Length; i++)
            centres[i] = (float)p.Centres[i];
        double inertia;
        long changed;
        lock (_handle.Sync)
        {
            _centres.View.CopyFromCPU(centres);
            var assign = _handle.Kernel("kmeans-assign", a => a.LoadStreamKernel<
                ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>,
                ArrayView<float>, KMeansAssignParams>(KMeansKernels.AssignKernel));
            assign(_assignConfig, _data.View, _weights.View, _centres.View, _labels.View, _distances.View,
                _changed.View, _assignParams);
            inertia = _sum.Sum(_distances.View);
            changed = (long)Math.Round(_sum.Sum(_changed.View));
            _moments.Run(_data.View, _noResponsibilities.View, _labels.View, _weights.View, _centres.View, _totals);
        }
        // The device centred on the float32 centres: the statistics carry exactly those shifts.
        double[] shifts = centres.Select(c => (double)c).ToArray();
        var stats = new KMeansStatistics(_k, _d, shifts) { Inertia = inertia, ChangedLabels = changed };
        int entries = _moments.EntryCount;
        for (int c = 0; c < _k; c++)
        {
            stats.Counts[c] = _totals[c * entries];
            for (int j = 0; j < _d; j++)
                stats.Sums[c * _d + j] = _totals[c * entries + 1 + j];
        }
        return stats;
    }

    public int[] Labels()
    {
        lock (_handle.Sync)
            return _labels.GetAsArray1D();
    }

    public float[] Distances()
    {
        lock (_handle.Sync)
            return _distances.GetAsArray1D();
    }

    public double[] SeedKMeansPlusPlus(int k, Random random)
    {
        using var space = new DeviceSeedingSpace(this);
        return Seeding.KMeansPlusPlus(_host, k, random, space);
    }

    /// <summary>k-means++ slots as device buffers: the distance update runs as a kernel and only
    /// the slot being sampled from comes back (n floats per chosen centre) for the prefix sum.</summary>
    private sealed class DeviceSeedingSpace : ISeedingSpace, IDisposable
    {
        private readonly AcceleratorKMeansEngine _engine;
        private readonly MemoryBuffer1D<float, Stride1D.Dense>[] _slots;
        private readonly MemoryBuffer1D<float, Stride1D.Dense> _candidate;
        private readonly float[] _host;

        public DeviceSeedingSpace(AcceleratorKMeansEngine engine)
        {
            _engine = engine;
            Accelerator a = engine._handle.Accelerator;
            lock (engine._handle.Sync)
            {
                _slots = new[] { a.Allocate1D<float>(engine._n), a.Allocate1D<float>(engine._n), a.Allocate1D<float>(engine._n) };
                _candidate = a.Allocate1D<float>(engine._d);
            }
            _host = new float[engine._n];
        }

        public double Trial(int candidateRow, int from, int to)
        {
            AcceleratorHandle handle = _engine._handle;
            float[] candidate = _engine._host.Row(candidateRow).ToArray();
            lock (handle.Sync)
            {
                var kernel = handle.Kernel("kmeans-seed", a => a.LoadAutoGroupedStreamKernel<
                    Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                    ArrayView<float>, int, int>(KMeansKernels.CandidateDistanceKernel));
                _candidate.View.CopyFromCPU(candidate);
                kernel(_engine._n, _engine._data.View, _engine._weights.View, _candidate.View,
                    _slots[Math.Max(from, 0)].View, _slots[to].View, _engine._d, from < 0 ? 0 : 1);
                return _engine._sum.Sum(_slots[to].View);
            }
        }

        public void Prefix(int slot, double[] cumulative)
        {
            lock (_engine._handle.Sync)
                _slots[slot].View.CopyToCPU(_host);
            double sum = 0;
            for (int i = 0; i < _host.Length; i++)
            {
                sum += _host[i];
                cumulative[i] = sum;
            }
        }

        public void Dispose()
        {
            lock (_engine._handle.Sync)
            {
                foreach (var slot in _slots)
                    slot.Dispose();
                _candidate.Dispose();
            }
        }
    }

    public void Dispose()
    {
        lock (_handle.Sync)
        {
            _data.Dispose();
            _weights.Dispose();
            _centres.Dispose();
            _noResponsibilities.Dispose();
            _labels.Dispose();
            _distances.Dispose();
            _changed.Dispose();
            _moments.Dispose();
            _sum.Dispose();
        }
    }
}
