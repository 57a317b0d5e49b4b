using System.Numerics;
using GpuEm.Kernels.Topics;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Engines;

/// <summary>
/// Launches the topic models' kernels (<see cref="TopicKernels"/>) for one fit: the per-document
/// E-step (LDA or PLSA) over a grid of document groups, the combine of the groups' partials in
/// group order into totals that successive chunks add to, and the term-major pass over the K × W
/// statistics. Owns the partials and totals (allocated once per fit); the caller owns the corpus
/// and per-document buffers.
/// </summary>
internal sealed class TopicLauncher : IDisposable
{
    /// <summary>Most document groups of one E-step launch.</summary>
    public const int MaxGroups = 1024;

    /// <summary>
    /// Most topics the E-step kernels stage per group: K floats (LDA; 2K for PLSA) beside the
    /// reductions, 32 KiB at K = 4,096, within CUDA's 48 KiB of shared memory.
    /// </summary>
    public const int MaxTopics = 4096;

    /// <summary>Upper bound on the partial sums kept on the device, in bytes.</summary>
    private const long PartialBudgetBytes = 64L << 20;

    /// <summary>Most threads per E-step group (fewer on a device that has fewer).</summary>
    private const int MaxGroupSize = 128;

    /// <summary>Fewest threads per E-step group where the device allows: one warp.</summary>
    private const int MinGroupSize = 32;

    private const string LdaKey = "lda-estep";
    private const string PlsaKey = "plsa-estep";
    private const string TermTopicKey = "topic-term-pass";

    private readonly AcceleratorHandle _handle;
    private readonly int _topics;
    private readonly int _groupSize;
    private readonly int _maxGroups;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _totals;

    /// <summary>Prepares the launches of one model for K topics.</summary>
    /// <param name="handle">The accelerator (the caller holds its lock).</param>
    /// <param name="topics">K (checked by <see cref="Require"/>).</param>
    /// <param name="lda">LDA (partials of <see cref="TopicKernels.LdaPartialStride"/>) or PLSA (1 double).</param>
    public TopicLauncher(AcceleratorHandle handle, int topics, bool lda)
    {
        _handle = handle;
        _topics = topics;
        _groupSize = GroupSize(handle.Limits, topics);
        Stride = lda ? TopicKernels.LdaPartialStride(topics) : 1;
        _maxGroups = (int)Math.Clamp(PartialBudgetBytes / ((long)Stride * sizeof(double)), 1, MaxGroups);
        _partials = handle.Accelerator.Allocate1D<double>((long)_maxGroups * Stride);
        _totals = handle.Accelerator.Allocate1D<double>(Stride);
    }

    /// <summary>Doubles of the totals: LDA Σ_d E[log θ_dk] (K), the bound, the γ updates; PLSA the log-likelihood.</summary>
    public int Stride { get; }

