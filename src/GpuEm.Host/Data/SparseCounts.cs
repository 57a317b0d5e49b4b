using System.Globalization;

namespace GpuEm.Data;

/// <summary>
/// Sparse counts, documents × terms (topic models' data) in compressed rows: document u's
/// non-zeros are <see cref="Terms"/> and <see cref="Counts"/> at [Start(u), Start(u + 1)) of
/// <see cref="Units"/>, terms increasing within a document. A document is the unit: device
/// chunks hold whole documents, sized by their non-zeros.
/// </summary>
internal sealed partial class SparseCounts
{
    // The largest count a file may give: whole numbers up to 2³¹ − 1 (stored as float32, exact
    // up to 2²⁴, which no real document's term count reaches).
    private const double MaxCount = int.MaxValue;

    private SparseCounts(UnitLayout units, int[] terms, float[] counts, int termCount, int summedDuplicates)
    {
        Units = units;
        Terms = terms;
        Counts = counts;
        TermCount = termCount;
        SummedDuplicates = summedDuplicates;
    }

    /// <summary>Documents as units of non-zeros.</summary>
    public UnitLayout Units { get; }

    /// <summary>The term of each non-zero (0 … W − 1).</summary>
    public int[] Terms { get; }

    /// <summary>The count of each non-zero (finite, &gt; 0).</summary>
    public float[] Counts { get; }

    /// <summary>Documents D.</summary>
    public int DocumentCount => Units.UnitCount;

    /// <summary>Terms W (the vocabulary's size).</summary>
    public int TermCount { get; }

    /// <summary>Non-zeros.</summary>
    public long NonZeroCount => Units.ItemCount;

    /// <summary>Σ counts (tokens).</summary>
    public double TokenCount => Counts.Sum(c => (double)c);

    /// <summary>(document, term) pairs that came more than once and whose counts were added up
    /// (a pair given three times counts once).</summary>
    public int SummedDuplicates { get; }

    /// <summary>
    /// Sparse counts from compressed rows, taking ownership of the arrays: document u holds
    /// entries [<paramref name="starts"/>[u], <paramref name="starts"/>[u + 1]). Terms within a
    /// document may come in any order; they are sorted and a repeated term's counts added
    /// (<see cref="SummedDuplicates"/>). Trusts its inputs: starts non-decreasing from 0 to the
    /// arrays' length, terms in 0 … <paramref name="termCount"/> − 1, counts &gt; 0.
    /// </summary>
    public static SparseCounts FromRows(int[] starts, int[] terms, float[] counts, int termCount)
    {
        int documents = starts.Length - 1;
        var lengths = new int[documents];
        int written = 0, summed = 0;
        for (int document = 0; document < documents; document++)
        {
            int first = starts[document], end = starts[document + 1];
            if (!IsIncreasing(terms, first, end))
                Array.Sort(terms, counts, first, end - first);
            int documentStart = written;
            for (int i = first; i < end;)
            {
                int term = terms[i];
                double sum = counts[i];
                int j = i + 1;
                while (j < end && terms[j] == term)
                    sum += counts[j++];
                if (j - i > 1)
                    summed++;
                terms[written] = term;
                counts[written] = (float)sum;
                written++;
                i = j;
            }
            lengths[document] = written - documentStart;
        }
        if (written < terms.Length)
        {
            Array.Resize(ref terms, written);
            Array.Resize(ref counts, written);
        }
        return new SparseCounts(UnitLayout.FromLengths(lengths, "document", minimumLength: 0), terms, counts, termCount, summed);
    }

