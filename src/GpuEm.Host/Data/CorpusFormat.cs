namespace GpuEm.Data;

/// <summary>The file formats <see cref="Corpus.Read(string, CorpusFormat?, string?, TextTokenizerOptions?)"/> reads.</summary>
public enum CorpusFormat
{
    /// <summary>
    /// UCI bag-of-words (<c>docword.*.txt</c>): three header lines D, W, NNZ, then NNZ lines
    /// <c>docID wordID count</c>, 1-based.
    /// </summary>
    Uci,

    /// <summary>
    /// Matrix Market coordinate (<c>*.mtx</c>, documents × terms): the banner
    /// <c>%%MatrixMarket matrix coordinate real|integer general</c>, % comments, a size line
    /// <c>rows columns entries</c>, then <c>row column value</c> lines, 1-based.
    /// </summary>
    MatrixMarket,

    /// <summary>
    /// svmlight / LibSVM (<c>*.svm</c>, <c>*.svmlight</c>, <c>*.libsvm</c>): one document per
    /// line, <c>label index:count … [# comment]</c>, label ignored, indices 1-based.
    /// </summary>
    Svmlight,

    /// <summary>
    /// Plain text: a file holds one document per line; a folder holds one document per
    /// <c>*.txt</c> file. Tokenized by <see cref="TextTokenizerOptions"/>.
    /// </summary>
    Text,
}
