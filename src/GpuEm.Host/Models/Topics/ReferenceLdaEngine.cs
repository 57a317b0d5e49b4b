using GpuEm.Data;
using GpuEm.Engines;

namespace GpuEm.Models.Topics;

/// <summary>
/// LDA's reference E-step: managed float64 on all cores, documents in the fixed blocks of
/// <see cref="DocumentBlocks"/> (bit-identical whatever the thread count). Each document runs
/// <see cref="LdaDocument"/> from γ = α + n_d / K (with a warm start: from its γ of the last
/// E-step) and adds n_dw exp E[log θ_dk] / φnorm_dw
/// to its term's row of the statistics.
/// </summary>
internal sealed class ReferenceLdaEngine : ReferenceEngine, IEmEngine<LdaParameters, LdaStatistics>
{
    private readonly SparseCounts _data;
    private readonly int _topics;
    private readonly int _maxIterations;
    private readonly double _tolerance;
    private readonly int[] _blocks;
    private readonly int _longest;
    private readonly bool _warmStart;

    public ReferenceLdaEngine(SparseCounts data, int topics, int maxDocumentIterations, double documentTolerance, bool warmStart = false)
    {
        _warmStart = warmStart;
        _data = data;
        _topics = topics;
        _maxIterations = maxDocumentIterations;
        _tolerance = documentTolerance;
        _blocks = DocumentBlocks.Cut(data.Units, data.TermCount);
        for (int d = 0; d < data.DocumentCount; d++)
            _longest = Math.Max(_longest, (int)data.Units.Length(d));
    }

    public LdaStatistics Expect(LdaParameters parameters)
    {
        int k = _topics;
        var gamma = (double[])parameters.Gamma.Clone();
        var total = new LdaStatistics(k, _data.TermCount, gamma);
        double[] expElogBeta = parameters.ExpElogBeta;
        DocumentBlocks.Run(
            _blocks,
            () => new LdaStatistics(k, _data.TermCount, gamma),
            partial => partial.Clear(),
            (partial, first, end) =>
            {
                var document = new LdaDocument(k, _longest);
                double bound = 0;
                long iterations = 0;
                for (int d = first; d < end; d++)
                {
                    int start = (int)_data.Units.Start(d), length = (int)_data.Units.Length(d);
                    ReadOnlySpan<int> terms = _data.Terms.AsSpan(start, length);
                    ReadOnlySpan<float> counts = _data.Counts.AsSpan(start, length);
                    Span<double> g = gamma.AsSpan(d * k, k);
                    if (!_warmStart)
                        LdaDocument.Start(counts, parameters.Alpha, g);
                    iterations += document.Infer(terms, counts, expElogBeta, parameters.Alpha, g, _maxIterations, _tolerance);
                    bound += Accumulate(partial, terms, counts, ref document, parameters, g);
                }
                partial.DocumentBound = bound;
                partial.DocumentIterations = iterations;
            },
            total.Add);
        return total;
    }

    /// <summary>
    /// Online variational Bayes: the E-step of documents [<paramref name="first"/>,
    /// <paramref name="end"/>) of this engine's corpus alone (<see cref="ExpectBatch(SparseCounts, int, int, long, LdaParameters, double[], double[], int, double, bool)"/>,
    /// their γ at their own rows of <paramref name="gamma"/>).
    /// </summary>
    public (double Bound, long Iterations, double[] LogThetaSum) ExpectBatch(
        LdaParameters parameters, int first, int end, double[] gamma, double[] sums) =>
        ExpectBatch(_data, first, end, first, parameters, gamma, sums, _maxIterations, _tolerance, _warmStart);

