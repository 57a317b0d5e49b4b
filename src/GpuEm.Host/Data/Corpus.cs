using System.Globalization;

namespace GpuEm.Data;

/// <summary>
/// A corpus for topic models: D documents × W terms of token counts, held in compressed rows (a
/// document's non-zero terms increasing, each with its count &gt; 0), with the vocabulary when
/// one is known. Read from UCI bag-of-words, Matrix Market, svmlight files or plain text
/// (<see cref="Read(string, CorpusFormat?, string?, TextTokenizerOptions?)"/>), or made from
/// arrays (<see cref="FromCsr"/>, <see cref="FromDense"/>). Immutable.
/// </summary>
public sealed class Corpus
{
    private const string ArraysSource = "(arrays)";

    private Corpus(SparseCounts counts, IReadOnlyList<string>? vocabulary, IReadOnlyList<string>? documentNames,
        long droppedTokens, string source)
    {
        Counts = counts;
        Vocabulary = vocabulary;
        DocumentNames = documentNames;
        DroppedTokens = droppedTokens;
        Source = source;
        TokenCount = counts.TokenCount;
    }

    /// <summary>The counts in compressed rows, documents as units.</summary>
    internal SparseCounts Counts { get; }

    /// <summary>Documents D (≥ 1; a document may be empty).</summary>
    public int DocumentCount => Counts.DocumentCount;

    /// <summary>Terms W (≥ 1), the vocabulary's size whether or not its words are known.</summary>
    public int TermCount => Counts.TermCount;

    /// <summary>Non-zero (document, term) counts.</summary>
    public long NonZeroCount => Counts.NonZeroCount;

    /// <summary>Tokens: the sum of all counts.</summary>
    public double TokenCount { get; }

    /// <summary>The W terms, term t at index t; null when none was given (a UCI, Matrix Market or
    /// svmlight file read without a vocabulary, or arrays without one).</summary>
    public IReadOnlyList<string>? Vocabulary { get; }

    /// <summary>For a folder of text files, each document's file name (document order); otherwise
    /// null.</summary>
    public IReadOnlyList<string>? DocumentNames { get; }

    /// <summary>
    /// (document, term) pairs that a file or <see cref="FromCsr"/> gave more than once and whose
    /// counts were added up (a pair given three times counts once), so that callers can say so.
    /// Always 0 for text (a repeated word is simply a count) and for <see cref="FromDense"/>.
    /// </summary>
    public int SummedDuplicates => Counts.SummedDuplicates;

    /// <summary>
    /// Tokens that were read but not counted: for text read against a fixed vocabulary, tokens not
    /// in it; for text otherwise, tokens removed by <see cref="TextTokenizerOptions"/>'s length,
    /// stop-word and document-frequency filters; 0 for the other formats and for arrays.
    /// </summary>
    public long DroppedTokens { get; }

    /// <summary>Where the counts came from, for messages: the file or folder name, or
    /// "(arrays)".</summary>
    public string Source { get; }

