namespace GpuEm.Models.Topics;

/// <summary>
/// What a PLSA E-step gives the M-step: the expected counts n_wk = Σ_d n_dw p(k | d, w)
/// (term-major W × K) and n_dk = Σ_w n_dw p(k | d, w) (D × K, each block writes its own
/// documents' rows), with the log-likelihood Σ n_dw log p(w | d). Mergeable over blocks.
/// </summary>
internal sealed class PlsaStatistics(int topics, int terms, double[] documentTopic)
{
    public int K { get; } = topics;

    /// <summary>Term-major W × K.</summary>
    public double[] WordTopic { get; } = new double[(long)terms * topics];

    /// <summary>D × K.</summary>
    public double[] DocumentTopic { get; } = documentTopic;

    /// <summary>Σ_dw n_dw log Σ_k p(k | d) p(w | k) (natural log).</summary>
    public double LogLikelihood { get; set; }

    public void Clear()
    {
        Array.Clear(WordTopic);
        LogLikelihood = 0;
    }

    public void Add(PlsaStatistics other)
    {
        double[] a = WordTopic, b = other.WordTopic;
        for (long i = 0; i < a.LongLength; i++)
            a[i] += b[i];
        LogLikelihood += other.LogLikelihood;
    }
}
