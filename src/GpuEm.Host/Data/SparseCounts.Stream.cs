using System.Globalization;

namespace GpuEm.Data;

internal sealed partial class SparseCounts
{
    /// <summary>
    /// A UCI bag-of-words, Matrix Market or svmlight file read in batches of whole documents, in
    /// document order, without holding more than one batch: batch b holds documents [b·B,
    /// (b + 1)·B) (the last batch shorter), numbered from 0 within it, with the same checks and
    /// messages as <see cref="ReadUci"/>, <see cref="ReadMatrixMarket"/> and
    /// <see cref="ReadSvmlight"/>, a repeated pair's counts added as there. UCI and Matrix Market
    /// entries must come in document order (a docID below the one before is an error naming the
    /// line; within a document any order); their header's D gives the documents, trailing empty
    /// ones included. The checks that need the whole file (the header's entry count; svmlight:
    /// at least one document) come after the batches before them have been handed out: read a
    /// file once to the end before trusting its batches.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="format">Uci, MatrixMarket or Svmlight.</param>
    /// <param name="vocabularySize">UCI, Matrix Market: as for <see cref="ReadUci"/>. svmlight: W
    /// (an index beyond it is an error); null: each batch's W is the largest index read so far.</param>
    /// <param name="batchSize">Documents per batch B ≥ 1.</param>
    public static IEnumerable<SparseCounts> ReadBatches(string path, CorpusFormat format, int? vocabularySize, int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return format switch
        {
            CorpusFormat.Uci or CorpusFormat.MatrixMarket => Batches(path, format, vocabularySize, batchSize),
            CorpusFormat.Svmlight => SvmlightBatches(path, vocabularySize, batchSize),
            _ => throw new ArgumentException($"Batches are read from UCI, Matrix Market and svmlight files, not {format}.", nameof(format)),
        };
    }

