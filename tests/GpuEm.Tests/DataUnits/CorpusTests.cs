using GpuEm.Data;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.DataUnits;

/// <summary>
/// The corpus (documents × term counts) for topic models: each reader on a small hand-written
/// file gives exact compressed rows; bad input is an error naming the file and line; text is
/// tokenized and filtered as <see cref="TextTokenizerOptions"/> says; arrays are validated; the
/// document-completion split deals tokens alternately.
/// </summary>
public sealed class CorpusTests : TempFolderTests
{
    public CorpusTests()
        : base("gpuem-corpus-")
    {
    }

    private string Write(string name, string text)
    {
        File.WriteAllText(PathOf(name), text);
        return PathOf(name);
    }

    private static long[] Starts(Corpus corpus) =>
        Enumerable.Range(0, corpus.DocumentCount + 1).Select(d => corpus.Counts.Units.Start(d)).ToArray();

    // Corpus counts as (document, term, count) triples in storage order, for exact comparisons.
    private static (int, int, float)[] Triples(Corpus corpus)
    {
        var triples = new List<(int, int, float)>();
        for (int d = 0; d < corpus.DocumentCount; d++)
        {
            for (long i = corpus.Counts.Units.Start(d); i < corpus.Counts.Units.Start(d + 1); i++)
                triples.Add((d, corpus.Counts.Terms[i], corpus.Counts.Counts[i]));
        }
        return [.. triples];
    }

    private InvalidDataException ReadFails(string name, string text, CorpusFormat? format = null) =>
        Assert.Throws<InvalidDataException>(() => Corpus.Read(Write(name, text), format));

    [Fact]
    public void A_UCI_file_reads_into_exact_compressed_rows_with_duplicates_summed()
    {
        // 3 documents × 5 words; document 2 (1-based) empty; out of order; (3, 2) given twice.
        string path = Write("docword.kos.txt", "3\n5\n5\n3 2 4\n1 5 1\n1 1 2\n3 2 1\n3 4 7\n");
        Corpus corpus = Corpus.Read(path);
        Assert.Equal(3, corpus.DocumentCount);
        Assert.Equal(5, corpus.TermCount);
        Assert.Equal(4, corpus.NonZeroCount);
        Assert.Equal([0L, 2, 2, 4], Starts(corpus));
        Assert.Equal([0, 4, 1, 3], corpus.Counts.Terms);
        Assert.Equal([2f, 1f, 5f, 7f], corpus.Counts.Counts);
        Assert.Equal(15, corpus.TokenCount);
        Assert.Equal(1, corpus.SummedDuplicates);
        Assert.Equal(0, corpus.DroppedTokens);
        Assert.Null(corpus.Vocabulary);
        Assert.Null(corpus.DocumentNames);
        Assert.Equal("docword.kos.txt", corpus.Source);
    }

    [Fact]
    public void A_UCI_file_reads_with_its_vocabulary()
    {
        string path = Write("docword.txt", "2\n3\n3\n1 1 1\n2 3 2\n2 2 1\n");
        Write("vocab.txt", "apple\nbanana\n cherry \n");
        Corpus corpus = Corpus.Read(path, vocabularyPath: PathOf("vocab.txt"));
        Assert.Equal(["apple", "banana", "cherry"], corpus.Vocabulary!);
        Assert.Equal([(0, 0, 1f), (1, 1, 1f), (1, 2, 2f)], Triples(corpus));
        Assert.Equal(0, corpus.SummedDuplicates);
    }

