using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Kernels.Topics;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Models.Topics;

/// <summary>
/// LDA's accelerator E-step. Per E-step: exp E[log β] (W × K) and α go up as float32 / float64;
/// per device chunk of whole documents (<see cref="DeviceBudget.Plan"/>; a resident corpus is
/// uploaded once per fit, a larger one copied chunk by chunk, <see cref="SparseChunks"/>):
/// <see cref="TopicKernels.LdaEStepKernel"/> runs each document's γ iterations in one group
/// (float32 digamma and exp, the document's bound and E[log θ] in float64, summed per group and
/// combined in group order), then <see cref="TopicKernels.TermTopicKernel"/> sums the statistics
/// Σ c / φnorm · exp E[log θ_dk] per (term, topic) over the term's non-zeros in document order,
/// in float64, added across chunks in chunk order on the device. The host reads the W × K
/// statistics, the K + 2 totals and γ once per E-step.
/// </summary>
/// <remarks>
/// Each document's γ starts at α_k + n_d / K, computed on the device, unless the engine warm-starts:
/// then γ stays on the device (float32) between E-steps when the corpus is resident, and when
/// <see cref="Expect"/> gets parameters whose <see cref="LdaParameters.Gamma"/> is the array its
/// last call returned (as <see cref="LdaMStep"/> passes it on), the device copy is used, otherwise
/// (a restart, the first call, a streamed corpus) that γ is uploaded. The returned γ are the device's
/// float32 values, so both routes give the same bits. Beyond <see cref="TopicLauncher.MaxTopics"/>
/// topics the engine throws <see cref="LaunchLimitException"/> (Auto then uses the reference).
/// </remarks>
internal sealed class AcceleratorLdaEngine : IEmEngine<LdaParameters, LdaStatistics>
{
    private readonly AcceleratorHandle _handle;
    private readonly SparseCounts _data;
    private readonly int _k;
    private readonly int _w;
    private readonly int _maxIterations;
    private readonly double _tolerance;
    private readonly bool _warmStart;
    private readonly SparseChunks _chunks;
    private readonly TopicLauncher _launcher;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _expElogBeta;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _alpha;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _gamma;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _expTheta;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _ratio;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _wordTopic;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _noFactors;
    private double[]? _deviceGamma;

    /// <summary>Binds the corpus; <paramref name="warmStart"/> starts each document's γ at the
    /// parameters' γ instead of α + n_d / K (as <see cref="ReferenceLdaEngine"/>).</summary>
    public AcceleratorLdaEngine(
        AcceleratorHandle handle, SparseCounts data, int topics, int maxDocumentIterations, double documentTolerance,
        long? deviceMemoryLimit, bool warmStart = false)
    {
        _handle = handle;
        _data = data;
        _k = topics;
        _w = data.TermCount;
        _maxIterations = maxDocumentIterations;
        _tolerance = documentTolerance;
        _warmStart = warmStart;
        TopicLauncher.Require(handle, topics, data.TermCount);
        (long, long) footprint = Footprint(data, topics);
        ChunkPlan plan = DeviceBudget.Plan(handle.Accelerator, deviceMemoryLimit, data.Units, footprint, footprint);
        Accelerator accelerator = handle.Accelerator;
        lock (handle.Sync)
        {
            _chunks = new SparseChunks(accelerator, data, plan);
            _launcher = new TopicLauncher(handle, topics, lda: true);
            long documentTopics = Math.Max(1, (long)_chunks.MostDocuments * topics);
            _expElogBeta = accelerator.Allocate1D<float>((long)_w * topics);
            _alpha = accelerator.Allocate1D<double>(topics);
            _gamma = accelerator.Allocate1D<float>(documentTopics);
            _expTheta = accelerator.Allocate1D<float>(documentTopics);
            _ratio = accelerator.Allocate1D<float>(Math.Max(1, _chunks.MostItems));
            _wordTopic = accelerator.Allocate1D<double>((long)_w * topics);
            _noFactors = accelerator.Allocate1D<float>(1);
        }
    }