    /// <summary>
    /// Sparse counts from (document, term, count) triples in any order, for programmatic use:
    /// counts of a repeated pair are added (<see cref="SummedDuplicates"/>), zero counts dropped.
    /// Documents 0 … D − 1 and terms 0 … W − 1; errors name the triple and
    /// <paramref name="source"/>. The file readers validate line by line instead.
    /// </summary>
    public static SparseCounts FromTriples(
        int documents, int terms, IReadOnlyList<(int Document, int Term, double Count)> triples, string source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(documents);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(terms);
        ArgumentNullException.ThrowIfNull(triples);
        var entries = new EntryList(triples.Count);
        for (int i = 0; i < triples.Count; i++)
        {
            (int document, int term, double count) = triples[i];
            if (document < 0 || document >= documents)
                throw new InvalidDataException($"{source}: entry {i + 1} names document {document}, outside 0 … {documents - 1}.");
            if (term < 0 || term >= terms)
                throw new InvalidDataException($"{source}: entry {i + 1} names term {term}, outside 0 … {terms - 1}.");
            if (!double.IsFinite(count) || count < 0)
                throw new InvalidDataException($"{source}: entry {i + 1} has count {count}; counts must be finite and ≥ 0.");
            if (count > 0)
                entries.Add(document, term, (float)count);
        }
        SparseCounts result = entries.Build(documents, terms);
        if (result.Counts.Any(c => !float.IsFinite(c)))
            throw new InvalidDataException($"{source}: a count overflows float32 once repeated entries are added.");
        return result;
    }

    /// <summary>
    /// The UCI bag-of-words format (<c>docword.*.txt</c>): three header lines D, W, NNZ, then NNZ
    /// lines of 1-based <c>docID wordID count</c> (blank lines skipped), counts positive whole
    /// numbers; a repeated (docID, wordID) pair's counts are added (<see cref="SummedDuplicates"/>).
    /// Errors name the file and line.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="vocabularySize">A fitted vocabulary's size: the header's W must not exceed
    /// it, and it becomes W. Null: W is the header's.</param>
    public static SparseCounts ReadUci(string path, int? vocabularySize = null) => ReadCoordinates(path, CorpusFormat.Uci, vocabularySize);

    /// <summary>
    /// A Matrix Market coordinate file (documents × terms, <c>%%MatrixMarket matrix coordinate
    /// real|integer general</c>): comment lines %, a size line <c>rows columns entries</c>, then
    /// 1-based <c>row column value</c> lines, values positive whole numbers; a repeated (row,
    /// column) pair's values are added (<see cref="SummedDuplicates"/>). Errors name the file and
    /// line.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="vocabularySize">A fitted vocabulary's size: the size line's columns must not
    /// exceed it, and it becomes W. Null: W is the columns.</param>
    public static SparseCounts ReadMatrixMarket(string path, int? vocabularySize = null) =>
        ReadCoordinates(path, CorpusFormat.MatrixMarket, vocabularySize);

    private static SparseCounts ReadCoordinates(string path, CorpusFormat format, int? vocabularySize)
    {
        using var file = CoordinateFile.Open(path, format, vocabularySize);
        var entries = new EntryList(file.NonZeros);
        while (file.Next(out int document, out int term, out float count))
            entries.Add(document, term, count);
        file.CheckCount(entries.Count);
        return entries.Build(file.Documents, file.TermCount);
    }