    [Fact]
    public void A_Matrix_Market_file_reads_the_same_counts()
    {
        string path = Write("m.mtx", "%%MatrixMarket matrix coordinate integer general\n% a comment\n3 5 5\n1 1 2\n1 5 1\n3 2 5\n3 4 7\n1 1 1\n");
        Corpus corpus = Corpus.Read(path);
        Assert.Equal([0L, 2, 2, 4], Starts(corpus));
        Assert.Equal([0, 4, 1, 3], corpus.Counts.Terms);
        Assert.Equal([3f, 1f, 5f, 7f], corpus.Counts.Counts);
        Assert.Equal(1, corpus.SummedDuplicates);
        // "real" is accepted when the values are whole numbers.
        Corpus real = Corpus.Read(Write("r.mtx", "%%MatrixMarket matrix coordinate real general\n2 2 2\n2 1 3.0\n1 2 1e0\n"));
        Assert.Equal([(0, 1, 1f), (1, 0, 3f)], Triples(real));
    }

    [Fact]
    public void An_svmlight_file_reads_one_document_per_line()
    {
        string path = Write("train.svmlight",
            "# a comment line\n" +
            "1 3:2 1:1 # a trailing comment\n" +
            "\n" +
            "-1\n" +                    // a label only: an empty document
            "spam qid:7 2:4 2:1 5:1\n"); // any label; a query id; index 2 twice
        Corpus corpus = Corpus.Read(path);
        Assert.Equal(3, corpus.DocumentCount);
        Assert.Equal(5, corpus.TermCount); // the largest index
        Assert.Equal([0L, 2, 2, 4], Starts(corpus));
        Assert.Equal([0, 2, 1, 4], corpus.Counts.Terms);
        Assert.Equal([1f, 2f, 5f, 1f], corpus.Counts.Counts);
        Assert.Equal(1, corpus.SummedDuplicates);

        // With a vocabulary, W is its size.
        Write("vocab.txt", "a\nb\nc\nd\ne\nf\ng\n");
        Assert.Equal(7, Corpus.Read(path, vocabularyPath: PathOf("vocab.txt")).TermCount);
        Assert.Equal(5, Corpus.Read(Write("x.data", "1 5:1\n"), CorpusFormat.Svmlight).TermCount);
    }

    [Theory]
    [InlineData("3\n5\n1\n1 1 1.5\n", "docword.txt line 4: count 1.5 is not a positive whole number; topic models need token counts")]
    [InlineData("3\n5\n2\n1 1 1\n1 2 0\n", "docword.txt line 5: count 0 is not a positive whole number")]
    [InlineData("3\n5\n1\n1 1 -2\n", "docword.txt line 4: count -2 is not a positive whole number")]
    [InlineData("3\n5\n1\n4 1 1\n", "docword.txt line 4: docID 4 is outside 1 … 3 (the header's D)")]
    [InlineData("3\n5\n1\n0 1 1\n", "docword.txt line 4: docID 0 is outside 1 … 3")]
    [InlineData("3\n5\n1\n1 6 1\n", "docword.txt line 4: wordID 6 is outside 1 … 5 (the header's W = 5)")]
    [InlineData("3\n5\n2\n1 1 1\n", "docword.txt line 3: the header promises 2 entries (NNZ); the file holds 1")]
    [InlineData("3\n5\n1\n1 1 1\n2 2 2\n", "docword.txt line 3: the header promises 1 entries (NNZ); the file holds 2")]
    [InlineData("3\nfive\n1\n1 1 1\n", "docword.txt line 2: expected the number of words W")]
    [InlineData("3\n5\n1\n1 1\n", "docword.txt line 4: expected 'docID wordID count'")]
    [InlineData("3\n5\n1\n1 1 1 1\n", "docword.txt line 4: expected 'docID wordID count'")]
    [InlineData("3\n5\n1\nx 1 1\n", "docword.txt line 4: expected 'docID wordID count' (whole numbers, 1-based indices), found 'x 1 1'")]
    public void Bad_UCI_files_are_errors_that_name_the_line(string text, string message)
    {
        var error = Assert.Throws<InvalidDataException>(() => Corpus.Read(Write("docword.txt", text), CorpusFormat.Uci));
        Assert.StartsWith(message, error.Message);
    }

