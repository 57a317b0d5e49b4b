using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Kernels.Topics;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Models.Topics;

/// <summary>
/// PLSA's accelerator E-step. Per E-step p(w | k) (W × K) and p(k | d) (D × K) go up as float32
/// (with p(w | k)^β, computed on the host in float64, when tempered); per device chunk of whole
/// documents (<see cref="DeviceBudget.Plan"/>, <see cref="SparseChunks"/>):
/// <see cref="TopicKernels.PlsaEStepKernel"/> gives each non-zero its p(w | d) (float64 sum), the
/// log-likelihood Σ c log p(w | d) in float64 per group (combined in group order), the
/// non-zero's scale c / Σ_k (p(k | d) p(w | k))^β and each document's n_dk (float64), then
/// <see cref="TopicKernels.TermTopicKernel"/> sums n_wk per (term, topic) over the term's
/// non-zeros in document order, added across chunks in chunk order on the device. The host reads
/// n_wk, n_dk and the log-likelihood once per E-step.
/// </summary>
/// <remarks>
/// p(k | d, w) ∝ (p(k | d) p(w | k))^β is computed as p(k | d)^β · p(w | k)^β, so that the
/// term-major pass needs only a document factor and a term factor; untempered (β = 1) both are
/// the parameters themselves.
/// </remarks>
internal sealed class AcceleratorPlsaEngine : IEmEngine<PlsaParameters, PlsaStatistics>
{
    private readonly AcceleratorHandle _handle;
    private readonly SparseCounts _data;
    private readonly int _k;
    private readonly int _w;
    private readonly double _tempering;
    private readonly bool _tempered;
    private readonly SparseChunks _chunks;
    private readonly TopicLauncher _launcher;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _wordTopic;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _termFactors;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _documentTopic;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _documentFactors;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _scale;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _documentCounts;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _wordCounts;

    public AcceleratorPlsaEngine(AcceleratorHandle handle, SparseCounts data, int topics, double tempering, long? deviceMemoryLimit)
    {
        _handle = handle;
        _data = data;
        _k = topics;
        _w = data.TermCount;
        _tempering = tempering;
        _tempered = tempering != 1;
        TopicLauncher.Require(handle, topics, data.TermCount);
        (long, long) footprint = Footprint(data, topics, _tempered);
        ChunkPlan plan = DeviceBudget.Plan(handle.Accelerator, deviceMemoryLimit, data.Units, footprint, footprint);
        Accelerator accelerator = handle.Accelerator;
        lock (handle.Sync)
        {
            _chunks = new SparseChunks(accelerator, data, plan);
            _launcher = new TopicLauncher(handle, topics, lda: false);
            long documentTopics = Math.Max(1, (long)_chunks.MostDocuments * topics);
            _wordTopic = accelerator.Allocate1D<float>((long)_w * topics);
            _termFactors = _tempered ? accelerator.Allocate1D<float>((long)_w * topics) : null;
            _documentTopic = accelerator.Allocate1D<float>(documentTopics);
            _documentFactors = _tempered ? accelerator.Allocate1D<float>(documentTopics) : null;
            _scale = accelerator.Allocate1D<float>(Math.Max(1, _chunks.MostItems));
            _documentCounts = accelerator.Allocate1D<double>(documentTopics);
            _wordCounts = accelerator.Allocate1D<double>((long)_w * topics);
        }
    }

    /// <summary>
    /// Device bytes per non-zero (term, count, scale, two index entries, and the documents'
    /// p(k | d), n_dk and, tempered, p(k | d)^β spread over the corpus's non-zeros) and for the
    /// rest (p(w | k), its tempered powers, n_wk, the term offsets, the partials, 64 KiB of slack).
    /// </summary>
    internal static (long PerItem, long Fixed) Footprint(SparseCounts data, int topics, bool tempered)
    {
        long perDocument = 4 + (tempered ? 16L : 12L) * topics;
        long items = Math.Max(1, data.NonZeroCount);
        long perItem = 20 + (perDocument * data.DocumentCount + items - 1) / items;
        long fixedBytes = (tempered ? 16L : 12L) * data.TermCount * topics + 4L * (data.TermCount + 1)
            + 8L * (TopicLauncher.MaxGroups + 1) + (1L << 16);
        return (perItem, fixedBytes);
    }

    public Backend Backend => _handle.Backend;

    public string DeviceName => _handle.DeviceName;

    /// <summary>Device chunks per E-step: 1 when the corpus stays resident.</summary>
    public int ChunkCount => _chunks.Count;

    public PlsaStatistics Expect(PlsaParameters parameters)
    {
        int k = _k;
        float[] wordTopic = DeviceCopy.ToFloat(parameters.WordTopic, 0, parameters.WordTopic.Length);
        float[]? termFactors = null;
        if (_tempered)
        {
            termFactors = new float[wordTopic.Length];
            for (int i = 0; i < termFactors.Length; i++)
                termFactors[i] = (float)Math.Pow(parameters.WordTopic[i], _tempering);
        }
        var documentTopic = new double[(long)_data.DocumentCount * k];
        var statistics = new PlsaStatistics(k, _w, documentTopic);
        var chunkCounts = new double[(long)_chunks.MostDocuments * k];
        var totals = new double[_launcher.Stride];
        lock (_handle.Sync)
        {
            _wordTopic.View.CopyFromCPU(wordTopic);
            if (termFactors is not null)
                _termFactors!.View.CopyFromCPU(termFactors);
            ArrayView<float> factors = _termFactors?.View ?? _wordTopic.View;
            for (int c = 0; c < _chunks.Count; c++)
            {
                DataChunk chunk = _chunks.Plan.Chunks[c];
                SparseChunkViews views = _chunks.Load(c);
                int documentTopics = views.Documents * k;
                int firstValue = chunk.FirstUnit * k;
                if (documentTopics > 0)
                {
                    _documentTopic.View.SubView(0, documentTopics).CopyFromCPU(
                        DeviceCopy.ToFloat(parameters.DocumentTopic, firstValue, documentTopics));
                }
                ArrayView<float> documentFactors = _documentFactors?.View ?? _documentTopic.View;
                _launcher.PlsaEStep(
                    views.Documents, views.DocumentStarts, views.Terms, views.Counts, _wordTopic.View, factors,
                    _documentTopic.View, documentFactors, _scale.View, _documentCounts.View, _tempering, first: c == 0);
                _launcher.TermTopic(
                    _w, views.TermStarts, views.EntryDocuments, views.EntryPositions, _scale.View, documentFactors,
                    factors, useTermFactors: true, _wordCounts.View, accumulate: c > 0);
                if (documentTopics > 0)
                {
                    _documentCounts.View.BaseView.SubView(0, documentTopics).CopyToCPU(chunkCounts.AsSpan(0, documentTopics));
                    Array.Copy(chunkCounts, 0, documentTopic, firstValue, documentTopics);
                }
            }
            _wordCounts.View.BaseView.CopyToCPU(statistics.WordTopic.AsSpan());
            _launcher.ReadTotals(totals);
        }
        statistics.LogLikelihood = totals[0];
        return statistics;
    }

    public void Dispose()
    {
        lock (_handle.Sync)
        {
            _chunks.Dispose();
            _launcher.Dispose();
            _wordTopic.Dispose();
            _termFactors?.Dispose();
            _documentTopic.Dispose();
            _documentFactors?.Dispose();
            _scale.Dispose();
            _documentCounts.Dispose();
            _wordCounts.Dispose();
        }
    }
}
