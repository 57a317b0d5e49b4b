using GpuEm.Data;
using GpuEm.Engines;

namespace GpuEm.Models.Topics;

/// <summary>
/// Online LDA's E-step on the reference engine: the corpus as mini-batches of whole documents in
/// corpus order, from a resident corpus (ranges of it) or a <see cref="CorpusStream"/> (read
/// from its file on every pass, one batch held at a time), each batch's E-step by
/// <see cref="ReferenceLdaEngine.ExpectBatch(SparseCounts, int, int, long, LdaParameters, double[], double[], int, double, bool)"/>.
/// The same documents give the same bits either way.
/// </summary>
internal sealed class OnlineLdaEngine : ReferenceEngine
{
    private readonly Func<IEnumerable<(SparseCounts Data, int First, int End)>> _pass;
    private readonly int _maxIterations;
    private readonly double _tolerance;
    private readonly bool _warmStart;

    private OnlineLdaEngine(Func<IEnumerable<(SparseCounts, int, int)>> pass, int documents, int terms, LdaOptions options)
    {
        _pass = pass;
        DocumentCount = documents;
        TermCount = terms;
        _maxIterations = options.MaxDocumentIterations;
        _tolerance = options.DocumentTolerance;
        _warmStart = options.WarmStart;
    }

    /// <summary>Documents D.</summary>
    public int DocumentCount { get; }

    /// <summary>Terms W.</summary>
    public int TermCount { get; }

    /// <summary>Batches of <see cref="LdaOptions.BatchSize"/> documents of a resident corpus.</summary>
    public static OnlineLdaEngine Resident(SparseCounts data, LdaOptions options) =>
        new(() => Ranges(data, options.BatchSize), data.DocumentCount, data.TermCount, options);

    /// <summary>Batches of <see cref="LdaOptions.BatchSize"/> documents read from a file on every pass.</summary>
    public static OnlineLdaEngine Streamed(CorpusStream corpus, LdaOptions options) =>
        new(() => corpus.Batches(options.BatchSize).Select(batch => (batch, 0, batch.DocumentCount)),
            corpus.DocumentCount, corpus.TermCount, options);

    /// <summary>One pass: each batch as documents [First, End) of its Data, in corpus order.</summary>
    public IEnumerable<(SparseCounts Data, int First, int End)> Pass() => _pass();

    /// <summary>A batch's E-step, its γ at rows <paramref name="row"/>, … of <paramref name="gamma"/>.</summary>
    public (double Bound, long Iterations, double[] LogThetaSum) ExpectBatch(
        LdaParameters parameters, (SparseCounts Data, int First, int End) batch, long row, double[] gamma, double[] sums) =>
        ReferenceLdaEngine.ExpectBatch(batch.Data, batch.First, batch.End, row, parameters, gamma, sums, _maxIterations, _tolerance, _warmStart);

    private static IEnumerable<(SparseCounts, int, int)> Ranges(SparseCounts data, int batchSize)
    {
        for (int first = 0; first < data.DocumentCount; first += batchSize)
            yield return (data, first, (int)Math.Min(data.DocumentCount, (long)first + batchSize));
    }
}
