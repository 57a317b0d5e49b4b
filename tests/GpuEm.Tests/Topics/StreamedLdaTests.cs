using System.Globalization;
using System.Text;
using GpuEm.Data;
using GpuEm.Models.Topics;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Topics;

/// <summary>
/// Online LDA over a corpus that stays in its file (<see cref="CorpusStream"/>,
/// <see cref="Lda.Fit(CorpusStream, CancellationToken)"/>): the same bits as the online fit of the
/// file read whole, for every format that streams and batch sizes that do and do not divide D;
/// the stream's sizes; and the errors of a file that cannot be streamed.
/// </summary>
public sealed class StreamedLdaTests() : TempFolderTests("gpuem-stream-")
{
    // 23 documents over 9 terms; documents 0, 11 and 22 empty; term 8 used (svmlight's W is the largest index).
    private static int[,] Counts(int seed)
    {
        var random = new Random(seed);
        var counts = new int[23, 9];
        for (int d = 0; d < 23; d++)
        {
            if (d is 0 or 11 or 22)
                continue;
            int length = 1 + random.Next(14);
            for (int i = 0; i < length; i++)
                counts[d, random.Next(9)]++;
        }
        counts[5, 8] += 2;
        return counts;
    }

    // UCI (or Matrix Market) entries by document, terms falling within a document and the first
    // count ≥ 2 of each document split over two lines (a repeated pair, summed).
    private string WriteCoordinates(int[,] counts, CorpusFormat format, string name)
    {
        var lines = new List<string>();
        for (int d = 0; d < counts.GetLength(0); d++)
        {
            bool split = false;
            for (int w = counts.GetLength(1) - 1; w >= 0; w--)
            {
                int c = counts[d, w];
                if (c == 0)
                    continue;
                if (!split && c >= 2)
                {
                    split = true;
                    lines.Add($"{d + 1} {w + 1} 1");
                    c--;
                }
                lines.Add($"{d + 1} {w + 1} {c}");
            }
        }
        var text = new StringBuilder();
        if (format == CorpusFormat.Uci)
            text.Append(CultureInfo.InvariantCulture, $"{counts.GetLength(0)}\n{counts.GetLength(1)}\n{lines.Count}\n");
        else
            text.Append(CultureInfo.InvariantCulture, $"%%MatrixMarket matrix coordinate integer general\n% made by a test\n{counts.GetLength(0)} {counts.GetLength(1)} {lines.Count}\n");
        foreach (string line in lines)
            text.Append(line).Append('\n');
        File.WriteAllText(PathOf(name), text.ToString());
        return PathOf(name);
    }

    private string WriteSvmlight(int[,] counts, string name)
    {
        var text = new StringBuilder("# a comment line\n");
        for (int d = 0; d < counts.GetLength(0); d++)
        {
            text.Append(d % 3);
            for (int w = 0; w < counts.GetLength(1); w++)
            {
                if (counts[d, w] > 0)
                    text.Append(CultureInfo.InvariantCulture, $" {w + 1}:{counts[d, w]}");
            }
            text.Append('\n');
        }
        File.WriteAllText(PathOf(name), text.ToString());
        return PathOf(name);
    }

    private static LdaOptions Online(int batchSize, bool learnAlpha = false, bool warmStart = false) => new()
    {
        TopicCount = 3,
        Seed = 17,
        Backend = Backend.Reference,
        LearningMethod = LdaLearning.Online,
        BatchSize = batchSize,
        LearnAlpha = learnAlpha,
        WarmStart = warmStart,
        MaxIterations = 4,
        Tolerance = 0,
        Restarts = 2,
    };