    /// <summary>
    /// A corpus from compressed rows (copied): document d holds entries
    /// [<paramref name="documentStarts"/>[d], <paramref name="documentStarts"/>[d + 1]) of
    /// <paramref name="terms"/> and <paramref name="counts"/>. Terms within a document may come
    /// in any order: they are sorted, and a repeated term's counts added
    /// (<see cref="SummedDuplicates"/>).
    /// </summary>
    /// <param name="documentStarts">D + 1 entries (D ≥ 1): 0 first, non-decreasing, the number of
    /// entries last.</param>
    /// <param name="terms">Each entry's term, 0 … <paramref name="termCount"/> − 1.</param>
    /// <param name="counts">Each entry's count, &gt; 0.</param>
    /// <param name="termCount">W ≥ 1.</param>
    /// <param name="vocabulary">Null, or W distinct, non-empty terms.</param>
    /// <exception cref="ArgumentException">An array breaks these rules; the message names the
    /// argument and index.</exception>
    public static Corpus FromCsr(int[] documentStarts, int[] terms, int[] counts, int termCount,
        IReadOnlyList<string>? vocabulary = null)
    {
        ArgumentNullException.ThrowIfNull(documentStarts);
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(counts);
        ArgumentOutOfRangeException.ThrowIfLessThan(termCount, 1);
        if (documentStarts.Length < 2)
            throw new ArgumentException(
                $"documentStarts has {documentStarts.Length} entries; it needs D + 1 ≥ 2 (at least one document).", nameof(documentStarts));
        if (documentStarts[0] != 0)
            throw new ArgumentException($"documentStarts[0] = {documentStarts[0]}; it must be 0.", nameof(documentStarts));
        for (int d = 1; d < documentStarts.Length; d++)
        {
            if (documentStarts[d] < documentStarts[d - 1])
                throw new ArgumentException(
                    $"documentStarts[{d}] = {documentStarts[d]} is less than documentStarts[{d - 1}] = {documentStarts[d - 1]}; " +
                    "starts are non-decreasing.", nameof(documentStarts));
        }
        if (terms.Length != counts.Length)
            throw new ArgumentException($"terms has {terms.Length} entries but counts has {counts.Length}.", nameof(counts));
        if (documentStarts[^1] != terms.Length)
            throw new ArgumentException(
                $"documentStarts[{documentStarts.Length - 1}] = {documentStarts[^1]}, but there are {terms.Length} entries.",
                nameof(documentStarts));
        for (int i = 0; i < terms.Length; i++)
        {
            if (terms[i] < 0 || terms[i] >= termCount)
                throw new ArgumentException($"terms[{i}] = {terms[i]} is outside 0 … {termCount - 1} (termCount = {termCount}).", nameof(terms));
            if (counts[i] <= 0)
                throw new ArgumentException($"counts[{i}] = {counts[i]}; counts must be > 0.", nameof(counts));
        }
        IReadOnlyList<string>? words = vocabulary is null ? null : CheckVocabulary(vocabulary, termCount, nameof(vocabulary));
        float[] values = Array.ConvertAll(counts, c => (float)c);
        SparseCounts sparse = SparseCounts.FromRows((int[])documentStarts.Clone(), (int[])terms.Clone(), values, termCount);
        return new Corpus(sparse, words, null, 0, ArraysSource);
    }

    /// <summary>A corpus from a dense documents × terms matrix of counts (≥ 0; zeros are not
    /// stored).</summary>
    /// <param name="counts">[D × W], D ≥ 1 and W ≥ 1.</param>
    /// <param name="vocabulary">Null, or W distinct, non-empty terms.</param>
    /// <exception cref="ArgumentException">A negative count (the message names its row and
    /// column), an empty matrix, or a bad vocabulary.</exception>
    public static Corpus FromDense(int[,] counts, IReadOnlyList<string>? vocabulary = null)
    {
        ArgumentNullException.ThrowIfNull(counts);
        int documents = counts.GetLength(0), termCount = counts.GetLength(1);
        if (documents < 1 || termCount < 1)
            throw new ArgumentException($"counts is {documents} × {termCount}; it needs at least one document and one term.", nameof(counts));
        IReadOnlyList<string>? words = vocabulary is null ? null : CheckVocabulary(vocabulary, termCount, nameof(vocabulary));
        var starts = new int[documents + 1];
        var terms = new List<int>();
        var values = new List<float>();
        for (int d = 0; d < documents; d++)
        {
            for (int t = 0; t < termCount; t++)
            {
                int count = counts[d, t];
                if (count < 0)
                    throw new ArgumentException($"counts[{d}, {t}] = {count}; counts must be ≥ 0.", nameof(counts));
                if (count > 0)
                {
                    terms.Add(t);
                    values.Add(count);
                }
            }
            starts[d + 1] = terms.Count;
        }
        return new Corpus(SparseCounts.FromRows(starts, [.. terms], [.. values], termCount), words, null, 0, ArraysSource);
    }

