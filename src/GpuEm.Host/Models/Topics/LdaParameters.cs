namespace GpuEm.Models.Topics;

/// <summary>
/// Variational parameters of LDA in float64, immutable once built: λ (topic-word Dirichlets,
/// term-major W × K: λ[w·K + k]), the γ of every training document (D × K, carried to the next
/// E-step as its start), α (K values) and η. The quantities the E-step and the bound need,
/// exp E[log β] and the topic-word part of the ELBO, are computed once, on first use.
/// </summary>
internal sealed class LdaParameters
{
    private readonly Lazy<(double[] ExpElogBeta, double Bound)> _derived;

    public LdaParameters(int topics, int terms, double[] lambda, double[] gamma, double[] alpha, double eta)
    {
        K = topics;
        W = terms;
        Lambda = lambda;
        Gamma = gamma;
        Alpha = alpha;
        Eta = eta;
        AlphaNorm = TopicMath.DirichletNorm(alpha);
        _derived = new Lazy<(double[], double)>(() => Derive(topics, terms, lambda, eta));
    }

    public int K { get; }

    public int W { get; }

    /// <summary>Term-major W × K, λ_kw &gt; 0.</summary>
    public double[] Lambda { get; }

    /// <summary>D × K, the γ of each training document (the start of the next E-step).</summary>
    public double[] Gamma { get; }

    /// <summary>α_k &gt; 0.</summary>
    public double[] Alpha { get; }

    public double Eta { get; }

    /// <summary>ln Γ(Σ α) − Σ ln Γ(α_k).</summary>
    public double AlphaNorm { get; }

    /// <summary>Term-major W × K, exp(ψ(λ_kw) − ψ(Σ_w λ_kw)).</summary>
    public double[] ExpElogBeta => _derived.Value.ExpElogBeta;

    /// <summary>
    /// The topic-word part of the ELBO, Σ_k E_q[log p(β_k | η) − log q(β_k | λ_k)].
    /// </summary>
    public double TopicBound => _derived.Value.Bound;

    /// <summary>E[β_kw] = λ_kw / Σ_w λ_kw, topic-major K × W (row k = topic k).</summary>
    public double[] TopicWord()
    {
        var result = new double[K * W];
        for (int k = 0; k < K; k++)
        {
            double sum = 0;
            for (int w = 0; w < W; w++)
                sum += Lambda[w * K + k];
            for (int w = 0; w < W; w++)
                result[k * W + w] = Lambda[w * K + k] / sum;
        }
        return result;
    }

    // Per topic (in parallel; each topic's sums in term order, so the result does not depend on threads).
    private static (double[], double) Derive(int topics, int terms, double[] lambda, double eta)
    {
        var exp = new double[lambda.Length];
        var bounds = new double[topics];
        Parallel.For(0, topics, k =>
        {
            double sum = 0;
            for (int w = 0; w < terms; w++)
                sum += lambda[w * topics + k];
            double total = TopicMath.Digamma(sum);
            double bound = -TopicMath.GammaLn(sum);
            for (int w = 0; w < terms; w++)
            {
                double l = lambda[w * topics + k];
                double elog = TopicMath.Digamma(l) - total;
                exp[w * topics + k] = Math.Exp(elog);
                bound += (eta - l) * elog + TopicMath.GammaLn(l);
            }
            bounds[k] = bound;
        });
        double etaNorm = TopicMath.GammaLn(terms * eta) - terms * TopicMath.GammaLn(eta);
        double total = topics * etaNorm;
        for (int k = 0; k < topics; k++)
            total += bounds[k];
        return (exp, total);
    }
}
