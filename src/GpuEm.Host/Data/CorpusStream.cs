using System.Globalization;

namespace GpuEm.Data;

/// <summary>
/// A corpus that stays in its file: read in mini-batches of whole documents on every pass, for
/// online LDA over corpora larger than host memory (<see cref="Models.Topics.Lda.Fit(CorpusStream, CancellationToken)"/>).
/// <see cref="Open"/> reads the file once to the end, with every check and message of
/// <see cref="Corpus.Read(string, CorpusFormat?, string?, TextTokenizerOptions?)"/>, and keeps
/// only its sizes and each document's token count (8 bytes a document); a pass then holds one
/// batch of documents at a time. UCI bag-of-words, Matrix Market and svmlight files stream;
/// UCI and Matrix Market entries must come in document order (as UCI's own corpora do; an entry
/// out of order is an error naming its line). Plain text does not: its vocabulary and
/// document-frequency filters need every document first (read it with <see cref="Corpus.Read(string, CorpusFormat?, string?, TextTokenizerOptions?)"/>,
/// or write it once as a UCI file). The file must not change while the stream is in use: each
/// pass checks its length and last write time against those <see cref="Open"/> saw.
/// </summary>
public sealed class CorpusStream
{
    private const int ScanBatch = 4096;
    private readonly string _path;
    private readonly CorpusFormat _format;
    private readonly long _length;
    private readonly DateTime _written;
    private readonly double[] _documentTokens;

    private CorpusStream(string path, CorpusFormat format, int terms, long nonZeros, int summed, double[] documentTokens,
        IReadOnlyList<string>? vocabulary)
    {
        _path = path;
        _format = format;
        var info = new FileInfo(path);
        _length = info.Length;
        _written = info.LastWriteTimeUtc;
        _documentTokens = documentTokens;
        TermCount = terms;
        NonZeroCount = nonZeros;
        SummedDuplicates = summed;
        Vocabulary = vocabulary;
        Source = Path.GetFileName(path);
        TokenCount = documentTokens.Sum();
    }

    /// <summary>Documents D.</summary>
    public int DocumentCount => _documentTokens.Length;

    /// <summary>Terms W: the header's (UCI, Matrix Market), or the largest index (svmlight), or the vocabulary's size.</summary>
    public int TermCount { get; }

    /// <summary>Non-zero (document, term) counts, repeated pairs counted once.</summary>
    public long NonZeroCount { get; }

    /// <summary>Tokens: the sum of all counts.</summary>
    public double TokenCount { get; }

    /// <summary>(document, term) pairs given more than once, whose counts are added up (as in <see cref="Corpus.SummedDuplicates"/>).</summary>
    public int SummedDuplicates { get; }

    /// <summary>The W terms from the vocabulary file, or null when none was given.</summary>
    public IReadOnlyList<string>? Vocabulary { get; }

    /// <summary>The file name, for messages.</summary>
    public string Source { get; }

    /// <summary>The format the file is read in.</summary>
    public CorpusFormat Format => _format;

    /// <summary>Each document's tokens, document order (the starts of online LDA need them).</summary>
    internal ReadOnlySpan<double> DocumentTokens => _documentTokens;

