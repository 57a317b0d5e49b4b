namespace GpuEm.Models.Topics;

/// <summary>
/// PLSA's M-step, pure and in float64: p(w | k) = n_wk / Σ_w n_wk and p(k | d) = n_dk / Σ_k n_dk.
/// A topic that received no count keeps its p(w | k), and an empty document its p(k | d), so
/// every probability stays defined.
/// </summary>
internal static class PlsaMStep
{
    public static PlsaParameters Maximize(PlsaStatistics statistics, PlsaParameters current)
    {
        int k = current.K, w = current.W;
        var wordTopic = new double[statistics.WordTopic.Length];
        var sums = new double[k];
        for (int t = 0; t < w; t++)
            for (int c = 0; c < k; c++)
                sums[c] += statistics.WordTopic[t * k + c];
        for (int t = 0; t < w; t++)
            for (int c = 0; c < k; c++)
                wordTopic[t * k + c] = sums[c] > 0 ? statistics.WordTopic[t * k + c] / sums[c] : current.WordTopic[t * k + c];
        double[] documentTopic = statistics.DocumentTopic;
        int documents = documentTopic.Length / k;
        var next = new double[documentTopic.Length];
        for (int d = 0; d < documents; d++)
        {
            double sum = 0;
            for (int c = 0; c < k; c++)
                sum += documentTopic[d * k + c];
            for (int c = 0; c < k; c++)
                next[d * k + c] = sum > 0 ? documentTopic[d * k + c] / sum : current.DocumentTopic[d * k + c];
        }
        return new PlsaParameters(k, w, wordTopic, next);
    }
}