    /// <summary>
    /// Reads a corpus. With <paramref name="format"/> null the format comes from the path: a
    /// folder is <see cref="CorpusFormat.Text"/>; <c>*.mtx</c> is Matrix Market; <c>*.svm</c>,
    /// <c>*.svmlight</c>, <c>*.libsvm</c> are svmlight; a file whose first three lines are whole
    /// numbers is UCI; anything else is an error asking for the format.
    /// <para>Text: a file holds one document per line (an empty line is an empty document, kept
    /// so that document indices are line indices); a folder holds one document per <c>*.txt</c>
    /// file (any case, not recursive), in ordinal order of file name
    /// (<see cref="DocumentNames"/>). The vocabulary is built from the corpus by
    /// <paramref name="tokenizer"/> and sorted ordinally, as scikit-learn's
    /// <c>CountVectorizer</c>; with <paramref name="vocabularyPath"/> the vocabulary is instead
    /// fixed, as in <see cref="Read(string, IReadOnlyList{string}, CorpusFormat?, TextTokenizerOptions?)"/>.</para>
    /// <para>UCI, Matrix Market, svmlight: <paramref name="vocabularyPath"/> names the terms;
    /// its line count must equal W (for svmlight, W is then its line count, and an index beyond
    /// it is an error). Repeated (document, term) pairs are added up
    /// (<see cref="SummedDuplicates"/>).</para>
    /// </summary>
    /// <param name="path">The file, or for text a file or folder.</param>
    /// <param name="format">The format, or null to tell it from the path.</param>
    /// <param name="vocabularyPath">A vocabulary file: one term per line (white space around it
    /// removed), line t naming term t − 1; an empty or repeated term is an error naming its line.
    /// </param>
    /// <param name="tokenizer">Text only (ignored otherwise, but validated); default
    /// <see cref="TextTokenizerOptions"/>' defaults.</param>
    /// <exception cref="ArgumentException">A folder with a <paramref name="format"/> other than
    /// Text; bad <paramref name="tokenizer"/> options (the message names the property).</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="DirectoryNotFoundException">No such folder (a path ending in a separator,
    /// or a file in a folder that does not exist).</exception>
    /// <exception cref="InvalidDataException">Bad content: the message starts with the file name
    /// and, where one line is to blame, "line N:".</exception>
    public static Corpus Read(string path, CorpusFormat? format = null, string? vocabularyPath = null,
        TextTokenizerOptions? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        tokenizer ??= new TextTokenizerOptions();
        tokenizer.Validate();
        CorpusFormat resolved = Resolve(path, format);
        string[]? vocabulary = vocabularyPath is null ? null : ReadVocabulary(vocabularyPath);
        if (resolved == CorpusFormat.Text)
            return ReadText(path, tokenizer, vocabulary);
        string name = Path.GetFileName(path);
        SparseCounts counts = resolved switch
        {
            CorpusFormat.Uci => SparseCounts.ReadUci(path),
            CorpusFormat.MatrixMarket => SparseCounts.ReadMatrixMarket(path),
            _ => SparseCounts.ReadSvmlight(path, vocabulary?.Length),
        };
        if (vocabulary is not null && vocabulary.Length != counts.TermCount)
            throw new InvalidDataException(
                $"{Path.GetFileName(vocabularyPath)}: {vocabulary.Length:N0} terms (lines), but {name} has W = {counts.TermCount:N0} terms; " +
                "the vocabulary needs one line per term.");
        return new Corpus(counts, vocabulary is null ? null : Array.AsReadOnly(vocabulary), null, 0, name);
    }

    /// <summary>
    /// Reads new documents against a fitted model's vocabulary: W = <paramref name="vocabulary"/>'s
    /// count, and <see cref="Vocabulary"/> is it. Text: tokens (per <paramref name="tokenizer"/>'s
    /// tokenization and <see cref="TextTokenizerOptions.Lowercase"/>) are mapped onto the
    /// vocabulary; tokens not in it are dropped and counted in <see cref="DroppedTokens"/>; no
    /// length, stop-word or document-frequency filter applies. UCI and Matrix Market: the file's
    /// W must not exceed the vocabulary's size (terms beyond the file's W simply have no counts).
    /// svmlight: an index beyond the vocabulary is an error. The format is told from the path as
    /// in <see cref="Read(string, CorpusFormat?, string?, TextTokenizerOptions?)"/>.
    /// </summary>
    /// <param name="path">The file, or for text a file or folder.</param>
    /// <param name="vocabulary">The fitted terms (≥ 1, distinct, none empty).</param>
    /// <param name="format">The format, or null to tell it from the path.</param>
    /// <param name="tokenizer">Text only (ignored otherwise, but validated).</param>
    /// <exception cref="ArgumentException">A bad vocabulary (the message names the index), bad
    /// <paramref name="tokenizer"/> options, or a folder with a format other than Text.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="DirectoryNotFoundException">No such folder.</exception>
    /// <exception cref="InvalidDataException">Bad content, as for the other overload.</exception>
    public static Corpus Read(string path, IReadOnlyList<string> vocabulary, CorpusFormat? format = null,
        TextTokenizerOptions? tokenizer = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (vocabulary.Count == 0)
            throw new ArgumentException("The vocabulary is empty; it needs at least one term.", nameof(vocabulary));
        IReadOnlyList<string> words = CheckVocabulary(vocabulary, vocabulary.Count, nameof(vocabulary));
        tokenizer ??= new TextTokenizerOptions();
        tokenizer.Validate();
        CorpusFormat resolved = Resolve(path, format);
        if (resolved == CorpusFormat.Text)
            return ReadText(path, tokenizer, [.. words]);
        SparseCounts counts = resolved switch
        {
            CorpusFormat.Uci => SparseCounts.ReadUci(path, words.Count),
            CorpusFormat.MatrixMarket => SparseCounts.ReadMatrixMarket(path, words.Count),
            _ => SparseCounts.ReadSvmlight(path, words.Count),
        };
        return new Corpus(counts, words, null, 0, Path.GetFileName(path));
    }

