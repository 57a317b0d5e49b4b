using GpuEm.Data;
using MathNet.Numerics.Distributions;

namespace GpuEm.Models.Topics;

/// <summary>The starts of a restart, from its seed.</summary>
internal static class TopicStarts
{
    /// <summary>
    /// LDA: λ_kw ~ Gamma(100, rate 100), as scikit-learn's; γ_dk = α_k + n_d / K (Blei's lda-c),
    /// where the first E-step starts.
    /// </summary>
    public static LdaParameters Lda(SparseCounts data, int topics, double[] alpha, double eta, int seed)
    {
        var tokens = new double[data.DocumentCount];
        for (int d = 0; d < data.DocumentCount; d++)
        {
            for (long i = data.Units.Start(d); i < data.Units.Start(d + 1); i++)
                tokens[d] += data.Counts[i];
        }
        return Lda(data.TermCount, tokens, topics, alpha, eta, seed);
    }

    /// <summary>LDA's start from W and each document's tokens (a streamed corpus's).</summary>
    public static LdaParameters Lda(int terms, ReadOnlySpan<double> documentTokens, int topics, double[] alpha, double eta, int seed)
    {
        var random = new Random(seed);
        var lambda = new double[(long)terms * topics];
        for (long i = 0; i < lambda.LongLength; i++)
            lambda[i] = Gamma.Sample(random, 100, 100);
        var gamma = new double[(long)documentTokens.Length * topics];
        for (int d = 0; d < documentTokens.Length; d++)
        {
            for (int k = 0; k < topics; k++)
                gamma[(long)d * topics + k] = alpha[k] + documentTokens[d] / topics;
        }
        return new LdaParameters(topics, terms, lambda, gamma, alpha, eta);
    }

    /// <summary>PLSA: each topic's p(w | k) from a flat Dirichlet (normalized Exp(1) draws); p(k | d) = 1/K.</summary>
    public static PlsaParameters Plsa(SparseCounts data, int topics, int seed)
    {
        var random = new Random(seed);
        int w = data.TermCount;
        var wordTopic = new double[(long)w * topics];
        var sums = new double[topics];
        for (int t = 0; t < w; t++)
            for (int k = 0; k < topics; k++)
            {
                double draw = -Math.Log(1 - random.NextDouble());
                wordTopic[t * topics + k] = draw;
                sums[k] += draw;
            }
        for (int t = 0; t < w; t++)
            for (int k = 0; k < topics; k++)
                wordTopic[t * topics + k] /= sums[k];
        var documentTopic = new double[(long)data.DocumentCount * topics];
        Array.Fill(documentTopic, 1.0 / topics);
        return new PlsaParameters(topics, w, wordTopic, documentTopic);
    }
}