    [Theory]
    [InlineData("2 3 1\n1 4 1\n", "m.mtx line 3: column 4 is outside 1 … 3 (the size line's columns W = 3)")]
    [InlineData("2 3 1\n3 1 1\n", "m.mtx line 3: row 3 is outside 1 … 2 (the size line's rows)")]
    [InlineData("2 3 1\n% c\n1 1 2.5\n", "m.mtx line 4: count 2.5 is not a positive whole number")]
    [InlineData("2 3 2\n1 1 1\n", "m.mtx line 2: the size line promises 2 entries; the file holds 1")]
    [InlineData("2 3\n1 1 1\n", "m.mtx line 2: expected the size line 'rows columns entries'")]
    [InlineData("2 3 1\n1 one 1\n", "m.mtx line 3: expected 'row column value'")]
    public void Bad_Matrix_Market_files_are_errors_that_name_the_line(string body, string message)
    {
        var error = ReadFails("m.mtx", "%%MatrixMarket matrix coordinate integer general\n" + body);
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void A_file_that_is_not_Matrix_Market_says_what_it_expected()
    {
        var error = ReadFails("m.mtx", "%%MatrixMarket matrix array real general\n3 5\n");
        Assert.StartsWith("m.mtx line 1: expected '%%MatrixMarket matrix coordinate", error.Message);
    }

    [Theory]
    [InlineData("1 1:1\n1 0:2\n", "s.svm line 2: index 0; svmlight indices are 1-based")]
    [InlineData("1 1:1\n\n1 2:0.5\n", "s.svm line 3: count 0.5 is not a positive whole number; topic models need token counts")]
    [InlineData("1 1:-1\n", "s.svm line 1: count -1 is not a positive whole number")]
    [InlineData("1 1:1 two:1\n", "s.svm line 1: expected 'index:count' with a whole-number index, found 'two:1'")]
    [InlineData("1 1:1 3\n", "s.svm line 1: expected 'index:count'")]
    [InlineData("1:1 2:1\n", "s.svm line 1: expected a label first")]
    [InlineData("# only a comment\n\n", "s.svm: the file holds no documents")]
    [InlineData("1\n2\n", "s.svm: no line has an 'index:count' pair")]
    public void Bad_svmlight_files_are_errors_that_name_the_line(string text, string message)
    {
        var error = ReadFails("s.svm", text);
        Assert.StartsWith(message, error.Message);
    }

    [Fact]
    public void Svmlight_indices_beyond_a_vocabulary_are_errors()
    {
        string path = Write("s.libsvm", "1 1:1\n0 4:1\n");
        var error = Assert.Throws<InvalidDataException>(() => Corpus.Read(path, ["a", "b", "c"]));
        Assert.StartsWith("s.libsvm line 2: index 4 is beyond the vocabulary's 3 terms", error.Message);
        Write("vocab.txt", "a\nb\n");
        Assert.StartsWith("s.libsvm line 2: index 4 is beyond the vocabulary's 2 terms",
            Assert.Throws<InvalidDataException>(() => Corpus.Read(path, vocabularyPath: PathOf("vocab.txt"))).Message);
    }

    [Fact]
    public void Bad_vocabulary_files_are_errors_that_name_the_line_or_both_sizes()
    {
        string path = Write("docword.txt", "1\n3\n1\n1 1 1\n");
        Write("short.txt", "a\nb\n");
        Assert.StartsWith("short.txt: 2 terms (lines), but docword.txt has W = 3 terms",
            Assert.Throws<InvalidDataException>(() => Corpus.Read(path, vocabularyPath: PathOf("short.txt"))).Message);
        Write("empty-term.txt", "a\n\nc\n");
        Assert.StartsWith("empty-term.txt line 2: an empty term",
            Assert.Throws<InvalidDataException>(() => Corpus.Read(path, vocabularyPath: PathOf("empty-term.txt"))).Message);
        Write("repeat.txt", "a\nb\na\n");
        Assert.StartsWith("repeat.txt line 3: 'a' repeats line 1",
            Assert.Throws<InvalidDataException>(() => Corpus.Read(path, vocabularyPath: PathOf("repeat.txt"))).Message);
    }

    [Fact]
    public void UCI_and_Matrix_Market_files_read_against_a_larger_fitted_vocabulary()
    {
        string[] vocabulary = ["a", "b", "c", "d"];
        Corpus uci = Corpus.Read(Write("docword.txt", "2\n3\n2\n1 3 2\n2 1 1\n"), vocabulary);
        Assert.Equal(4, uci.TermCount);
        Assert.Equal(vocabulary, uci.Vocabulary!);
        Assert.Equal([(0, 2, 2f), (1, 0, 1f)], Triples(uci));
        var tooWide = Assert.Throws<InvalidDataException>(() => Corpus.Read(Write("wide.txt", "1\n5\n1\n1 1 1\n"), vocabulary, CorpusFormat.Uci));
        Assert.StartsWith("wide.txt line 2: the header's W = 5 is more than the vocabulary's 4 terms", tooWide.Message);
        Corpus mm = Corpus.Read(Write("m.mtx", "%%MatrixMarket matrix coordinate integer general\n1 2 1\n1 2 3\n"), vocabulary);
        Assert.Equal(4, mm.TermCount);
        Assert.Equal([(0, 1, 3f)], Triples(mm));
        Assert.StartsWith("m5.mtx line 2: the size line's columns W = 5 is more than the vocabulary's 4 terms",
            Assert.Throws<InvalidDataException>(() =>
                Corpus.Read(Write("m5.mtx", "%%MatrixMarket matrix coordinate integer general\n1 5 1\n1 2 3\n"), vocabulary)).Message);
    }

    [Fact]
    public void The_format_comes_from_the_path_or_must_be_given()
    {
        Assert.Equal(1, Corpus.Read(Write("a.MTX", "%%MatrixMarket matrix coordinate integer general\n1 1 1\n1 1 1\n")).DocumentCount);
        Assert.Equal(2, Corpus.Read(Write("b.svm", "1 1:1\n1\n")).DocumentCount);
        Assert.Equal(1, Corpus.Read(Write("c.data", " 1\n2\n1\n1 2 1\n")).DocumentCount); // UCI by its header
        var unknown = ReadFails("notes.txt", "hello world\n");
        Assert.StartsWith("notes.txt: cannot tell the corpus format", unknown.Message);
        Assert.Contains("--format", unknown.Message);
        Assert.Equal(1, Corpus.Read(PathOf("notes.txt"), CorpusFormat.Text).DocumentCount);

        var missing = Assert.Throws<FileNotFoundException>(() => Corpus.Read(PathOf("absent.mtx")));
        Assert.Contains("absent.mtx", missing.Message);
        Assert.Throws<DirectoryNotFoundException>(() => Corpus.Read(Path.Combine(Folder, "no-such-folder", "docword.txt")));
        Assert.Throws<DirectoryNotFoundException>(() => Corpus.Read(Path.Combine(Folder, "no-such-folder") + Path.DirectorySeparatorChar));
        string uci = Write("docword.txt", "1\n1\n1\n1 1 1\n");
        Assert.Contains("absent-vocab.txt",
            Assert.Throws<FileNotFoundException>(() => Corpus.Read(uci, vocabularyPath: PathOf("absent-vocab.txt"))).Message);
        Directory.CreateDirectory(PathOf("docs"));
        Assert.Throws<ArgumentException>(() => Corpus.Read(PathOf("docs"), CorpusFormat.Uci));
    }

    [Fact]
    public void Text_is_tokenized_into_lower_case_letter_runs_with_stop_words_and_short_words_dropped()
    {
        // Line 1: "The" and "a" are stop words, "x" is short; "cat's" is "cat" + "s" (short).
        // Line 2 is empty: an empty document. Line 3: digits and punctuation separate tokens.
        string path = Write("docs.txt", "The CAT's hat, a cat x!\n\ndog2cat;hat-DOG hat\n");
        Corpus corpus = Corpus.Read(path, CorpusFormat.Text);
        Assert.Equal(["cat", "dog", "hat"], corpus.Vocabulary!);
        Assert.Equal(3, corpus.DocumentCount);
        Assert.Equal([(0, 0, 2f), (0, 2, 1f), (2, 0, 1f), (2, 1, 2f), (2, 2, 2f)], Triples(corpus));
        Assert.Equal([0L, 2, 2, 5], Starts(corpus));
        Assert.Equal(4, corpus.DroppedTokens); // the, s, a, x
        Assert.Equal(0, corpus.SummedDuplicates);

        // Case kept, no stop words, every length: the vocabulary sorts ordinally (upper case first).
        var keepAll = new TextTokenizerOptions { Lowercase = false, StopWords = new HashSet<string>(), MinTokenLength = 1 };
        Corpus raw = Corpus.Read(path, CorpusFormat.Text, tokenizer: keepAll);
        Assert.Equal(["CAT", "DOG", "The", "a", "cat", "dog", "hat", "s", "x"], raw.Vocabulary!);
        Assert.Equal(0, raw.DroppedTokens);
        Assert.Equal(12, raw.TokenCount);

        // A longer minimum drops "cat", "dog" and "hat" too; nothing is left.
        var error = Assert.Throws<InvalidDataException>(() =>
            Corpus.Read(path, CorpusFormat.Text, tokenizer: new TextTokenizerOptions { MinTokenLength = 4 }));
        Assert.StartsWith("docs.txt: no term is left: every word is shorter than MinTokenLength = 4 letters", error.Message);
    }

    [Fact]
    public void Text_terms_are_filtered_by_document_frequency()
    {
        // Document frequencies: apple 4, berry 3, cherry 2, damson 1 (of 4 documents).
        string path = Write("fruit.txt", "apple berry cherry damson\napple berry cherry\napple berry\napple apple\n");
        Assert.Equal(["apple", "berry", "cherry", "damson"], Corpus.Read(path, CorpusFormat.Text).Vocabulary!);
        Corpus common = Corpus.Read(path, CorpusFormat.Text, tokenizer: new TextTokenizerOptions { MinDocumentFrequency = 2 });
        Assert.Equal(["apple", "berry", "cherry"], common.Vocabulary!);
        Assert.Equal(1, common.DroppedTokens); // damson
        // At most 0.75 × 4 = 3 documents: apple (4) goes, its 5 tokens dropped.
        Corpus rare = Corpus.Read(path, CorpusFormat.Text, tokenizer: new TextTokenizerOptions { MaxDocumentFrequency = 0.75 });
        Assert.Equal(["berry", "cherry", "damson"], rare.Vocabulary!);
        Assert.Equal(5, rare.DroppedTokens);
        Assert.Equal([(0, 0, 1f), (0, 1, 1f), (0, 2, 1f), (1, 0, 1f), (1, 1, 1f), (2, 0, 1f)], Triples(rare));
        Assert.Equal([0L, 3, 5, 6, 6], Starts(rare));
        Corpus both = Corpus.Read(path, CorpusFormat.Text,
            tokenizer: new TextTokenizerOptions { MinDocumentFrequency = 2, MaxDocumentFrequency = 0.75 });
        Assert.Equal(["berry", "cherry"], both.Vocabulary!);

        string Fails(TextTokenizerOptions options) =>
            Assert.Throws<InvalidDataException>(() => Corpus.Read(path, CorpusFormat.Text, tokenizer: options)).Message;
        Assert.StartsWith("fruit.txt: no term is left: MinDocumentFrequency = 5 removed every term; the most frequent is in 4 of the 4 documents",
            Fails(new TextTokenizerOptions { MinDocumentFrequency = 5 }));
        Assert.StartsWith("fruit.txt: no term is left: MaxDocumentFrequency = 0.2 removed every term",
            Fails(new TextTokenizerOptions { MaxDocumentFrequency = 0.2 }));
        Assert.StartsWith("fruit.txt: no term is left: MinDocumentFrequency = 4 and MaxDocumentFrequency = 0.75 together",
            Fails(new TextTokenizerOptions { MinDocumentFrequency = 4, MaxDocumentFrequency = 0.75 }));
    }

    [Fact]
    public void Text_that_leaves_no_term_says_which_filter_removed_everything()
    {
        Assert.StartsWith("stop.txt: no term is left: every word of at least 2 letters is a stop word",
            ReadFails("stop.txt", "the and of\nI was there\n", CorpusFormat.Text).Message);
        Assert.StartsWith("digits.txt: no term is left: the text holds no words",
            ReadFails("digits.txt", "1 2 3\n\n", CorpusFormat.Text).Message);
        Assert.StartsWith("empty.txt: holds no documents", ReadFails("empty.txt", "", CorpusFormat.Text).Message);
    }

    [Fact]
    public void Bad_tokenizer_options_name_the_property()
    {
        string path = Write("t.txt", "words here\n");
        void Fails(TextTokenizerOptions options, string property) =>
            Assert.Equal(property, Assert.ThrowsAny<ArgumentException>(() => Corpus.Read(path, CorpusFormat.Text, tokenizer: options)).ParamName);
        Fails(new TextTokenizerOptions { MinTokenLength = 0 }, nameof(TextTokenizerOptions.MinTokenLength));
        Fails(new TextTokenizerOptions { MinDocumentFrequency = 0 }, nameof(TextTokenizerOptions.MinDocumentFrequency));
        Fails(new TextTokenizerOptions { MaxDocumentFrequency = 0 }, nameof(TextTokenizerOptions.MaxDocumentFrequency));
        Fails(new TextTokenizerOptions { MaxDocumentFrequency = 1.5 }, nameof(TextTokenizerOptions.MaxDocumentFrequency));
        Fails(new TextTokenizerOptions { MaxDocumentFrequency = double.NaN }, nameof(TextTokenizerOptions.MaxDocumentFrequency));
        Fails(new TextTokenizerOptions { StopWords = null! }, nameof(TextTokenizerOptions.StopWords));
    }

    [Fact]
    public void The_English_stop_words_are_scikit_learns_318()
    {
        Assert.Equal(318, EnglishStopWords.Words.Count);
        Assert.Contains("the", EnglishStopWords.Words);
        Assert.Contains("yourselves", EnglishStopWords.Words);
        Assert.DoesNotContain("cat", EnglishStopWords.Words);
        Assert.Same(EnglishStopWords.Words, new TextTokenizerOptions().StopWords);
    }

    [Fact]
    public void A_folder_of_text_files_is_one_document_per_file_in_ordinal_order()
    {
        string folder = PathOf("docs");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "b.txt"), "Zebra\nzebra lion\n");
        File.WriteAllText(Path.Combine(folder, "B.TXT"), "lion\n");
        File.WriteAllText(Path.Combine(folder, "a.txt"), "");
        File.WriteAllText(Path.Combine(folder, "notes.md"), "ignored words\n");
        Corpus corpus = Corpus.Read(folder);
        Assert.Equal(["B.TXT", "a.txt", "b.txt"], corpus.DocumentNames!);
        Assert.Equal(["lion", "zebra"], corpus.Vocabulary!);
        Assert.Equal([(0, 0, 1f), (2, 0, 1f), (2, 1, 2f)], Triples(corpus));
        Assert.Equal("docs", corpus.Source);
        Assert.Equal(corpus.DocumentNames, Corpus.Read(folder + Path.DirectorySeparatorChar, CorpusFormat.Text).DocumentNames);

