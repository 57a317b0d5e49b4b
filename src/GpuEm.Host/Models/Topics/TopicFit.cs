using GpuEm.Data;

namespace GpuEm.Models.Topics;

/// <summary>The checks every topic-model fit makes on its corpus before it starts.</summary>
internal static class TopicFit
{
    public static SparseCounts Check(Corpus corpus, int topics)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        SparseCounts data = corpus.Counts;
        if (topics > data.DocumentCount)
            throw new ArgumentException(
                $"TopicCount K = {topics} exceeds the number of documents D = {data.DocumentCount} in {corpus.Source}; use K ≤ D.", nameof(corpus));
        if ((long)topics * data.TermCount > Array.MaxLength || (long)topics * data.DocumentCount > Array.MaxLength)
            throw new ArgumentException(
                $"K = {topics} topics over {data.TermCount:N0} terms and {data.DocumentCount:N0} documents exceed what one array holds (K·W and K·D ≤ 2³¹ − 1).",
                nameof(corpus));
        if (!(data.TokenCount > 0))
            throw new ArgumentException($"{corpus.Source} holds no tokens: every document is empty.", nameof(corpus));
        return data;
    }
}