    /// <summary>
    /// Splits each document for document completion: its tokens listed in term order (term t
    /// repeated count times) are dealt alternately, the 1st, 3rd, 5th, … token to
    /// <c>Observed</c> and the 2nd, 4th, … to <c>HeldOut</c>. Both keep the D documents (a
    /// document of one token leaves its held-out half empty), W, the vocabulary and the document
    /// names; their sources are this one's with " (observed)" and " (held out)"; they report no
    /// summed duplicates or dropped tokens.
    /// </summary>
    public (Corpus Observed, Corpus HeldOut) SplitAlternately()
    {
        int documents = DocumentCount;
        var observedStarts = new int[documents + 1];
        var heldOutStarts = new int[documents + 1];
        var observedTerms = new List<int>();
        var observedCounts = new List<float>();
        var heldOutTerms = new List<int>();
        var heldOutCounts = new List<float>();
        for (int d = 0; d < documents; d++)
        {
            long position = 0; // tokens of this document dealt so far
            int first = (int)Counts.Units.Start(d), end = (int)Counts.Units.Start(d + 1);
            for (int i = first; i < end; i++)
            {
                long count = (long)Counts.Counts[i];
                // Positions position … position + count − 1 (0-based); the even ones are observed.
                long observed = (position % 2 == 0) ? (count + 1) / 2 : count / 2;
                long heldOut = count - observed;
                if (observed > 0)
                {
                    observedTerms.Add(Counts.Terms[i]);
                    observedCounts.Add(observed);
                }
                if (heldOut > 0)
                {
                    heldOutTerms.Add(Counts.Terms[i]);
                    heldOutCounts.Add(heldOut);
                }
                position += count;
            }
            observedStarts[d + 1] = observedTerms.Count;
            heldOutStarts[d + 1] = heldOutTerms.Count;
        }
        Corpus Half(int[] starts, List<int> terms, List<float> counts, string what) =>
            new(SparseCounts.FromRows(starts, [.. terms], [.. counts], TermCount), Vocabulary, DocumentNames, 0, $"{Source} ({what})");
        return (Half(observedStarts, observedTerms, observedCounts, "observed"), Half(heldOutStarts, heldOutTerms, heldOutCounts, "held out"));
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Source}: {DocumentCount:N0} documents × {TermCount:N0} terms, {TokenCount:N0} tokens");