    private static IEnumerable<SparseCounts> SvmlightBatches(string path, int? termCount, int batchSize)
    {
        using var reader = new StreamReader(path);
        string name = Path.GetFileName(path);
        var entries = new EntryList(16);
        int line = 0, held = 0, largest = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (!SvmlightLine(text, name, line, termCount, entries, held, ref largest) || ++held < batchSize)
                continue;
            yield return entries.Build(held, termCount ?? largest);
            entries = new EntryList(16);
            held = 0;
        }
        if (held > 0)
            yield return entries.Build(held, termCount ?? largest);
    }

    private static IEnumerable<SparseCounts> Batches(string path, CorpusFormat format, int? vocabularySize, int batchSize)
    {
        using var file = CoordinateFile.Open(path, format, vocabularySize);
        var entries = new EntryList(16);
        long read = 0;
        int first = 0, previous = 0;
        while (file.Next(out int document, out int term, out float count))
        {
            read++;
            if (document < previous)
                throw new InvalidDataException(
                    $"{file.Name} line {file.Line}: {file.Fields.Document} {document + 1} comes after {file.Fields.Document} {previous + 1}; " +
                    $"reading in batches needs the entries in document order (sort the entry lines by their first field, e.g. " +
                    $"'sort -s -n -k1,1'), or read the file whole.");
            previous = document;
            while (document >= first + (long)batchSize)
            {
                yield return entries.Build(batchSize, file.TermCount);
                first += batchSize;
                entries = new EntryList(16);
            }
            entries.Add(document - first, term, count);
        }
        file.CheckCount(read);
        while (first < file.Documents)
        {
            yield return entries.Build((int)Math.Min(batchSize, (long)file.Documents - first), file.TermCount);
            first += batchSize;
            entries = new EntryList(16);
        }
    }

    // A UCI or Matrix Market file after its header: the entries one by one, 0-based and checked.
    private sealed class CoordinateFile : IDisposable
    {
        private readonly StreamReader _reader;
        private readonly bool _comments;
        private readonly int _countLine;
        private readonly string _promise;

        private CoordinateFile(StreamReader reader, string name, int line, bool comments, int documents, int terms, long nonZeros,
            int termCount, EntryFields fields, int countLine, string promise)
        {
            _reader = reader;
            Name = name;
            Line = line;
            _comments = comments;
            Documents = documents;
            Terms = terms;
            NonZeros = nonZeros;
            TermCount = termCount;
            Fields = fields;
            _countLine = countLine;
            _promise = promise;
        }

        public string Name { get; }

        /// <summary>The line last read (1-based).</summary>
        public int Line { get; private set; }

        public int Documents { get; }

        /// <summary>W as the header gives it (entries are checked against it).</summary>
        public int Terms { get; }

        public long NonZeros { get; }

        /// <summary>W of the result: the header's, or the vocabulary's size.</summary>
        public int TermCount { get; }

        public EntryFields Fields { get; }

        public static CoordinateFile Open(string path, CorpusFormat format, int? vocabularySize)
        {
            var reader = new StreamReader(path);
            try
            {
                return format == CorpusFormat.Uci ? OpenUci(reader, Path.GetFileName(path), vocabularySize)
                    : OpenMatrixMarket(reader, Path.GetFileName(path), vocabularySize);
            }
            catch
            {
                reader.Dispose();
                throw;
            }
        }

        private static CoordinateFile OpenUci(StreamReader reader, string name, int? vocabularySize)
        {
            int line = 0;
            long Header(string what)
            {
                string? text = reader.ReadLine();
                line++;
                return text is not null && long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long value)
                    ? value
                    : throw new InvalidDataException($"{name} line {line}: expected {what} (a whole number) in the UCI bag-of-words header.");
            }
            long documents = Header("the number of documents D"), terms = Header("the number of words W"), nonZeros = Header("the number of non-zeros NNZ");
            CheckSizes(name, line, documents, terms, nonZeros);
            int termCount = TermCountFor(name, 2, "the header's", (int)terms, vocabularySize);
            var fields = new EntryFields("docID", "wordID", "count", "the header's D", "the header's");
            return new CoordinateFile(reader, name, line, false, (int)documents, (int)terms, nonZeros, termCount, fields, 3,
                "the header promises {0:N0} entries (NNZ); the file holds {1:N0}.");
        }

        private static CoordinateFile OpenMatrixMarket(StreamReader reader, string name, int? vocabularySize)
        {
            string banner = reader.ReadLine() ?? "";
            string[] words = banner.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 5 || words[0] != "%%matrixmarket" || words[1] != "matrix" || words[2] != "coordinate"
                || words[3] is not ("real" or "integer") || words[4] != "general")
                throw new InvalidDataException(
                    $"{name} line 1: expected '%%MatrixMarket matrix coordinate real|integer general', found '{Shorten(banner)}'.");
            int line = 1;
            string? size;
            do
            {
                size = reader.ReadLine();
                line++;
            }
            while (size is not null && (size.StartsWith('%') || size.Trim().Length == 0));
            string[] parts = (size ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long documents)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long terms)
                || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long nonZeros))
                throw new InvalidDataException($"{name} line {line}: expected the size line 'rows columns entries'.");
            CheckSizes(name, line, documents, terms, nonZeros);
            int termCount = TermCountFor(name, line, "the size line's columns", (int)terms, vocabularySize);
            var fields = new EntryFields("row", "column", "value", "the size line's rows", "the size line's columns");
            return new CoordinateFile(reader, name, line, true, (int)documents, (int)terms, nonZeros, termCount, fields, line,
                "the size line promises {0:N0} entries; the file holds {1:N0}.");
        }

        /// <summary>The next entry, 0-based and checked; false at the end of the file.</summary>
        public bool Next(out int document, out int term, out float count)
        {
            while (_reader.ReadLine() is { } text)
            {
                Line++;
                if (text.AsSpan().Trim().Length == 0 || (_comments && text.StartsWith('%')))
                    continue;
                ReadEntry(text, Name, Line, Fields, Documents, Terms, out document, out term, out count);
                return true;
            }
            (document, term, count) = (0, 0, 0);
            return false;
        }

        /// <summary>The entries read against the header's promise.</summary>
        public void CheckCount(long entries)
        {
            if (entries != NonZeros)
                throw new InvalidDataException(
                    $"{Name} line {_countLine}: " + string.Format(CultureInfo.InvariantCulture, _promise, NonZeros, entries));
        }

        public void Dispose() => _reader.Dispose();
    }
}