    /// <summary>
    /// Device bytes per non-zero (term, count, c / φnorm, two index entries, and the documents'
    /// γ and exp E[log θ] spread over the corpus's non-zeros) and for the rest (exp E[log β] and
    /// the float64 statistics, W × K each, the term offsets, the partials, 64 KiB of slack).
    /// </summary>
    internal static (long PerItem, long Fixed) Footprint(SparseCounts data, int topics)
    {
        long perDocument = 4 + 8L * topics;
        long items = Math.Max(1, data.NonZeroCount);
        long perItem = 20 + (perDocument * data.DocumentCount + items - 1) / items;
        long fixedBytes = 12L * data.TermCount * topics + 4L * (data.TermCount + 1)
            + 8L * (TopicLauncher.MaxGroups + 1) * TopicKernels.LdaPartialStride(topics) + 8L * topics + (1L << 16);
        return (perItem, fixedBytes);
    }

    public Backend Backend => _handle.Backend;

    public string DeviceName => _handle.DeviceName;

    /// <summary>Device chunks per E-step: 1 when the corpus stays resident.</summary>
    public int ChunkCount => _chunks.Count;

    public LdaStatistics Expect(LdaParameters parameters)
    {
        int k = _k;
        float[] expElogBeta = DeviceCopy.ToFloat(parameters.ExpElogBeta);
        bool resident = _chunks.Count == 1;
        // A fresh start needs no γ from the host; a warm one reuses the device's when it is current.
        bool upload = _warmStart && !(resident && ReferenceEquals(parameters.Gamma, _deviceGamma));
        var gamma = new double[(long)_data.DocumentCount * k];
        var totals = new double[_launcher.Stride];
        var statistics = new LdaStatistics(k, _w, gamma);
        var chunkGamma = new float[(long)_chunks.MostDocuments * k];
        lock (_handle.Sync)
        {
            _expElogBeta.View.CopyFromCPU(expElogBeta);
            _alpha.View.CopyFromCPU(parameters.Alpha);
            for (int c = 0; c < _chunks.Count; c++)
            {
                DataChunk chunk = _chunks.Plan.Chunks[c];
                SparseChunkViews views = _chunks.Load(c);
                int documentTopics = views.Documents * k;
                ArrayView<float> gammaView = _gamma.View.SubView(0, Math.Max(1, documentTopics));
                int firstValue = chunk.FirstUnit * k;
                if (upload && documentTopics > 0)
                    gammaView.SubView(0, documentTopics).CopyFromCPU(DeviceCopy.ToFloat(parameters.Gamma, firstValue, documentTopics));
                _launcher.LdaEStep(
                    views.Documents, views.DocumentStarts, views.Terms, views.Counts, _expElogBeta.View, _alpha.View,
                    gammaView, _expTheta.View, _ratio.View, _maxIterations, _tolerance, parameters.AlphaNorm, _warmStart,
                    first: c == 0);
                _launcher.TermTopic(
                    _w, views.TermStarts, views.EntryDocuments, views.EntryPositions, _ratio.View, _expTheta.View,
                    _noFactors.View, useTermFactors: false, _wordTopic.View, accumulate: c > 0);
                if (documentTopics > 0)
                {
                    gammaView.SubView(0, documentTopics).CopyToCPU(chunkGamma.AsSpan(0, documentTopics));
                    for (int i = 0; i < documentTopics; i++)
                        gamma[firstValue + i] = chunkGamma[i];
                }
            }
            _wordTopic.View.BaseView.CopyToCPU(statistics.WordTopic.AsSpan());
            _launcher.ReadTotals(totals);
        }
        _deviceGamma = resident ? gamma : null;
        Array.Copy(totals, statistics.LogThetaSum, k);
        statistics.DocumentBound = totals[k];
        statistics.DocumentIterations = (long)totals[k + 1];
        return statistics;
    }

    public void Dispose()
    {
        lock (_handle.Sync)
        {
            _chunks.Dispose();
            _launcher.Dispose();
            _expElogBeta.Dispose();
            _alpha.Dispose();
            _gamma.Dispose();
            _expTheta.Dispose();
            _ratio.Dispose();
            _wordTopic.Dispose();
            _noFactors.Dispose();
        }
    }
}
