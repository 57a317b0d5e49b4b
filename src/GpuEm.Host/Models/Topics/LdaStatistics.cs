namespace GpuEm.Models.Topics;

/// <summary>
/// What an LDA E-step gives the M-step: the topic-word statistics before the factor exp E[log β]
/// (term-major W × K: Σ_d n_dw exp E[log θ_dk] / φnorm_dw, as scikit-learn's), the γ of every
/// document, Σ_d E[log θ_dk] (for learning α), and the document part of the ELBO. Mergeable over
/// blocks of documents.
/// </summary>
internal sealed class LdaStatistics
{
    // wordTopic false: no W × K statistics (online passes, whose λ is updated batch by batch).
    public LdaStatistics(int topics, int terms, double[] gamma, bool wordTopic = true)
    {
        K = topics;
        W = terms;
        WordTopic = wordTopic ? new double[(long)terms * topics] : [];
        Gamma = gamma;
        LogThetaSum = new double[topics];
    }

    public int K { get; }

    public int W { get; }

    /// <summary>Term-major W × K.</summary>
    public double[] WordTopic { get; }

    /// <summary>D × K, shared by every block (each writes its own documents' rows).</summary>
    public double[] Gamma { get; }

    /// <summary>Σ_d E[log θ_dk], K values.</summary>
    public double[] LogThetaSum { get; }

    /// <summary>Σ_d (Σ_w n_dw log φnorm_dw + E_q[log p(θ_d | α) − log q(θ_d | γ_d)]).</summary>
    public double DocumentBound { get; set; }

    /// <summary>Online variational Bayes: the parameters at the end of the pass these statistics
    /// come from (the M-step's result, made batch by batch during the pass); null in batch fits.</summary>
    public LdaParameters? Next { get; set; }

    /// <summary>γ updates summed over documents (how hard the E-step worked).</summary>
    public long DocumentIterations { get; set; }

    /// <summary>Empties for reuse.</summary>
    public void Clear()
    {
        Array.Clear(WordTopic);
        Array.Clear(LogThetaSum);
        DocumentBound = 0;
        DocumentIterations = 0;
    }

    /// <summary>Adds another block's statistics (the γ rows are already in place).</summary>
    public void Add(LdaStatistics other)
    {
        double[] a = WordTopic, b = other.WordTopic;
        for (long i = 0; i < a.LongLength; i++)
            a[i] += b[i];
        for (int k = 0; k < K; k++)
            LogThetaSum[k] += other.LogThetaSum[k];
        DocumentBound += other.DocumentBound;
        DocumentIterations += other.DocumentIterations;
    }
}
