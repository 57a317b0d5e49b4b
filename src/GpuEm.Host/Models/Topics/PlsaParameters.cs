namespace GpuEm.Models.Topics;

/// <summary>
/// PLSA's parameters in float64, immutable once built: p(w | k) term-major W × K
/// (<c>[w·K + k]</c>; each topic's column sums to 1) and p(k | d), D × K (rows sum to 1).
/// </summary>
internal sealed class PlsaParameters(int topics, int terms, double[] wordTopic, double[] documentTopic)
{
    public int K { get; } = topics;

    public int W { get; } = terms;

    /// <summary>p(w | k), term-major W × K.</summary>
    public double[] WordTopic { get; } = wordTopic;

    /// <summary>p(k | d), D × K.</summary>
    public double[] DocumentTopic { get; } = documentTopic;

    /// <summary>p(w | k) topic-major K × W (row k = topic k).</summary>
    public double[] TopicWord()
    {
        var result = new double[K * W];
        for (int w = 0; w < W; w++)
            for (int k = 0; k < K; k++)
                result[k * W + w] = WordTopic[w * K + k];
        return result;
    }
}
