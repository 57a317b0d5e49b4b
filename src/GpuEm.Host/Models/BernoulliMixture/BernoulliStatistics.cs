namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// Sufficient statistics of a Bernoulli mixture with missing entries, per component k and
/// column j: N_k = Σ_i w_i r_ik, S_kj = Σ_i w_i r_ik x_ij over the rows where x_ij is observed,
/// and O_kj = Σ_i w_i r_ik over the same rows (null when nothing is missing: then O_kj = N_k).
/// Statistics over disjoint row sets add up.
/// </summary>
internal sealed class BernoulliStatistics : Discrete.IMixtureStatistics<BernoulliStatistics>
{
    public BernoulliStatistics(int k, int d, bool missing)
    {
        K = k;
        D = d;
        Weight = new double[k];
        Ones = new double[k * d];
        Observed = missing ? new double[k * d] : null;
    }

    public int K { get; }

    public int D { get; }

    /// <summary>N_k, k values.</summary>
    public double[] Weight { get; }

    /// <summary>S_kj, row-major k × d.</summary>
    public double[] Ones { get; }

    /// <summary>O_kj, row-major k × d; null when every entry is observed.</summary>
    public double[]? Observed { get; }

    /// <summary>Σ w · log p(x_observed) over the points.</summary>
    public double LogLikelihood { get; set; }

    /// <summary>Σ w over the points.</summary>
    public double TotalWeight { get; set; }

    /// <summary>O_kj (N_k when nothing is missing).</summary>
    public double ObservedWeight(int component, int column) =>
        Observed is null ? Weight[component] : Observed[component * D + column];

    /// <summary>Adds one point with weighted responsibilities <paramref name="r"/> (w·r per component).</summary>
    /// <param name="x">Its d indicators (0 where missing).</param>
    /// <param name="mask">Its observed mask; empty when every entry is observed.</param>
    /// <param name="r">k weighted responsibilities.</param>
    public void AddPoint(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, ReadOnlySpan<double> r)
    {
        int d = D;
        for (int c = 0; c < K; c++)
        {
            double rc = r[c];
            if (rc == 0)
                continue;
            Weight[c] += rc;
            Span<double> ones = Ones.AsSpan(c * d, d);
            for (int j = 0; j < d; j++)
                if (x[j] != 0f)
                    ones[j] += rc;
            if (Observed is not null)
            {
                Span<double> observed = Observed.AsSpan(c * d, d);
                for (int j = 0; j < d; j++)
                    if (mask[j] != 0f)
                        observed[j] += rc;
            }
        }
    }

    /// <summary>Adds <paramref name="other"/> (same shapes) into this.</summary>
    public void Add(BernoulliStatistics other)
    {
        AddInto(Weight, other.Weight);
        AddInto(Ones, other.Ones);
        if (Observed is not null)
            AddInto(Observed, other.Observed!);
        LogLikelihood += other.LogLikelihood;
        TotalWeight += other.TotalWeight;
    }

    public void Clear()
    {
        Array.Clear(Weight);
        Array.Clear(Ones);
        if (Observed is not null)
            Array.Clear(Observed);
        LogLikelihood = 0;
        TotalWeight = 0;
    }

    private static void AddInto(double[] target, double[] source)
    {
        for (int i = 0; i < target.Length; i++)
            target[i] += source[i];
    }
}
