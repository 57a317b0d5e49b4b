using GpuEm.Data;

namespace GpuEm.Models.Topics;

/// <summary>The checks every topic-model fit makes on its corpus before it starts.</summary>
internal static class TopicFit
{
    public static SparseCounts Check(Corpus corpus, int topics)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        SparseCounts data = corpus.Counts;
        Check(topics, data.DocumentCount, data.TermCount, data.TokenCount, corpus.Source);
        return data;
    }

    public static void Check(int topics, int documents, int terms, double tokens, string source)
    {
        if (topics > documents)
            throw new ArgumentException(
                $"TopicCount K = {topics} exceeds the number of documents D = {documents} in {source}; use K ≤ D.", "corpus");
        if ((long)topics * terms > Array.MaxLength || (long)topics * documents > Array.MaxLength)
            throw new ArgumentException(
                $"K = {topics} topics over {terms:N0} terms and {documents:N0} documents exceed what one array holds (K·W and K·D ≤ 2³¹ − 1).",
                "corpus");
        if (!(tokens > 0))
            throw new ArgumentException($"{source} holds no tokens: every document is empty.", "corpus");
    }
}