    [Theory]
    [InlineData(CorpusFormat.Uci, 1, false, false)]
    [InlineData(CorpusFormat.Uci, 5, true, false)]
    [InlineData(CorpusFormat.Uci, 23, false, true)]
    [InlineData(CorpusFormat.MatrixMarket, 7, true, true)]
    [InlineData(CorpusFormat.MatrixMarket, 100, false, false)]
    [InlineData(CorpusFormat.Svmlight, 4, true, false)]
    [InlineData(CorpusFormat.Svmlight, 6, false, true)]
    public void StreamedFitEqualsTheResidentOnlineFitToTheBit(CorpusFormat format, int batchSize, bool learnAlpha, bool warmStart)
    {
        int[,] counts = Counts(batchSize + (int)format);
        string path = format == CorpusFormat.Svmlight ? WriteSvmlight(counts, "c.svm") : WriteCoordinates(counts, format, "c.txt");
        Corpus resident = Corpus.Read(path, format);
        CorpusStream stream = CorpusStream.Open(path, format);
        var lda = new Lda(Online(batchSize, learnAlpha, warmStart));

        TopicModel whole = lda.Fit(resident);
        TopicModel streamed = lda.Fit(stream);

        Assert.Equal(whole.TopicWord, streamed.TopicWord);
        Assert.Equal(whole.DocumentTopic, streamed.DocumentTopic);
        Assert.Equal(whole.Alpha, streamed.Alpha);
        Assert.Equal(whole.TrainingObjective, streamed.TrainingObjective);
        Assert.Equal(whole.Summary.ObjectiveHistory, streamed.Summary.ObjectiveHistory);
        Assert.Equal(whole.Summary.Iterations, streamed.Summary.Iterations);
        Assert.Equal(23, streamed.DocumentCount);
        Assert.Equal(whole.Tokens, streamed.Tokens);
        if (learnAlpha)
            Assert.NotEqual(Online(batchSize).ResolvedAlpha(), streamed.Alpha);
    }

    [Theory]
    [InlineData(CorpusFormat.Uci)]
    [InlineData(CorpusFormat.MatrixMarket)]
    [InlineData(CorpusFormat.Svmlight)]
    public void OpenReportsWhatReadingTheFileWholeReports(CorpusFormat format)
    {
        int[,] counts = Counts(3);
        string path = format == CorpusFormat.Svmlight ? WriteSvmlight(counts, "c.svmlight") : WriteCoordinates(counts, format, "c.mtx");
        File.WriteAllLines(PathOf("vocab.txt"), Enumerable.Range(0, 9).Select(t => $"term{t}"));
        Corpus resident = Corpus.Read(path, format, PathOf("vocab.txt"));
        CorpusStream stream = CorpusStream.Open(path, format, PathOf("vocab.txt"));
        Assert.Equal(resident.DocumentCount, stream.DocumentCount);
        Assert.Equal(resident.TermCount, stream.TermCount);
        Assert.Equal(resident.NonZeroCount, stream.NonZeroCount);
        Assert.Equal(resident.TokenCount, stream.TokenCount);
        Assert.Equal(resident.SummedDuplicates, stream.SummedDuplicates);
        int split = Enumerable.Range(0, 23).Count(d => Enumerable.Range(0, 9).Any(w => counts[d, w] >= 2));
        Assert.Equal(format == CorpusFormat.Svmlight ? 0 : split, stream.SummedDuplicates);
        Assert.Equal(resident.Vocabulary, stream.Vocabulary);
        Assert.Equal(format, stream.Format);
        Assert.Equal(resident.Source, stream.Source);

        TopicModel model = new Lda(Online(8)).Fit(stream);
        Assert.Equal(resident.Vocabulary, model.Vocabulary);
    }

    [Fact]
    public void AnEntryOutOfDocumentOrderIsAnErrorNamingItsLine()
    {
        File.WriteAllText(PathOf("docword.txt"), "3\n4\n4\n1 1 2\n2 3 1\n1 2 1\n3 4 1\n");
        var error = Assert.Throws<InvalidDataException>(() => CorpusStream.Open(PathOf("docword.txt")));
        Assert.StartsWith("docword.txt line 6: docID 1 comes after docID 2", error.Message);
        Assert.Contains("sort", error.Message);
        // Read whole, the same file is fine.
        Assert.Equal(3, Corpus.Read(PathOf("docword.txt")).DocumentCount);
    }

