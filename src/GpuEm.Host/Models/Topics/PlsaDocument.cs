namespace GpuEm.Models.Topics;

/// <summary>
/// One document's PLSA E-step in float64: for each non-zero, p(k | d, w) ∝ [p(k | d) p(w | k)]^β,
/// its count spread over the topics (into the document's row and the term's row), and
/// n_dw log p(w | d) added to the log-likelihood. Shared by the reference engine and the fitted
/// model's fold-in.
/// </summary>
internal static class PlsaDocument
{
    /// <summary>Returns Σ n_dw log p(w | d); adds the expected counts to <paramref name="documentCounts"/> (K) and, when given, to <paramref name="wordTopic"/>.</summary>
    public static double Expect(
        ReadOnlySpan<int> terms, ReadOnlySpan<float> counts, double[] pWordTopic, ReadOnlySpan<double> pTopic, double tempering,
        Span<double> documentCounts, double[]? wordTopic, Span<double> scratch)
    {
        int k = pTopic.Length;
        double logLikelihood = 0;
        for (int i = 0; i < terms.Length; i++)
        {
            ReadOnlySpan<double> beta = pWordTopic.AsSpan(terms[i] * k, k);
            double p = 0;
            for (int c = 0; c < k; c++)
            {
                scratch[c] = pTopic[c] * beta[c];
                p += scratch[c];
            }
            logLikelihood += counts[i] * Math.Log(p);
            double norm = p;
            if (tempering != 1)
            {
                norm = 0;
                for (int c = 0; c < k; c++)
                {
                    scratch[c] = Math.Pow(scratch[c], tempering);
                    norm += scratch[c];
                }
            }
            double scale = counts[i] / norm;
            for (int c = 0; c < k; c++)
                documentCounts[c] += scale * scratch[c];
            if (wordTopic is not null)
            {
                Span<double> row = wordTopic.AsSpan(terms[i] * k, k);
                for (int c = 0; c < k; c++)
                    row[c] += scale * scratch[c];
            }
        }
        return logLikelihood;
    }
}