    /// <summary>
    /// An svmlight / LibSVM file: one document per line, <c>label index:count index:count …
    /// [# comment]</c>. The label (the first token, any text without ':') is ignored, as is a
    /// <c>qid:N</c> token after it; indices are 1-based, counts positive whole numbers, and a
    /// repeated index's counts are added (<see cref="SummedDuplicates"/>). A line with only a label
    /// is an empty document; blank lines and comment-only lines (#…) are skipped. Errors name the
    /// file and line.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="termCount">W, from a vocabulary: an index beyond it is an error. Null: W is
    /// the largest index in the file.</param>
    public static SparseCounts ReadSvmlight(string path, int? termCount = null)
    {
        using var reader = new StreamReader(path);
        string name = Path.GetFileName(path);
        var entries = new EntryList(1024);
        int line = 0, documents = 0, largest = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (SvmlightLine(text, name, line, termCount, entries, documents, ref largest))
                documents++;
        }
        if (documents == 0)
            throw new InvalidDataException($"{name}: the file holds no documents (lines 'label index:count …').");
        int terms = termCount ?? largest;
        if (terms == 0)
            throw new InvalidDataException($"{name}: no line has an 'index:count' pair, so the number of terms is unknown; give a vocabulary.");
        return entries.Build(documents, terms);
    }

    // One svmlight line: a document's pairs added as document number `document` (true), or a blank
    // or comment-only line (false); `largest` tracks the largest index seen.
    private static bool SvmlightLine(string text, string name, int line, int? termCount, EntryList entries, int document, ref int largest)
    {
        ReadOnlySpan<char> content = text.AsSpan();
        int hash = content.IndexOf('#');
        if (hash >= 0)
            content = content[..hash];
        int position = 0;
        if (!NextField(content, ref position, out ReadOnlySpan<char> label))
            return false;
        if (label.Contains(':'))
            throw new InvalidDataException(
                $"{name} line {line}: expected a label first ('label index:count …'), found '{Shorten(label.ToString())}'; " +
                "add a label (any token, e.g. 0) to each line.");
        bool afterLabel = true;
        while (NextField(content, ref position, out ReadOnlySpan<char> pair))
        {
            // svmlight's ranking files put a query id right after the label.
            bool queryId = afterLabel && pair.StartsWith("qid:", StringComparison.Ordinal);
            afterLabel = false;
            if (queryId)
                continue;
            int colon = pair.IndexOf(':');
            if (colon < 0 || !int.TryParse(pair[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                throw new InvalidDataException(
                    $"{name} line {line}: expected 'index:count' with a whole-number index, found '{Shorten(pair.ToString())}'.");
            if (index == 0)
                throw new InvalidDataException(
                    $"{name} line {line}: index 0; svmlight indices are 1-based (index 1 is the first term). A file written " +
                    "zero-based (scikit-learn's dump_svmlight_file(zero_based=True)) needs every index raised by 1.");
            if (termCount is int limit && index > limit)
                throw new InvalidDataException(
                    $"{name} line {line}: index {index} is beyond the vocabulary's {limit:N0} terms.");
            float count = ReadCount(pair[(colon + 1)..], name, line);
            largest = Math.Max(largest, index);
            entries.Add(document, index - 1, count);
        }
        return true;
    }

    private static void CheckSizes(string name, int line, long documents, long terms, long nonZeros)
    {
        if (documents < 1 || documents > int.MaxValue || terms < 1 || terms > int.MaxValue || nonZeros < 0 || nonZeros > Array.MaxLength)
            throw new InvalidDataException(
                $"{name} line {line}: {documents:N0} documents, {terms:N0} terms and {nonZeros:N0} entries are outside what GpuEm reads " +
                "(1 … 2³¹ − 1 documents and terms, 0 … 2³¹ − 1 entries).");
    }

    private static int TermCountFor(string name, int line, string what, int terms, int? vocabularySize)
    {
        if (vocabularySize is not int size)
            return terms;
        if (terms > size)
            throw new InvalidDataException(
                $"{name} line {line}: {what} W = {terms:N0} is more than the vocabulary's {size:N0} terms; " +
                "the file does not belong to this vocabulary.");
        return size;
    }

    // What a reader calls the three fields of an entry line and where their bounds come from.
    private readonly record struct EntryFields(string Document, string Term, string Count, string DocumentBound, string TermBound);

    // One 1-based "document term count" line, validated and added zero-based.
    private static void ReadEntry(
        string text, string name, int line, EntryFields fields, int documents, int terms, out int document, out int term, out float count)
    {
        ReadOnlySpan<char> span = text.AsSpan();
        int position = 0;
        if (!NextField(span, ref position, out ReadOnlySpan<char> documentText)
            || !NextField(span, ref position, out ReadOnlySpan<char> termText)
            || !NextField(span, ref position, out ReadOnlySpan<char> countText)
            || NextField(span, ref position, out _)
            || !int.TryParse(documentText, NumberStyles.None, CultureInfo.InvariantCulture, out document)
            || !int.TryParse(termText, NumberStyles.None, CultureInfo.InvariantCulture, out term))
            throw new InvalidDataException(
                $"{name} line {line}: expected '{fields.Document} {fields.Term} {fields.Count}' (whole numbers, 1-based indices), found '{Shorten(text)}'.");
        if (document < 1 || document > documents)
            throw new InvalidDataException(
                $"{name} line {line}: {fields.Document} {document} is outside 1 … {documents:N0} ({fields.DocumentBound}); indices are 1-based.");
        if (term < 1 || term > terms)
            throw new InvalidDataException(
                $"{name} line {line}: {fields.Term} {term} is outside 1 … {terms:N0} ({fields.TermBound} W = {terms:N0}); indices are 1-based.");
        count = ReadCount(countText, name, line);
        document--;
        term--;
    }

    // A count: a positive whole number (written 3, 3.0 or 3e0).
    private static float ReadCount(ReadOnlySpan<char> text, string name, int line)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double count)
            || !(count > 0) || count != Math.Floor(count))
            throw new InvalidDataException(
                $"{name} line {line}: count {Shorten(text.ToString())} is not a positive whole number; topic models need token counts.");
        if (count > MaxCount)
            throw new InvalidDataException($"{name} line {line}: count {Shorten(text.ToString())} is more than 2³¹ − 1.");
        return (float)count;
    }

    // The next white-space separated field from position on; false at the end of the line.
    private static bool NextField(ReadOnlySpan<char> line, ref int position, out ReadOnlySpan<char> field)
    {
        while (position < line.Length && char.IsWhiteSpace(line[position]))
            position++;
        int start = position;
        while (position < line.Length && !char.IsWhiteSpace(line[position]))
            position++;
        field = line[start..position];
        return position > start;
    }

    private static bool IsIncreasing(int[] terms, int first, int end)
    {
        for (int i = first + 1; i < end; i++)
        {
            if (terms[i] <= terms[i - 1])
                return false;
        }
        return true;
    }

    internal static string Shorten(string text) => text.Length > 60 ? text[..60] + "…" : text;

    // (document, term, count) entries in three growing arrays (not a list of tuples: 12 bytes an
    // entry, for files of 10⁸ non-zeros). Entries that arrive by document, as UCI, Matrix Market
    // and svmlight files almost always do, go into compressed rows without a sort by document.
    private sealed class EntryList
    {
        private int[] _documents, _terms;
        private float[] _counts;
        private bool _byDocument = true;

        public EntryList(long expected)
        {
            // A header's promise is not trusted for the allocation: grow from at most 2²⁰.
            int capacity = (int)Math.Clamp(expected, 16, 1 << 20);
            _documents = new int[capacity];
            _terms = new int[capacity];
            _counts = new float[capacity];
        }

        public int Count { get; private set; }

        public void Add(int document, int term, float count)
        {
            if (Count == _terms.Length)
            {
                int capacity = (int)Math.Min(2L * Count, Array.MaxLength);
                if (capacity == Count)
                    throw new InvalidDataException($"More than {Array.MaxLength:N0} entries: more than GpuEm reads.");
                Array.Resize(ref _documents, capacity);
                Array.Resize(ref _terms, capacity);
                Array.Resize(ref _counts, capacity);
            }
            if (Count > 0 && document < _documents[Count - 1])
                _byDocument = false;
            _documents[Count] = document;
            _terms[Count] = term;
            _counts[Count] = count;
            Count++;
        }

        public SparseCounts Build(int documentCount, int termCount)
        {
            var starts = new int[documentCount + 1];
            for (int i = 0; i < Count; i++)
                starts[_documents[i] + 1]++;
            for (int document = 0; document < documentCount; document++)
                starts[document + 1] += starts[document];
            int[] terms;
            float[] counts;
            if (_byDocument)
            {
                terms = _terms.Length == Count ? _terms : _terms[..Count];
                counts = _counts.Length == Count ? _counts : _counts[..Count];
            }
            else
            {
                // A stable counting sort by document; FromRows sorts each document's terms.
                terms = new int[Count];
                counts = new float[Count];
                int[] next = starts[..^1];
                for (int i = 0; i < Count; i++)
                {
                    int slot = next[_documents[i]]++;
                    terms[slot] = _terms[i];
                    counts[slot] = _counts[i];
                }
            }
            _documents = _terms = [];
            _counts = [];
            return FromRows(starts, terms, counts, termCount);
        }
    }
}