    [Theory]
    [InlineData("3\n4\n3\n1 1 2\n2 3 1\n", "docword.txt line 3: the header promises 3 entries (NNZ); the file holds 2.")]
    [InlineData("3\n4\n2\n1 1 2\n2 3 0.5\n", "docword.txt line 5: count 0.5 is not a positive whole number")]
    [InlineData("3\n4\n2\n1 1 2\n2 5 1\n", "docword.txt line 5: wordID 5 is outside 1 … 4")]
    public void BadContentGetsTheMessagesOfReadingWhole(string content, string message)
    {
        File.WriteAllText(PathOf("docword.txt"), content);
        Assert.StartsWith(message, Assert.Throws<InvalidDataException>(() => CorpusStream.Open(PathOf("docword.txt"))).Message);
        Assert.StartsWith(message, Assert.Throws<InvalidDataException>(() => Corpus.Read(PathOf("docword.txt"))).Message);
    }

    [Fact]
    public void TextAndEmptySvmlightAndWrongVocabulariesAreRefused()
    {
        File.WriteAllText(PathOf("docs.txt"), "apples and pears\npears and plums\n");
        Assert.Contains("plain text is not streamed", Assert.Throws<ArgumentException>(
            () => CorpusStream.Open(PathOf("docs.txt"), CorpusFormat.Text)).Message);
        File.WriteAllText(PathOf("empty.svm"), "# nothing\n\n");
        Assert.Contains("holds no documents", Assert.Throws<InvalidDataException>(() => CorpusStream.Open(PathOf("empty.svm"))).Message);
        File.WriteAllText(PathOf("labels.svm"), "1\n0\n");
        Assert.Contains("number of terms is unknown", Assert.Throws<InvalidDataException>(() => CorpusStream.Open(PathOf("labels.svm"))).Message);
        WriteCoordinates(Counts(1), CorpusFormat.Uci, "docword.txt");
        File.WriteAllLines(PathOf("vocab.txt"), ["a", "b"]);
        Assert.Contains("2 terms (lines), but docword.txt has W = 9", Assert.Throws<InvalidDataException>(
            () => CorpusStream.Open(PathOf("docword.txt"), vocabularyPath: PathOf("vocab.txt"))).Message);
        Assert.Throws<FileNotFoundException>(() => CorpusStream.Open(PathOf("missing.txt")));
    }

    [Fact]
    public void StreamingNeedsOnlineLearningAndKAtMostD()
    {
        CorpusStream stream = CorpusStream.Open(WriteCoordinates(Counts(2), CorpusFormat.Uci, "docword.txt"));
        var batch = new Lda(Online(4) with { LearningMethod = LdaLearning.Batch });
        Assert.Contains("needs LearningMethod Online", Assert.Throws<ArgumentException>(() => batch.Fit(stream)).Message);
        var tooMany = new Lda(Online(4) with { TopicCount = 24 });
        Assert.Contains("K = 24 exceeds the number of documents D = 23", Assert.Throws<ArgumentException>(() => tooMany.Fit(stream)).Message);
    }

    [Fact]
    public void AFileThatChangesAfterOpenIsAnErrorNotAWrongModel()
    {
        string path = WriteCoordinates(Counts(4), CorpusFormat.Uci, "docword.txt");
        CorpusStream stream = CorpusStream.Open(path);
        File.AppendAllText(path, "\n");
        var error = Assert.Throws<IOException>(() => new Lda(Online(4)).Fit(stream));
        Assert.Contains("changed (or went away) after it was opened", error.Message);
        File.Delete(path);
        Assert.Throws<IOException>(() => new Lda(Online(4)).Fit(stream));
    }
}
