namespace GpuEm.Models.Topics;

/// <summary>
/// LDA's M-step, pure and in float64: λ_kw = η + exp E[log β_kw] · S_wk (S: the E-step's
/// statistics, at the λ that E-step used), γ carried over, and α by Minka's fixed point when it is
/// learned.
/// </summary>
internal static class LdaMStep
{
    /// <summary>Fixed-point steps of α per M-step at most.</summary>
    private const int AlphaSteps = 100;

    public static LdaParameters Maximize(LdaStatistics statistics, LdaParameters current, bool learnAlpha, int documents)
    {
        double[] exp = current.ExpElogBeta;
        double[] sums = statistics.WordTopic;
        var lambda = new double[sums.Length];
        double eta = current.Eta;
        for (long i = 0; i < lambda.LongLength; i++)
            lambda[i] = eta + exp[i] * sums[i];
        double[] alpha = learnAlpha && documents > 0 ? LearnAlpha(current.Alpha, statistics.LogThetaSum, documents) : current.Alpha;
        return new LdaParameters(current.K, current.W, lambda, statistics.Gamma, alpha, eta);
    }

    /// <summary>
    /// Online variational Bayes' step after one mini-batch (Hoffman, Blei and Bach 2010, as
    /// scikit-learn's): with ρ = (τ₀ + t)^−κ for the t-th update,
    /// λ_kw ← (1 − ρ) λ_kw + ρ (η + D / B · exp E[log β_kw] · S_wk) (S: the batch's statistics at
    /// <paramref name="current"/>, B its documents); learned α moves by the same step towards the
    /// batch's fixed point. <paramref name="gamma"/> is passed on as the parameters' γ.
    /// </summary>
    public static LdaParameters Blend(
        LdaParameters current, double[] sums, int batchDocuments, int documents, double[] gamma, double[] batchLogThetaSum,
        double learningOffset, double learningDecay, bool learnAlpha)
    {
        long update = current.Updates + 1;
        double rho = Math.Pow(learningOffset + update, -learningDecay);
        double scale = (double)documents / batchDocuments;
        double[] exp = current.ExpElogBeta, old = current.Lambda;
        var lambda = new double[old.Length];
        double eta = current.Eta;
        for (long i = 0; i < lambda.LongLength; i++)
            lambda[i] = (1 - rho) * old[i] + rho * (eta + scale * exp[i] * sums[i]);
        double[] alpha = current.Alpha;
        if (learnAlpha)
        {
            double[] target = LearnAlpha(current.Alpha, batchLogThetaSum, batchDocuments);
            alpha = new double[target.Length];
            for (int k = 0; k < alpha.Length; k++)
                alpha[k] = (1 - rho) * current.Alpha[k] + rho * target[k];
        }
        return new LdaParameters(current.K, current.W, lambda, gamma, alpha, eta, update);
    }

    /// <summary>
    /// Minka's fixed point for the maximum-likelihood Dirichlet given the mean of E[log θ_k]:
    /// α_k ← ψ⁻¹(ψ(Σ α) + mean_k), from the current α until no α_k moves by more than 1e-10
    /// relative. Each step raises Σ_d E_q[log p(θ_d | α)], so the ELBO still never decreases.
    /// </summary>
    public static double[] LearnAlpha(double[] start, double[] logThetaSum, int documents)
    {
        var alpha = (double[])start.Clone();
        for (int step = 0; step < AlphaSteps; step++)
        {
            double total = TopicMath.Digamma(alpha.Sum());
            double moved = 0;
            for (int k = 0; k < alpha.Length; k++)
            {
                double next = TopicMath.InverseDigamma(total + logThetaSum[k] / documents);
                moved = Math.Max(moved, Math.Abs(next - alpha[k]) / alpha[k]);
                alpha[k] = next;
            }
            if (moved < 1e-10)
                break;
        }
        return alpha;
    }
}
