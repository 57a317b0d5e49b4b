using System.Globalization;

namespace GpuEm.Data;

/// <summary>
/// Sparse counts, documents × terms (topic models' data) in compressed rows: document u's
/// non-zeros are <see cref="Terms"/> and <see cref="Counts"/> at [Start(u), Start(u + 1)) of
/// <see cref="Units"/>, terms increasing within a document. A document is the unit: device
/// chunks hold whole documents, sized by their non-zeros.
/// </summary>
internal sealed class SparseCounts
{
    private SparseCounts(UnitLayout units, int[] terms, float[] counts, int termCount)
    {
        Units = units;
        Terms = terms;
        Counts = counts;
        TermCount = termCount;
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

    /// <summary>
    /// Sparse counts from (document, term, count) triples in any order: counts of a repeated
    /// pair are added, zero counts dropped. Documents 0 … D − 1 and terms 0 … W − 1; errors name
    /// the triple and <paramref name="source"/>.
    /// </summary>
    public static SparseCounts FromTriples(
        int documents, int terms, IReadOnlyList<(int Document, int Term, double Count)> triples, string source)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(documents);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(terms);
        ArgumentNullException.ThrowIfNull(triples);
        for (int i = 0; i < triples.Count; i++)
        {
            (int document, int term, double count) = triples[i];
            if (document < 0 || document >= documents)
                throw new InvalidDataException($"{source}: entry {i + 1} names document {document}, outside 0 … {documents - 1}.");
            if (term < 0 || term >= terms)
                throw new InvalidDataException($"{source}: entry {i + 1} names term {term}, outside 0 … {terms - 1}.");
            if (!double.IsFinite(count) || count < 0)
                throw new InvalidDataException($"{source}: entry {i + 1} has count {count}; counts must be finite and ≥ 0.");
        }
        (int Document, int Term, double Count)[] sorted = triples.Where(t => t.Count > 0)
            .OrderBy(t => t.Document).ThenBy(t => t.Term).ToArray();
        var lengths = new int[documents];
        var termList = new List<int>(sorted.Length);
        var countList = new List<float>(sorted.Length);
        for (int i = 0; i < sorted.Length; i++)
        {
            if (i > 0 && sorted[i].Document == sorted[i - 1].Document && sorted[i].Term == sorted[i - 1].Term)
            {
                countList[^1] += (float)sorted[i].Count;
                continue;
            }
            termList.Add(sorted[i].Term);
            countList.Add((float)sorted[i].Count);
            lengths[sorted[i].Document]++;
        }
        if (countList.Any(c => !float.IsFinite(c)))
            throw new InvalidDataException($"{source}: a count overflows float32 once repeated entries are added.");
        return new SparseCounts(UnitLayout.FromLengths(lengths, "document", minimumLength: 0), termList.ToArray(), countList.ToArray(), terms);
    }

    /// <summary>
    /// The UCI bag-of-words format (<c>docword.*.txt</c>): three header lines D, W, NNZ, then NNZ
    /// lines of 1-based <c>docID wordID count</c>. Errors name the file and line.
    /// </summary>
    public static SparseCounts ReadUci(string path)
    {
        using var reader = new StreamReader(path);
        string name = Path.GetFileName(path);
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
        CheckSizes(name, documents, terms, nonZeros);
        var triples = new List<(int, int, double)>((int)nonZeros);
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Trim().Length == 0)
                continue;
            triples.Add(Entry(text, name, line, "docID wordID count"));
        }
        if (triples.Count != nonZeros)
            throw new InvalidDataException($"{name}: the header promises {nonZeros:N0} entries; the file holds {triples.Count:N0}.");
        return FromTriples((int)documents, (int)terms, triples, name);
    }

    /// <summary>
    /// A Matrix Market coordinate file (documents × terms, <c>%%MatrixMarket matrix coordinate
    /// real|integer general</c>): comment lines %, a size line <c>rows columns entries</c>, then
    /// 1-based <c>row column value</c> lines. Errors name the file and line.
    /// </summary>
    public static SparseCounts ReadMatrixMarket(string path)
    {
        using var reader = new StreamReader(path);
        string name = Path.GetFileName(path);
        string banner = reader.ReadLine() ?? "";
        string[] words = banner.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < 5 || words[0] != "%%matrixmarket" || words[1] != "matrix" || words[2] != "coordinate"
            || words[3] is not ("real" or "integer") || words[4] != "general")
            throw new InvalidDataException(
                $"{name} line 1: expected '%%MatrixMarket matrix coordinate real|integer general', found '{(banner.Length > 60 ? banner[..60] + "…" : banner)}'.");
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
        CheckSizes(name, documents, terms, nonZeros);
        var triples = new List<(int, int, double)>((int)nonZeros);
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (text.Trim().Length == 0 || text.StartsWith('%'))
                continue;
            triples.Add(Entry(text, name, line, "row column value"));
        }
        if (triples.Count != nonZeros)
            throw new InvalidDataException($"{name}: the size line promises {nonZeros:N0} entries; the file holds {triples.Count:N0}.");
        return FromTriples((int)documents, (int)terms, triples, name);
    }

    private static void CheckSizes(string name, long documents, long terms, long nonZeros)
    {
        if (documents < 1 || documents > int.MaxValue || terms < 1 || terms > int.MaxValue || nonZeros < 0 || nonZeros > Array.MaxLength)
            throw new InvalidDataException(
                $"{name}: {documents:N0} documents, {terms:N0} terms and {nonZeros:N0} entries are outside what GpuEm reads (1 … 2³¹ − 1 each).");
    }

    // One 1-based "document term count" line as zero-based indices.
    private static (int, int, double) Entry(string text, string name, int line, string what)
    {
        string[] parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int document)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int term)
            || !double.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double count)
            || document < 1 || term < 1)
            throw new InvalidDataException(
                $"{name} line {line}: expected '{what}' with 1-based indices, found '{(text.Length > 60 ? text[..60] + "…" : text)}'.");
        return (document - 1, term - 1, count);
    }
}