    /// <summary>
    /// Threads per E-step group for K topics: K rounded up to a power of two, within 32 … 128
    /// (one warp for few topics, four for many), at most the device's largest power of two.
    /// </summary>
    internal static int GroupSize(DeviceLimits limits, int topics)
    {
        int cap = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Min(MaxGroupSize, limits.MaxThreadsPerGroup) + 1) / 2;
        int wanted = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Clamp(topics, MinGroupSize, MaxGroupSize));
        return Math.Min(wanted, cap);
    }

    /// <summary>The kernels the topic engines launch for K topics, at the shapes they plan.</summary>
    internal static IEnumerable<KernelLaunch> Launches(DeviceLimits limits, int topics)
    {
        int groupSize = GroupSize(limits, topics);
        yield return new KernelLaunch(
            LdaKey, KernelLaunch.Method(typeof(TopicKernels), nameof(TopicKernels.LdaEStepKernel)),
            groupSize, (long)TopicKernels.LdaSharedDoubles(topics, groupSize) * sizeof(double));
        yield return new KernelLaunch(
            PlsaKey, KernelLaunch.Method(typeof(TopicKernels), nameof(TopicKernels.PlsaEStepKernel)),
            groupSize, (long)TopicKernels.PlsaSharedDoubles(topics, groupSize) * sizeof(double));
        yield return new KernelLaunch(
            TermTopicKey, KernelLaunch.Method(typeof(TopicKernels), nameof(TopicKernels.TermTopicKernel)), null, 0);
        yield return MomentsLauncher.CombineLaunch;
    }

    /// <summary>
    /// Throws <see cref="LaunchLimitException"/> (Auto then falls back to the reference engine)
    /// when K exceeds <see cref="MaxTopics"/>, when W·K exceeds the term pass's 2³¹ − 1 threads, or
    /// when a launch exceeds the device's limits.
    /// </summary>
    public static void Require(AcceleratorHandle handle, int topics, int terms)
    {
        string shape = $"K = {topics} topics, W = {terms} terms";
        if (topics > MaxTopics)
        {
            throw new LaunchLimitException(
                $"The topic kernels hold at most {MaxTopics} topics per document group; this fit has {shape}.");
        }
        if ((long)topics * terms > int.MaxValue)
        {
            throw new LaunchLimitException(
                $"The term-major pass runs one thread per (term, topic), at most {int.MaxValue:N0}; this fit has {shape}.");
        }
        LaunchLimits.Require(Launches(handle.Limits, topics), handle, shape);
    }

    /// <summary>The grid of an E-step over <paramref name="documents"/> documents (fixed by the count: reproducible).</summary>
    private int Groups(int documents) => Math.Clamp(documents, 1, _maxGroups);

    /// <summary>
    /// LDA's E-step over a chunk's documents (<see cref="TopicKernels.LdaEStepKernel"/>), its
    /// partials added in group order to the totals (<paramref name="first"/>: replacing them).
    /// </summary>
    public void LdaEStep(
        int documents, ArrayView<int> documentStarts, ArrayView<int> terms, ArrayView<float> counts,
        ArrayView<float> expElogBeta, ArrayView<double> alpha, ArrayView<float> gamma, ArrayView<float> expTheta,
        ArrayView<float> ratio, int maxIterations, double tolerance, double alphaNorm, bool warmStart, bool first)
    {
        var kernel = _handle.Kernel(LdaKey, a => a.LoadStreamKernel<
            ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<double>, LdaEStepParams>(TopicKernels.LdaEStepKernel));
        int groups = Groups(documents);
        var config = new KernelConfig(
            new Index1D(groups), new Index1D(_groupSize),
            SharedMemoryConfig.RequestDynamic<double>(TopicKernels.LdaSharedDoubles(_topics, _groupSize)));
        kernel(config, documentStarts, terms, counts, expElogBeta, alpha, gamma, expTheta, ratio, _partials.View,
            new LdaEStepParams(_topics, documents, maxIterations, tolerance, alphaNorm, warmStart ? 0 : 1));
        MomentsLauncher.Combine(_handle, _partials.View.SubView(0, (long)groups * Stride), _totals.View, groups, first);
    }

    /// <summary>
    /// PLSA's E-step over a chunk's documents (<see cref="TopicKernels.PlsaEStepKernel"/>), its
    /// log-likelihood partials added in group order to the total (<paramref name="first"/>: replacing it).
    /// </summary>
    public void PlsaEStep(
        int documents, ArrayView<int> documentStarts, ArrayView<int> terms, ArrayView<float> counts,
        ArrayView<float> wordTopic, ArrayView<float> termFactors, ArrayView<float> documentTopic,
        ArrayView<float> documentFactors, ArrayView<float> scale, ArrayView<double> documentCounts,
        double tempering, bool first)
    {
        var kernel = _handle.Kernel(PlsaKey, a => a.LoadStreamKernel<
            ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<double>, PlsaEStepParams>(TopicKernels.PlsaEStepKernel));
        int groups = Groups(documents);
        var config = new KernelConfig(
            new Index1D(groups), new Index1D(_groupSize),
            SharedMemoryConfig.RequestDynamic<double>(TopicKernels.PlsaSharedDoubles(_topics, _groupSize)));
        kernel(config, documentStarts, terms, counts, wordTopic, termFactors, documentTopic, documentFactors, scale,
            documentCounts, _partials.View, new PlsaEStepParams(_topics, documents, (float)tempering, tempering != 1 ? 1 : 0));
        MomentsLauncher.Combine(_handle, _partials.View.SubView(0, groups), _totals.View, groups, first);
    }

    /// <summary>
    /// The term-major pass (<see cref="TopicKernels.TermTopicKernel"/>) over all W·K (term, topic)
    /// pairs: replaces (<paramref name="accumulate"/> false) or adds to <paramref name="totals"/>.
    /// </summary>
    public void TermTopic(
        int terms, ArrayView<int> termStarts, ArrayView<int> entryDocuments, ArrayView<int> entryPositions,
        ArrayView<float> weights, ArrayView<float> documentFactors, ArrayView<float> termFactors, bool useTermFactors,
        ArrayView<double> totals, bool accumulate)
    {
        var kernel = _handle.Kernel(TermTopicKey, a => a.LoadAutoGroupedStreamKernel<
            Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>,
            ArrayView<double>, TermTopicParams>(TopicKernels.TermTopicKernel));
        kernel(terms * _topics, termStarts, entryDocuments, entryPositions, weights, documentFactors, termFactors, totals,
            new TermTopicParams(_topics, useTermFactors ? 1 : 0, accumulate ? 1 : 0));
    }

    /// <summary>Reads the <see cref="Stride"/> totals back.</summary>
    public void ReadTotals(double[] totals) => _totals.View.CopyToCPU(totals);

    public void Dispose()
    {
        _partials.Dispose();
        _totals.Dispose();
    }
}
