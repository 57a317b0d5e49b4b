using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Engines;
using GpuEm.Kernels.KMeans;
using GpuEm.Models;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Models.KMeans;

/// <summary>
/// K-means on an accelerator: when the data fits the device budget (<see cref="DeviceBudget"/>)
/// it is uploaded once; per iteration the centres go up (k·d floats), the assignment kernel runs,
/// the inertia is summed and the per-cluster counts and sums are reduced by the shared moments
/// kernel in label mode; the totals stay on the device until the end of the iteration, when
/// k·(d + 1) + 2 numbers come back. Beyond the budget the rows stream through the device in chunks
/// every iteration (with their previous labels, and the new labels and distances coming back to
/// the host); chunk statistics are added on the device in chunk order. The
/// chunks are double-buffered (<see cref="ChunkStream"/>): the next one is read and copied while
/// the current one's kernels run.
/// </summary>
internal sealed class AcceleratorKMeansEngine : IKMeansEngine
{
    private const int GroupSize = 128;
    private const string AssignKey = "kmeans-assign";
    private const string SeedKey = "kmeans-seed";
    private readonly AcceleratorHandle _handle;
    private readonly int _n;
    private readonly int _d;
    private readonly int _k;
    private readonly int _chunkRows;
    private readonly int _groupSize;
    private readonly int _tileCentres;
    private readonly bool _useWeights;
    private readonly ChunkStream _chunks;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _centres;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _noResponsibilities;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _distances;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _changed;
    private readonly MomentsLauncher _moments;
    private readonly SumLauncher _sum;
    private readonly SumLauncher _changedSum;
    private readonly double[] _totals;
    private readonly DataMatrix _host;
    private readonly float[] _hostWeights;
    private readonly int[] _hostLabels;
    private readonly float[]? _hostDistances;

    public AcceleratorKMeansEngine(AcceleratorHandle handle, DataMatrix data, int k, long? deviceMemoryLimit = null)
    {
        _handle = handle;
        _host = data;
        _n = data.Rows;
        _d = data.Columns;
        _k = k;
        _useWeights = data.Weights is not null;
        Accelerator a = handle.Accelerator;
        LaunchLimits.Require(Launches(handle.Limits, _d, k), handle, $"d = {_d} columns, k = {k}");
        (_groupSize, _tileCentres) = Plan(handle.Limits, _d, k);
        int[] entries = MomentsLauncher.DiagonalEntries(_d, squares: false);
        _chunkRows = DeviceBudget.ChunkRows(a, deviceMemoryLimit, _n, Footprint(_d, k), Footprint(_d, k, streamed: true));
        _hostWeights = data.Weights ?? Enumerable.Repeat(1f, _n).ToArray();
        // −1: every label counts as changed the first time. Resident labels stay on the device
        // after this upload; streamed ones come back each pass and go up with their rows.
        _hostLabels = Enumerable.Repeat(-1, _n).ToArray();
        if (_chunkRows < _n)
            _hostDistances = new float[_n];
        lock (handle.Sync)
        {
            _chunks = new ChunkStream(a, data, _chunkRows, _hostWeights, _hostLabels);
            _centres = a.Allocate1D<float>(k * _d);
            _noResponsibilities = a.Allocate1D<float>(1);
            _distances = a.Allocate1D<float>(_chunkRows);
            _changed = a.Allocate1D<float>(_chunkRows);
            _moments = new MomentsLauncher(handle, _chunkRows, _d, k, entries, useLabels: true);
            _sum = new SumLauncher(handle);
            _changedSum = new SumLauncher(handle);
        }
        _totals = new double[k * _moments.EntryCount];
    }

    /// <summary>
    /// Device bytes per row (resident: data, weight, label, distance, changed flag, and the three
    /// k-means++ slots; streamed: two slots of data, weight and label, distance and changed flag;
    /// k-means++ then runs on the host) and for the rest (centres, moments partials, 64 KiB of
    /// slack).
    /// </summary>
    internal static (long PerRow, long Fixed) Footprint(int d, int k, bool streamed = false) =>
        (streamed ? 4L * (2 * d + 6) : 4L * (d + 7), 8L * k * (d + 1) * 257 + (1L << 16));

    /// <summary>
    /// The assignment kernel's group size and the centres it stages at a time (16 KiB of shared
    /// memory, at least one centre).
    /// </summary>
    private static (int GroupSize, int TileCentres) Plan(DeviceLimits limits, int d, int k) =>
        (Math.Min(GroupSize, limits.MaxThreadsPerGroup), Math.Clamp(4096 / d, 1, k));