    /// <summary>
    /// Online variational Bayes: the E-step of documents [<paramref name="first"/>,
    /// <paramref name="end"/>) of <paramref name="data"/> alone, writing their γ to rows
    /// <paramref name="row"/>, <paramref name="row"/> + 1, … of <paramref name="gamma"/> (D × K; a
    /// warm start begins from the rows there, otherwise afresh) and their statistics into
    /// <paramref name="sums"/> (W × K, overwritten). Documents run in parallel, each into its own
    /// scratch; their statistics, bounds and Σ E[log θ] are then added in document order, so the
    /// result depends neither on the thread count nor on how the corpus is held (a resident
    /// corpus's range or a streamed batch of the same documents give the same bits).
    /// </summary>
    /// <returns>The batch's part of the ELBO (as <see cref="LdaStatistics.DocumentBound"/>), its
    /// γ updates, and Σ_d E[log θ_dk] over the batch.</returns>
    public static (double Bound, long Iterations, double[] LogThetaSum) ExpectBatch(
        SparseCounts data, int first, int end, long row, LdaParameters parameters, double[] gamma, double[] sums,
        int maxIterations, double tolerance, bool warmStart)
    {
        int k = parameters.K, documents = end - first;
        long itemStart = data.Units.Start(first);
        int longest = 0;
        for (int d = first; d < end; d++)
            longest = Math.Max(longest, (int)data.Units.Length(d));
        var expThetas = new double[(long)documents * k];
        var elogs = new double[(long)documents * k];
        var ratios = new double[data.Units.Start(end) - itemStart];
        var bounds = new double[documents];
        var iterations = new int[documents];
        double[] expElogBeta = parameters.ExpElogBeta;
        int parts = Math.Max(1, Math.Min(documents, Environment.ProcessorCount));
        Parallel.For(0, parts, part =>
        {
            var document = new LdaDocument(k, longest);
            for (int i = (int)((long)documents * part / parts); i < (int)((long)documents * (part + 1) / parts); i++)
            {
                int d = first + i;
                int start = (int)data.Units.Start(d), length = (int)data.Units.Length(d);
                ReadOnlySpan<int> terms = data.Terms.AsSpan(start, length);
                ReadOnlySpan<float> counts = data.Counts.AsSpan(start, length);
                Span<double> g = gamma.AsSpan((int)((row + i) * k), k);
                if (!warmStart)
                    LdaDocument.Start(counts, parameters.Alpha, g);
                iterations[i] = document.Infer(terms, counts, expElogBeta, parameters.Alpha, g, maxIterations, tolerance);
                ReadOnlySpan<double> norm = document.Norm;
                double bound = 0;
                for (int j = 0; j < length; j++)
                {
                    ratios[start - itemStart + j] = counts[j] / norm[j];
                    bound += counts[j] * Math.Log(norm[j]);
                }
                document.ExpTheta.CopyTo(expThetas.AsSpan(i * k, k));
                document.ElogTheta.CopyTo(elogs.AsSpan(i * k, k));
                bounds[i] = bound + TopicMath.DirichletBound(parameters.Alpha, parameters.AlphaNorm, g, document.ElogTheta);
            }
        });
        Array.Clear(sums);
        var logThetaSum = new double[k];
        double total = 0;
        long updates = 0;
        for (int i = 0; i < documents; i++)
        {
            int d = first + i;
            long start = data.Units.Start(d);
            ReadOnlySpan<double> expTheta = expThetas.AsSpan(i * k, k);
            for (long j = start; j < data.Units.Start(d + 1); j++)
                LdaDocument.Axpy(ratios[j - itemStart], expTheta, sums.AsSpan(data.Terms[j] * k, k));
            for (int c = 0; c < k; c++)
                logThetaSum[c] += elogs[i * k + c];
            total += bounds[i];
            updates += iterations[i];
        }
        return (total, updates, logThetaSum);
    }

    // Adds a document's statistics and returns its part of the ELBO.
    private static double Accumulate(
        LdaStatistics partial, ReadOnlySpan<int> terms, ReadOnlySpan<float> counts, ref LdaDocument document,
        LdaParameters parameters, ReadOnlySpan<double> gamma)
    {
        int k = partial.K;
        ReadOnlySpan<double> expTheta = document.ExpTheta, norm = document.Norm, elog = document.ElogTheta;
        double bound = 0;
        for (int i = 0; i < terms.Length; i++)
        {
            LdaDocument.Axpy(counts[i] / norm[i], expTheta, partial.WordTopic.AsSpan(terms[i] * k, k));
            bound += counts[i] * Math.Log(norm[i]);
        }
        for (int c = 0; c < k; c++)
            partial.LogThetaSum[c] += elog[c];
        return bound + TopicMath.DirichletBound(parameters.Alpha, parameters.AlphaNorm, gamma, elog);
    }
}
