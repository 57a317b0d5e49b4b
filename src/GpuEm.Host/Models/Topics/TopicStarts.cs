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
        var random = new Random(seed);
        var lambda = new double[(long)data.TermCount * topics];
        for (long i = 0; i < lambda.LongLength; i++)
            lambda[i] = Gamma.Sample(random, 100, 100);
        var gamma = new double[(long)data.DocumentCount * topics];
        for (int d = 0; d < data.DocumentCount; d++)
        {
            double tokens = 0;
            for (long i = data.Units.Start(d); i < data.Units.Start(d + 1); i++)
                tokens += data.Counts[i];
            for (int k = 0; k < topics; k++)
                gamma[(long)d * topics + k] = alpha[k] + tokens / topics;
        }
        return new LdaParameters(topics, data.TermCount, lambda, gamma, alpha, eta);
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