    internal static CorpusFormat Resolve(string path, CorpusFormat? format)
    {
        if (Directory.Exists(path))
        {
            if (format is null or CorpusFormat.Text)
                return CorpusFormat.Text;
            throw new ArgumentException(
                $"{path} is a folder; only the Text format reads a folder (one document per *.txt file), not {format}.", nameof(format));
        }
        if (!File.Exists(path))
        {
            string? parent = Path.GetDirectoryName(Path.GetFullPath(path));
            if (Path.EndsInDirectorySeparator(path))
                throw new DirectoryNotFoundException($"The corpus folder '{path}' does not exist.");
            if (parent is not null && !Directory.Exists(parent))
                throw new DirectoryNotFoundException($"The corpus file '{path}' cannot exist: its folder '{parent}' does not.");
            throw new FileNotFoundException($"The corpus file or folder '{path}' does not exist.", path);
        }
        if (format is CorpusFormat known)
            return known;
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".mtx")
            return CorpusFormat.MatrixMarket;
        if (extension is ".svm" or ".svmlight" or ".libsvm")
            return CorpusFormat.Svmlight;
        if (LooksLikeUci(path))
            return CorpusFormat.Uci;
        throw new InvalidDataException(
            $"{Path.GetFileName(path)}: cannot tell the corpus format from the name or the first lines; give it (the format " +
            "argument, or the CLI's --format uci|mm|svmlight|text). UCI files start with three lines D, W, NNZ; " +
            "Matrix Market files end in .mtx; svmlight files in .svm, .svmlight or .libsvm.");
    }

    private static bool LooksLikeUci(string path)
    {
        using var reader = new StreamReader(path);
        for (int i = 0; i < 3; i++)
        {
            string? line = reader.ReadLine();
            if (line is null || !long.TryParse(line.AsSpan().Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out _))
                return false;
        }
        return true;
    }

    private static Corpus ReadText(string path, TextTokenizerOptions options, string[]? vocabulary)
    {
        var tokenizer = new TextTokenizer(options, vocabulary);
        string source;
        string[]? documentNames = null;
        if (Directory.Exists(path))
        {
            source = Path.GetFileName(Path.TrimEndingDirectorySeparator(path));
            string[] files = Directory.EnumerateFiles(path)
                .Where(f => Path.GetExtension(f).Equals(".txt", StringComparison.OrdinalIgnoreCase))
                .OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal)
                .ToArray();
            if (files.Length == 0)
                throw new InvalidDataException($"{source}: the folder holds no *.txt files (one document each).");
            foreach (string file in files)
            {
                using var reader = new StreamReader(file);
                while (reader.ReadLine() is { } line)
                    tokenizer.Add(line);
                tokenizer.EndDocument();
            }
            documentNames = files.Select(f => Path.GetFileName(f)).ToArray();
        }
        else
        {
            source = Path.GetFileName(path);
            using var reader = new StreamReader(path);
            while (reader.ReadLine() is { } line)
            {
                tokenizer.Add(line);
                tokenizer.EndDocument();
            }
        }
        (SparseCounts counts, string[] words, long dropped) = tokenizer.Finish(source);
        return new Corpus(counts, Array.AsReadOnly(words), documentNames is null ? null : Array.AsReadOnly(documentNames), dropped, source);
    }

    // One term per line, white space around it removed; empty or repeated terms name the line.
    internal static string[] ReadVocabulary(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The vocabulary file '{path}' does not exist.", path);
        string name = Path.GetFileName(path);
        var terms = new List<string>();
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        int number = 0;
        foreach (string raw in File.ReadLines(path))
        {
            number++;
            string term = raw.Trim();
            if (term.Length == 0)
                throw new InvalidDataException($"{name} line {number}: an empty term; a vocabulary file holds one term per line.");
            if (!lines.TryAdd(term, number))
                throw new InvalidDataException($"{name} line {number}: '{SparseCounts.Shorten(term)}' repeats line {lines[term]}.");
            terms.Add(term);
        }
        if (terms.Count == 0)
            throw new InvalidDataException($"{name}: the vocabulary file is empty; it holds one term per line.");
        return [.. terms];
    }

    // A copy of the vocabulary, read-only, after checking its size and that its terms are distinct
    // and non-empty.
    private static IReadOnlyList<string> CheckVocabulary(IReadOnlyList<string> vocabulary, int termCount, string argument)
    {
        if (vocabulary.Count != termCount)
            throw new ArgumentException($"The vocabulary has {vocabulary.Count} terms; W = {termCount}.", argument);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var copy = new string[termCount];
        for (int t = 0; t < termCount; t++)
        {
            string term = vocabulary[t];
            if (string.IsNullOrEmpty(term))
                throw new ArgumentException($"{argument}[{t}] is null or empty.", argument);
            if (!seen.TryAdd(term, t))
                throw new ArgumentException($"{argument}[{t}] = '{term}' repeats {argument}[{seen[term]}].", argument);
            copy[t] = term;
        }
        return Array.AsReadOnly(copy);
    }
}
