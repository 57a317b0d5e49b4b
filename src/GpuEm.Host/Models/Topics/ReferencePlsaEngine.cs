using GpuEm.Data;
using GpuEm.Engines;

namespace GpuEm.Models.Topics;

/// <summary>
/// PLSA's reference E-step: managed float64 on all cores over the fixed document blocks of
/// <see cref="DocumentBlocks"/> (bit-identical whatever the thread count).
/// </summary>
internal sealed class ReferencePlsaEngine(SparseCounts data, int topics, double tempering)
    : ReferenceEngine, IEmEngine<PlsaParameters, PlsaStatistics>
{
    private readonly int[] _blocks = DocumentBlocks.Cut(data.Units, data.TermCount);

    public PlsaStatistics Expect(PlsaParameters parameters)
    {
        int k = topics;
        var documentTopic = new double[(long)data.DocumentCount * k];
        var total = new PlsaStatistics(k, data.TermCount, documentTopic);
        DocumentBlocks.Run(
            _blocks,
            () => new PlsaStatistics(k, data.TermCount, documentTopic),
            partial => partial.Clear(),
            (partial, first, end) =>
            {
                var scratch = new double[k];
                double logLikelihood = 0;
                for (int d = first; d < end; d++)
                {
                    int start = (int)data.Units.Start(d), length = (int)data.Units.Length(d);
                    logLikelihood += PlsaDocument.Expect(
                        data.Terms.AsSpan(start, length), data.Counts.AsSpan(start, length), parameters.WordTopic,
                        parameters.DocumentTopic.AsSpan(d * k, k), tempering, documentTopic.AsSpan(d * k, k), partial.WordTopic, scratch);
                }
                partial.LogLikelihood = logLikelihood;
            },
            total.Add);
        return total;
    }
}