    /// <summary>
    /// Opens a corpus file for streaming: reads it once to the end, checking every line.
    /// </summary>
    /// <param name="path">A UCI, Matrix Market or svmlight file.</param>
    /// <param name="format">The format, or null to tell it from the path as
    /// <see cref="Corpus.Read(string, CorpusFormat?, string?, TextTokenizerOptions?)"/> does.</param>
    /// <param name="vocabularyPath">A vocabulary file (one term per line); its line count must
    /// equal W (svmlight: an index beyond it is an error, and W is its size).</param>
    /// <exception cref="ArgumentException">Text, or a folder.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="DirectoryNotFoundException">The file's folder does not exist.</exception>
    /// <exception cref="InvalidDataException">Bad content: the message starts with the file name
    /// and, where one line is to blame, "line N:".</exception>
    public static CorpusStream Open(string path, CorpusFormat? format = null, string? vocabularyPath = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        CorpusFormat resolved = Corpus.Resolve(path, format);
        if (resolved == CorpusFormat.Text)
            throw new ArgumentException(
                $"{path}: plain text is not streamed (its vocabulary and document-frequency filters need every document first); " +
                "read it whole with Corpus.Read, or stream a UCI, Matrix Market or svmlight file.", nameof(format));
        string[]? vocabulary = vocabularyPath is null ? null : Corpus.ReadVocabulary(vocabularyPath);
        string name = Path.GetFileName(path);
        var tokens = new List<double>();
        long nonZeros = 0;
        int summed = 0, terms = 0;
        int? vocabularySize = resolved == CorpusFormat.Svmlight ? vocabulary?.Length : null;
        foreach (SparseCounts batch in SparseCounts.ReadBatches(path, resolved, vocabularySize, ScanBatch))
        {
            for (int d = 0; d < batch.DocumentCount; d++)
            {
                double sum = 0;
                for (long i = batch.Units.Start(d); i < batch.Units.Start(d + 1); i++)
                    sum += batch.Counts[i];
                tokens.Add(sum);
            }
            nonZeros += batch.NonZeroCount;
            summed += batch.SummedDuplicates;
            terms = Math.Max(terms, batch.TermCount);
        }
        if (resolved == CorpusFormat.Svmlight)
        {
            if (tokens.Count == 0)
                throw new InvalidDataException($"{name}: the file holds no documents (lines 'label index:count …').");
            if (terms == 0)
                throw new InvalidDataException($"{name}: no line has an 'index:count' pair, so the number of terms is unknown; give a vocabulary.");
        }
        if (vocabulary is not null && vocabulary.Length != terms)
            throw new InvalidDataException(
                $"{Path.GetFileName(vocabularyPath)}: {vocabulary.Length:N0} terms (lines), but {name} has W = {terms:N0} terms; " +
                "the vocabulary needs one line per term.");
        return new CorpusStream(path, resolved, terms, nonZeros, summed, [.. tokens], vocabulary is null ? null : Array.AsReadOnly(vocabulary));
    }

    /// <summary>
    /// One pass: the documents in order, in batches of <paramref name="batchSize"/> (the last
    /// shorter), each numbered from 0 within it, with W = <see cref="TermCount"/>.
    /// </summary>
    /// <exception cref="IOException">The file changed since <see cref="Open"/>.</exception>
    internal IEnumerable<SparseCounts> Batches(int batchSize)
    {
        var info = new FileInfo(_path);
        if (!info.Exists || info.Length != _length || info.LastWriteTimeUtc != _written)
            throw new IOException(
                $"{Source} changed (or went away) after it was opened for streaming: it was {_length:N0} bytes written " +
                $"{_written:u}; open it again.");
        return Checked(SparseCounts.ReadBatches(_path, _format, TermCount, batchSize), batchSize);
    }

    // A pass whose batches disagree with the scan means the file changed under the same length and time.
    private IEnumerable<SparseCounts> Checked(IEnumerable<SparseCounts> batches, int batchSize)
    {
        int first = 0;
        foreach (SparseCounts batch in batches)
        {
            int expected = Math.Min(batchSize, DocumentCount - first);
            if (batch.DocumentCount != expected)
                throw new IOException($"{Source} changed while streaming: a pass read a different number of documents than Open did.");
            first += batch.DocumentCount;
            yield return batch;
        }
        if (first != DocumentCount)
            throw new IOException($"{Source} changed while streaming: a pass read {first:N0} documents, Open read {DocumentCount:N0}.");
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture,
            $"{Source} (streamed): {DocumentCount:N0} documents × {TermCount:N0} terms, {TokenCount:N0} tokens");
}