    /// <summary>
    /// The kernels this engine launches for d columns and k clusters (its own and those of the
    /// launchers it uses), at the shapes it plans.
    /// </summary>
    internal static IEnumerable<KernelLaunch> Launches(DeviceLimits limits, int d, int k)
    {
        (int groupSize, int tileCentres) = Plan(limits, d, k);
        yield return new KernelLaunch(
            AssignKey, KernelLaunch.Method(typeof(KMeansKernels), nameof(KMeansKernels.AssignKernel)),
            groupSize, (long)KMeansKernels.SharedFloats(tileCentres, d) * sizeof(float));
        yield return new KernelLaunch(
            SeedKey, KernelLaunch.Method(typeof(KMeansKernels), nameof(KMeansKernels.CandidateDistanceKernel)),
            null, 0, HotPath: false);
        foreach (KernelLaunch launch in MomentsLauncher.Launches(limits, d).Concat(SumLauncher.Launches(limits)))
            yield return launch;
    }

    public Backend Backend => _handle.Backend;

    public string DeviceName => _handle.DeviceName;

    /// <summary>Device chunks per iteration: 1 when the data stays resident.</summary>
    public int ChunkCount => _chunks.ChunkCount;

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
            var assign = _handle.Kernel(AssignKey, a => a.LoadStreamKernel<
                ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>,
                ArrayView<float>, KMeansAssignParams>(KMeansKernels.AssignKernel));
            _chunks.Start(0);
            for (int chunk = 0; chunk < ChunkCount; chunk++)
            {
                int first = _chunks.FirstRow(chunk);
                int rows = _chunks.RowCount(chunk);
                _chunks.Wait();
                (ArrayView<float> data, ArrayView<float> weights, ArrayView<int> labels) = _chunks.Slot(chunk);
                var config = new KernelConfig(
                    (rows + _groupSize - 1) / _groupSize, _groupSize,
                    SharedMemoryConfig.RequestDynamic<float>(KMeansKernels.SharedFloats(_tileCentres, _d)));
                var parameters = new KMeansAssignParams(rows, _d, _k, _tileCentres, _useWeights ? 1 : 0);
                assign(config, data, weights, _centres.View, labels, _distances.View, _changed.View, parameters);
                if (chunk + 1 < ChunkCount)
                    _chunks.Start(chunk + 1);
                ArrayView<float> distances = ((ArrayView<float>)_distances.View).SubView(0, rows);
                bool firstChunk = chunk == 0;
                _sum.Accumulate(distances, firstChunk);
                _changedSum.Accumulate(((ArrayView<float>)_changed.View).SubView(0, rows), firstChunk);
                _moments.Accumulate(rows, data, _noResponsibilities.View, labels, weights, _centres.View, firstChunk);
                if (ChunkCount > 1)
                {
                    labels.SubView(0, rows).CopyToCPU(_hostLabels.AsSpan(first, rows));
                    distances.CopyToCPU(_hostDistances.AsSpan(first, rows));
                }
            }
            _moments.Read(_totals);
            inertia = _sum.Read();
            changed = (long)Math.Round(_changedSum.Read());
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
        if (ChunkCount > 1)
            return (int[])_hostLabels.Clone();
        var labels = new int[_n];
        lock (_handle.Sync)
            _chunks.Slot(0).Labels.CopyToCPU(labels);
        return labels;
    }

    public float[] Distances()
    {
        if (_hostDistances is not null)
            return (float[])_hostDistances.Clone();
        lock (_handle.Sync)
            return _distances.GetAsArray1D();
    }

    /// <summary>k-means++ on the device when the data is resident; on the host (the reference
    /// seeding, same choices up to float32 rounding of the distances) when it streams.</summary>
    public double[] SeedKMeansPlusPlus(int k, Random random, PhaseProgress? progress = null)
    {
        if (ChunkCount > 1)
            return Seeding.KMeansPlusPlus(_host, k, random, progress);
        using var space = new DeviceSeedingSpace(this);
        return Seeding.KMeansPlusPlus(_host, k, random, space, progress);
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
                var kernel = handle.Kernel(SeedKey, a => a.LoadAutoGroupedStreamKernel<
                    Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
                    ArrayView<float>, int, int>(KMeansKernels.CandidateDistanceKernel));
                _candidate.View.CopyFromCPU(candidate);
                (ArrayView<float> data, ArrayView<float> weights, _) = _engine._chunks.Slot(0);
                kernel(_engine._n, data, weights, _candidate.View,
                    _slots[Math.Max(from, 0)].View, _slots[to].View, _engine._d, from < 0 ? 0 : 1);
                return _engine._sum.Sum(_slots[to].View);
            }
        }

        private int[] _lastRows = [];
        private int _lastFrom;

        // One Trial per candidate into slot 2, which k-means++ never uses (it keeps slots 0 and 1).
        public double[] Potentials(int[] candidateRows, int from)
        {
            (_lastRows, _lastFrom) = (candidateRows, from);
            return candidateRows.Select(row => Trial(row, from, 2)).ToArray();
        }

        public double Keep(int winner, int to) => Trial(_lastRows[winner], _lastFrom, to);

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
            _chunks.Dispose();
            _centres.Dispose();
            _noResponsibilities.Dispose();
            _distances.Dispose();
            _changed.Dispose();
            _moments.Dispose();
            _sum.Dispose();
            _changedSum.Dispose();
        }
    }
}
