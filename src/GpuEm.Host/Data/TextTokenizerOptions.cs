namespace GpuEm.Data;

/// <summary>
/// How <see cref="CorpusFormat.Text"/> corpora become counts. Tokens are maximal runs of letters
/// (<see cref="char.IsLetter(char)"/>; every other character separates tokens), lower-cased
/// (invariant culture) when <see cref="Lowercase"/>; tokens shorter than
/// <see cref="MinTokenLength"/> are dropped, then <see cref="StopWords"/>; then terms whose
/// document frequency (the number of documents holding them) is below
/// <see cref="MinDocumentFrequency"/> or above <see cref="MaxDocumentFrequency"/> × D are dropped.
/// The vocabulary is what is left, sorted ordinally (as scikit-learn's <c>CountVectorizer</c>).
/// Read against a fixed vocabulary, only the tokenization and <see cref="Lowercase"/> apply: the
/// vocabulary decides which tokens count.
/// </summary>
public sealed record TextTokenizerOptions
{
    /// <summary>Lower-case tokens (invariant culture) before anything else. Default true.</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>Drop tokens of fewer letters (≥ 1). Default 2 (as scikit-learn's token pattern,
    /// which drops one-letter words).</summary>
    public int MinTokenLength { get; init; } = 2;

    /// <summary>Tokens dropped after lower-casing, compared with the set's own comparer; an empty
    /// set keeps every word. Default <see cref="EnglishStopWords.Words"/>.</summary>
    public IReadOnlySet<string> StopWords { get; init; } = EnglishStopWords.Words;

    /// <summary>Drop terms found in fewer documents than this (a count of documents, ≥ 1).
    /// Default 1 (keep all).</summary>
    public int MinDocumentFrequency { get; init; } = 1;

    /// <summary>Drop terms found in more than this fraction of the documents (in (0, 1]).
    /// Default 1.0 (keep all).</summary>
    public double MaxDocumentFrequency { get; init; } = 1.0;

    /// <summary>Checks every setting; an error names the property.</summary>
    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MinTokenLength, 1, nameof(MinTokenLength));
        if (StopWords is null)
            throw new ArgumentNullException(nameof(StopWords), "StopWords is null; an empty set keeps every word.");
        ArgumentOutOfRangeException.ThrowIfLessThan(MinDocumentFrequency, 1, nameof(MinDocumentFrequency));
        if (!(MaxDocumentFrequency > 0 && MaxDocumentFrequency <= 1))
            throw new ArgumentOutOfRangeException(
                nameof(MaxDocumentFrequency), MaxDocumentFrequency, "MaxDocumentFrequency is a fraction of the documents, in (0, 1].");
    }
}
