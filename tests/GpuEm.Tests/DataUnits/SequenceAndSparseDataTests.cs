using GpuEm.Data;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.DataUnits;

/// <summary>Sequences (rows plus lengths) and sparse counts (documents × terms) read from their
/// files, validated with errors that name the line.</summary>
public sealed class SequenceAndSparseDataTests : TempFolderTests
{
    public SequenceAndSparseDataTests()
        : base("gpuem-units-")
    {
    }

    [Fact]
    public void Sequences_come_from_rows_and_a_lengths_file()
    {
        float[,] values = Synthetic.Gaussian(10, 2, seed: 1);
        File.WriteAllText(PathOf("lengths.txt"), "# lengths\n3\n\n5\n2\n");
        int[] lengths = SequenceLengthsFile.Read(PathOf("lengths.txt"));
        Assert.Equal([3, 5, 2], lengths);
        SequenceData sequences = SequenceData.From(new ArrayDataSource(values), lengths);
        Assert.Equal(3, sequences.SequenceCount);
        Assert.Equal((3, 5), sequences.Sequence(1));
        Assert.Equal(1, SequenceData.From(DataMatrix.From(values, null), null).SequenceCount);

        var sum = Assert.Throws<ArgumentException>(() => SequenceData.From(DataMatrix.From(values, null), [3, 5]));
        Assert.Contains("sum to 8 but the data has 10 rows", sum.Message);
        File.WriteAllText(PathOf("bad.txt"), "3\nfour\n");
        var bad = Assert.Throws<InvalidDataException>(() => SequenceLengthsFile.Read(PathOf("bad.txt")));
        Assert.Contains("bad.txt line 2: 'four'", bad.Message);
        File.WriteAllText(PathOf("zero.txt"), "3\n0\n");
        Assert.Contains("line 2", Assert.Throws<InvalidDataException>(() => SequenceLengthsFile.Read(PathOf("zero.txt"))).Message);
    }

    [Fact]
    public void A_UCI_bag_of_words_file_reads_into_compressed_rows()
    {
        // 3 documents, 5 words; document 2 (1-based) is empty; entries out of order, one repeated.
        File.WriteAllText(PathOf("docword.txt"), "3\n5\n5\n3 2 4\n1 5 1\n1 1 2\n3 2 1\n3 4 7\n");
        SparseCounts counts = SparseCounts.ReadUci(PathOf("docword.txt"));
        Assert.Equal(3, counts.DocumentCount);
        Assert.Equal(5, counts.TermCount);
        Assert.Equal(4, counts.NonZeroCount);
        Assert.Equal([0L, 2, 2, 4], Enumerable.Range(0, 4).Select(u => counts.Units.Start(u)));
        Assert.Equal([0, 4, 1, 3], counts.Terms);
        Assert.Equal([2f, 1f, 5f, 7f], counts.Counts);
        Assert.Equal(15, counts.TokenCount);
        Assert.Equal(1, counts.SummedDuplicates); // (3, 2), given twice
    }

    [Fact]
    public void A_Matrix_Market_file_reads_the_same_counts()
    {
        File.WriteAllText(PathOf("m.mtx"), "%%MatrixMarket matrix coordinate integer general\n% a comment\n3 5 4\n1 1 2\n1 5 1\n3 2 5\n3 4 7\n");
        SparseCounts counts = SparseCounts.ReadMatrixMarket(PathOf("m.mtx"));
        Assert.Equal([0, 4, 1, 3], counts.Terms);
        Assert.Equal([2f, 1f, 5f, 7f], counts.Counts);
        Assert.Equal(3, counts.DocumentCount);
    }

    [Theory]
    [InlineData("3\n5\n1\n4 1 1\n", "line 4: docID 4 is outside 1 … 3 (the header's D)")]
    [InlineData("3\n5\n1\n1 6 1\n", "line 4: wordID 6 is outside 1 … 5 (the header's W = 5)")]
    [InlineData("3\n5\n1\n1 1 -2\n", "line 4: count -2 is not a positive whole number")]
    [InlineData("3\n5\n1\n1 1 0\n", "line 4: count 0 is not a positive whole number")]
    [InlineData("3\n5\n2\n1 1 1\n", "line 3: the header promises 2 entries (NNZ); the file holds 1")]
    [InlineData("3\nfive\n1\n1 1 1\n", "line 2: expected the number of words W")]
    [InlineData("3\n5\n1\n1 1\n", "line 4: expected 'docID wordID count'")]
    [InlineData("3\n5\n1\n0 1 1\n", "line 4: docID 0 is outside 1 … 3 (the header's D); indices are 1-based")]
    public void Bad_bag_of_words_files_are_named_errors(string text, string message)
    {
        File.WriteAllText(PathOf("docword.txt"), text);
        var error = Assert.Throws<InvalidDataException>(() => SparseCounts.ReadUci(PathOf("docword.txt")));
        Assert.Contains(message, error.Message);
        Assert.StartsWith("docword.txt", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_Matrix_Market_says_what_it_expected()
    {
        File.WriteAllText(PathOf("m.mtx"), "%%MatrixMarket matrix array real general\n3 5\n");
        Assert.Contains("expected '%%MatrixMarket matrix coordinate", Assert.Throws<InvalidDataException>(() => SparseCounts.ReadMatrixMarket(PathOf("m.mtx"))).Message);
    }

    [Fact]
    public void Document_chunks_are_cut_by_their_non_zeros()
    {
        File.WriteAllText(PathOf("docword.txt"), "4\n3\n6\n1 1 1\n1 2 1\n2 3 1\n3 1 1\n3 2 1\n3 3 1\n");
        SparseCounts counts = SparseCounts.ReadUci(PathOf("docword.txt"));
        ChunkPlan plan = counts.Units.Cut(3);
        Assert.Equal([2, 2], plan.Chunks.Select(c => c.UnitCount)); // {0, 1}: 3 non-zeros; {2, 3 (empty)}: 3
        Assert.Equal([3, 3], plan.Chunks.Select(c => c.ItemCount));
    }
}
