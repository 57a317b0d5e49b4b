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
