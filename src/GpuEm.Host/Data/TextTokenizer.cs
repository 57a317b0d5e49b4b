using System.Runtime.InteropServices;

namespace GpuEm.Data;

/// <summary>
/// Turns text documents into counts, as <see cref="TextTokenizerOptions"/> describes: feed a
/// document's text with <see cref="Add"/> (in pieces, e.g. line by line: a line break separates
/// tokens anyway), close it with <see cref="EndDocument"/>, and take the counts with
/// <see cref="Finish"/>. Either builds the vocabulary from the documents (sorted ordinally, after
/// the length, stop-word and document-frequency filters) or maps tokens onto a fixed one.
/// </summary>
internal sealed class TextTokenizer
{
    // Fitting: each distinct token (long enough) → a provisional id in order of first sight, or
    // −1 for a stop word. Fixed: each vocabulary term → its index.
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly TextTokenizerOptions _options;
    private readonly string[]? _fixedVocabulary;
    private readonly List<string> _names = [];
    private readonly List<int> _documentFrequency = [];
    private readonly List<int> _document = [];
    private readonly List<int> _starts = [0];
    private readonly List<int> _terms = [];
    private readonly List<float> _counts = [];
    private char[] _buffer = new char[64];
    private long _tokens, _shortTokens, _stopTokens, _unknownTokens;

    /// <summary>A tokenizer that builds its vocabulary, or maps onto
    /// <paramref name="fixedVocabulary"/> (terms distinct, not empty) when given.</summary>
    public TextTokenizer(TextTokenizerOptions options, IReadOnlyList<string>? fixedVocabulary)
    {
        _options = options;
        _lookup = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        if (fixedVocabulary is not null)
        {
            _fixedVocabulary = [.. fixedVocabulary];
            for (int term = 0; term < _fixedVocabulary.Length; term++)
                _ids.Add(_fixedVocabulary[term], term);
        }
    }

    /// <summary>Documents closed so far.</summary>
    public int DocumentCount => _starts.Count - 1;

    /// <summary>Adds the tokens of <paramref name="text"/> to the current document.</summary>
    public void Add(ReadOnlySpan<char> text)
    {
        int position = 0;
        while (position < text.Length)
        {
            while (position < text.Length && !char.IsLetter(text[position]))
                position++;
            int start = position;
            while (position < text.Length && char.IsLetter(text[position]))
                position++;
            if (position > start)
                AddToken(text[start..position]);
        }
    }

    private void AddToken(ReadOnlySpan<char> token)
    {
        _tokens++;
        if (_options.Lowercase)
        {
            if (_buffer.Length < token.Length)
                _buffer = new char[Math.Max(token.Length, 2 * _buffer.Length)];
            int written = token.ToLowerInvariant(_buffer);
            token = _buffer.AsSpan(0, written);
        }
        if (_fixedVocabulary is not null)
        {
            if (_lookup.TryGetValue(token, out int term))
                _document.Add(term);
            else
                _unknownTokens++;
            return;
        }
        if (token.Length < _options.MinTokenLength)
        {
            _shortTokens++;
            return;
        }
        if (!_lookup.TryGetValue(token, out int id))
        {
            // The stop-word set is asked once per distinct token, with its own comparer.
            string word = token.ToString();
            id = _options.StopWords.Contains(word) ? -1 : _names.Count;
            if (id >= 0)
            {
                _names.Add(word);
                _documentFrequency.Add(0);
            }
            _ids.Add(word, id);
        }
        if (id < 0)
            _stopTokens++;
        else
            _document.Add(id);
    }

    /// <summary>Closes the current document (which may be empty).</summary>
    public void EndDocument()
    {
        Span<int> ids = CollectionsMarshal.AsSpan(_document);
        ids.Sort();
        for (int i = 0; i < ids.Length;)
        {
            int j = i + 1;
            while (j < ids.Length && ids[j] == ids[i])
                j++;
            _terms.Add(ids[i]);
            _counts.Add(j - i);
            if (_fixedVocabulary is null)
                _documentFrequency[ids[i]]++;
            i = j;
        }
        _document.Clear();
        _starts.Add(_terms.Count);
    }

