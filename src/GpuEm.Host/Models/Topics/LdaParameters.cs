namespace GpuEm.Models.Topics;

/// <summary>
/// Variational parameters of LDA in float64, immutable once built: λ (topic-word Dirichlets,
/// term-major W × K: λ[w·K + k]), the γ of every training document (D × K, carried to the next
/// E-step as its start), α (K values) and η. The quantities the E-step and the bound need,
/// exp E[log β] and the topic-word part of the ELBO, are computed once each, on first use (online
/// variational Bayes needs the first after every mini-batch, the second once per pass).
/// </summary>
internal sealed class LdaParameters
{
    private readonly Lazy<double[]> _expElogBeta;
    private readonly Lazy<double> _topicBound;

    // updates: online variational Bayes' mini-batch updates that led to this λ (its step sizes
    // continue from there); 0 for batch fits.
    public LdaParameters(int topics, int terms, double[] lambda, double[] gamma, double[] alpha, double eta, long updates = 0)
    {
        K = topics;
        W = terms;
        Lambda = lambda;
        Gamma = gamma;
        Alpha = alpha;
        Eta = eta;
        Updates = updates;
        AlphaNorm = TopicMath.DirichletNorm(alpha);
        _expElogBeta = new Lazy<double[]>(() => ExpectedLogBeta(topics, terms, lambda));
        _topicBound = new Lazy<double>(() => Bound(topics, terms, lambda, eta));
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

    /// <summary>Online variational Bayes: the mini-batch updates made so far; 0 in batch fits.</summary>
    public long Updates { get; }

    /// <summary>ln Γ(Σ α) − Σ ln Γ(α_k).</summary>
    public double AlphaNorm { get; }

    /// <summary>Term-major W × K, exp(ψ(λ_kw) − ψ(Σ_w λ_kw)).</summary>
    public double[] ExpElogBeta => _expElogBeta.Value;

    /// <summary>
    /// The topic-word part of the ELBO, Σ_k E_q[log p(β_k | η) − log q(β_k | λ_k)].
    /// </summary>
    public double TopicBound => _topicBound.Value;

    /// <summary>E[β_kw] = λ_kw / Σ_w λ_kw, topic-major K × W (row k = topic k).</summary>
    public double[] TopicWord()
    {
        var result = new double[K * W];
        for (int k = 0; k < K; k++)
        {
            double sum = TopicSum(Lambda, K, W, k);
            for (int w = 0; w < W; w++)
                result[k * W + w] = Lambda[w * K + k] / sum;
        }
        return result;
    }

    // Per topic (in parallel; each topic's sums in term order, so the result does not depend on threads).
    private static double[] ExpectedLogBeta(int topics, int terms, double[] lambda)
    {
        var exp = new double[lambda.Length];
        Parallel.For(0, topics, k =>
        {
            double total = TopicMath.Digamma(TopicSum(lambda, topics, terms, k));
            for (int w = 0; w < terms; w++)
                exp[w * topics + k] = Math.Exp(TopicMath.Digamma(lambda[w * topics + k]) - total);
        });
        return exp;
    }

    private static double Bound(int topics, int terms, double[] lambda, double eta)
    {
        var bounds = new double[topics];
        Parallel.For(0, topics, k =>
        {
            double sum = TopicSum(lambda, topics, terms, k);
            double total = TopicMath.Digamma(sum);
            double bound = -TopicMath.GammaLn(sum);
            for (int w = 0; w < terms; w++)
            {
                double l = lambda[w * topics + k];
                bound += (eta - l) * (TopicMath.Digamma(l) - total) + TopicMath.GammaLn(l);
            }
            bounds[k] = bound;
        });
        double etaNorm = TopicMath.GammaLn(terms * eta) - terms * TopicMath.GammaLn(eta);
        double result = topics * etaNorm;
        for (int k = 0; k < topics; k++)
            result += bounds[k];
        return result;
    }

    private static double TopicSum(double[] lambda, int topics, int terms, int k)
    {
        double sum = 0;
        for (int w = 0; w < terms; w++)
            sum += lambda[w * topics + k];
        return sum;
    }
}