        string emptyFolder = PathOf("none");
        Directory.CreateDirectory(emptyFolder);
        Assert.StartsWith("none: the folder holds no *.txt files", Assert.Throws<InvalidDataException>(() => Corpus.Read(emptyFolder)).Message);
    }

    [Fact]
    public void Text_read_against_a_fixed_vocabulary_counts_the_tokens_it_drops()
    {
        // The vocabulary decides: "the" counts when it is in it, filters do not apply.
        string path = Write("new.txt", "The cat sat on the mat\nunknown words only\n\nCat CAT\n");
        Corpus corpus = Corpus.Read(path, ["cat", "mat", "the"], CorpusFormat.Text);
        Assert.Equal(3, corpus.TermCount);
        Assert.Equal(4, corpus.DocumentCount);
        Assert.Equal(["cat", "mat", "the"], corpus.Vocabulary!);
        Assert.Equal([(0, 0, 1f), (0, 1, 1f), (0, 2, 2f), (3, 0, 2f)], Triples(corpus));
        Assert.Equal(5, corpus.DroppedTokens); // sat, on, unknown, words, only
        // A vocabulary file for text means the same fixed vocabulary.
        Write("vocab.txt", "cat\nmat\nthe\n");
        Corpus fromFile = Corpus.Read(path, CorpusFormat.Text, PathOf("vocab.txt"));
        Assert.Equal(Triples(corpus), Triples(fromFile));
        Assert.Equal(5, fromFile.DroppedTokens);
        // Without lower-casing, "Cat", "CAT" and "The" are unknown too.
        Corpus cased = Corpus.Read(path, ["cat", "mat", "the"], CorpusFormat.Text, new TextTokenizerOptions { Lowercase = false });
        Assert.Equal(8, cased.DroppedTokens); // The, sat, on, unknown, words, only, Cat, CAT

        Assert.Throws<ArgumentException>(() => Corpus.Read(path, ["cat", "cat"], CorpusFormat.Text));
        Assert.Throws<ArgumentException>(() => Corpus.Read(path, [], CorpusFormat.Text));
        Assert.Throws<ArgumentException>(() => Corpus.Read(path, ["cat", ""], CorpusFormat.Text));
    }

    [Fact]
    public void Split_alternately_deals_each_documents_tokens_in_term_order()
    {
        // Document 0: t0 × 3, t2 × 2 → tokens t0 t0 t0 t2 t2: observed t0 t0 t2, held out t0 t2.
        // Document 1: t1 × 1 → observed t1, held out nothing. Document 2: empty.
        // Document 3: t0 × 1, t1 × 4, t3 × 1 → t0 t1 t1 t1 t1 t3: observed t0 t1 t1, held out t1 t1 t3.
        Corpus corpus = Corpus.FromCsr([0, 2, 3, 3, 6], [0, 2, 1, 0, 1, 3], [3, 2, 1, 1, 4, 1], 4, ["a", "b", "c", "d"]);
        (Corpus observed, Corpus heldOut) = corpus.SplitAlternately();
        Assert.Equal([(0, 0, 2f), (0, 2, 1f), (1, 1, 1f), (3, 0, 1f), (3, 1, 2f)], Triples(observed));
        Assert.Equal([(0, 0, 1f), (0, 2, 1f), (3, 1, 2f), (3, 3, 1f)], Triples(heldOut));
        Assert.Equal(4, observed.DocumentCount);
        Assert.Equal(4, heldOut.DocumentCount);
        Assert.Equal(4, heldOut.TermCount);
        Assert.Equal(corpus.Vocabulary, observed.Vocabulary);
        Assert.Equal(corpus.TokenCount, observed.TokenCount + heldOut.TokenCount);
        Assert.Equal("(arrays) (held out)", heldOut.Source);
    }

    [Fact]
    public void From_CSR_sorts_terms_sums_repeats_and_copies()
    {
        int[] starts = [0, 3, 3], terms = [2, 0, 2], counts = [1, 4, 5];
        Corpus corpus = Corpus.FromCsr(starts, terms, counts, 3);
        Assert.Equal([(0, 0, 4f), (0, 2, 6f)], Triples(corpus));
        Assert.Equal(1, corpus.SummedDuplicates);
        Assert.Equal(2, corpus.DocumentCount);
        Assert.Equal("(arrays)", corpus.Source);
        terms[0] = 1; // the corpus holds a copy
        Assert.Equal([0, 2], corpus.Counts.Terms);
    }

    [Theory]
    [InlineData(new[] { 0 }, new int[0], new int[0], 2, "documentStarts", "needs D + 1 ≥ 2")]
    [InlineData(new[] { 1, 2 }, new[] { 0, 1 }, new[] { 1, 1 }, 2, "documentStarts", "documentStarts[0] = 1")]
    [InlineData(new[] { 0, 2, 1, 2 }, new[] { 0, 1 }, new[] { 1, 1 }, 2, "documentStarts", "documentStarts[2] = 1 is less than documentStarts[1] = 2")]
    [InlineData(new[] { 0, 1 }, new[] { 0, 1 }, new[] { 1, 1 }, 2, "documentStarts", "documentStarts[1] = 1, but there are 2 entries")]
    [InlineData(new[] { 0, 2 }, new[] { 0, 2 }, new[] { 1, 1 }, 2, "terms", "terms[1] = 2 is outside 0 … 1")]
    [InlineData(new[] { 0, 2 }, new[] { 0, -1 }, new[] { 1, 1 }, 2, "terms", "terms[1] = -1")]
    [InlineData(new[] { 0, 2 }, new[] { 0, 1 }, new[] { 1, 0 }, 2, "counts", "counts[1] = 0; counts must be > 0")]
    [InlineData(new[] { 0, 2 }, new[] { 0, 1 }, new[] { 1 }, 2, "counts", "terms has 2 entries but counts has 1")]
    public void From_CSR_names_the_argument_and_index_it_rejects(int[] starts, int[] terms, int[] counts, int termCount, string argument, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => Corpus.FromCsr(starts, terms, counts, termCount));
        Assert.Equal(argument, error.ParamName);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void From_CSR_and_from_dense_check_the_vocabulary()
    {
        Assert.Contains("The vocabulary has 1 terms; W = 2",
            Assert.Throws<ArgumentException>(() => Corpus.FromCsr([0, 1], [0], [1], 2, ["a"])).Message);
        Assert.Contains("vocabulary[2] = 'a' repeats vocabulary[0]",
            Assert.Throws<ArgumentException>(() => Corpus.FromDense(new int[1, 3], ["a", "b", "a"])).Message);
        Assert.Equal("vocabulary", Assert.Throws<ArgumentException>(() => Corpus.FromDense(new int[1, 2], ["a", ""])).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Corpus.FromCsr([0, 0], [], [], 0));
    }

    [Fact]
    public void From_dense_stores_the_non_zeros()
    {
        Corpus corpus = Corpus.FromDense(new[,] { { 0, 2, 0 }, { 0, 0, 0 }, { 1, 0, 3 } }, ["x", "y", "z"]);
        Assert.Equal([0L, 1, 1, 3], Starts(corpus));
        Assert.Equal([(0, 1, 2f), (2, 0, 1f), (2, 2, 3f)], Triples(corpus));
        Assert.Equal(6, corpus.TokenCount);
        Assert.Equal(0, corpus.SummedDuplicates);
        var negative = Assert.Throws<ArgumentException>(() => Corpus.FromDense(new[,] { { 1, 0 }, { 0, -2 } }));
        Assert.Contains("counts[1, 1] = -2", negative.Message);
        Assert.Equal("counts", negative.ParamName);
        Assert.Throws<ArgumentException>(() => Corpus.FromDense(new int[0, 3]));
    }
}