    /// <summary>
    /// The counts of the documents closed, their vocabulary, and the tokens dropped (fixed
    /// vocabulary: tokens not in it; otherwise tokens removed by the length, stop-word and
    /// document-frequency filters). An empty vocabulary is an error that names the filter that
    /// removed everything; <paramref name="source"/> begins the messages.
    /// </summary>
    public (SparseCounts Counts, string[] Vocabulary, long DroppedTokens) Finish(string source)
    {
        int documents = DocumentCount;
        if (documents == 0)
            throw new InvalidDataException($"{source}: holds no documents.");
        int[] starts = [.. _starts];
        int[] terms = [.. _terms];
        float[] counts = [.. _counts];
        if (_fixedVocabulary is not null)
            return (SparseCounts.FromRows(starts, terms, counts, _fixedVocabulary.Length), _fixedVocabulary, _unknownTokens);

        // Document-frequency filters, then the survivors in ordinal order.
        double most = _options.MaxDocumentFrequency * documents;
        int[] kept = Enumerable.Range(0, _names.Count)
            .Where(id => _documentFrequency[id] >= _options.MinDocumentFrequency && _documentFrequency[id] <= most)
            .OrderBy(id => _names[id], StringComparer.Ordinal)
            .ToArray();
        if (kept.Length == 0)
            throw new InvalidDataException($"{source}: no term is left: {WhatRemovedEverything(documents, most)}");
        var newId = new int[_names.Count];
        Array.Fill(newId, -1);
        for (int term = 0; term < kept.Length; term++)
            newId[kept[term]] = term;

        // Renumber in place, dropping filtered terms; FromRows re-sorts each document.
        long frequencyDropped = 0;
        int written = 0;
        for (int document = 0; document < documents; document++)
        {
            int first = starts[document], end = starts[document + 1];
            starts[document] = written;
            for (int i = first; i < end; i++)
            {
                int term = newId[terms[i]];
                if (term < 0)
                {
                    frequencyDropped += (long)counts[i];
                    continue;
                }
                terms[written] = term;
                counts[written] = counts[i];
                written++;
            }
        }
        starts[documents] = written;
        Array.Resize(ref terms, written);
        Array.Resize(ref counts, written);
        string[] vocabulary = kept.Select(id => _names[id]).ToArray();
        return (SparseCounts.FromRows(starts, terms, counts, vocabulary.Length), vocabulary,
            _shortTokens + _stopTokens + frequencyDropped);
    }

    private string WhatRemovedEverything(int documents, double most)
    {
        if (_tokens == 0)
            return "the text holds no words (runs of letters).";
        if (_shortTokens == _tokens)
            return $"every word is shorter than MinTokenLength = {_options.MinTokenLength} letters.";
        if (_names.Count == 0)
            return $"every word of at least {_options.MinTokenLength} letters is a stop word (StopWords).";
        int highest = _documentFrequency.Max(), lowest = _documentFrequency.Min();
        if (highest < _options.MinDocumentFrequency)
            return $"MinDocumentFrequency = {_options.MinDocumentFrequency} removed every term; " +
                $"the most frequent is in {highest} of the {documents} documents.";
        if (lowest > most)
            return $"MaxDocumentFrequency = {_options.MaxDocumentFrequency} removed every term (at most {Math.Floor(most)} of the " +
                $"{documents} documents); the rarest is in {lowest}.";
        return $"MinDocumentFrequency = {_options.MinDocumentFrequency} and MaxDocumentFrequency = {_options.MaxDocumentFrequency} " +
            $"together removed every term (each is in fewer than {_options.MinDocumentFrequency} or more than {Math.Floor(most)} " +
            $"of the {documents} documents).";
    }
}
