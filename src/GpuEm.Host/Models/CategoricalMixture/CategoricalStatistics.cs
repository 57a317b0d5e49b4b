namespace GpuEm.Models.CategoricalMixture;

/// <summary>
/// Sufficient statistics of a categorical mixture: N_k = Σ_i w_i r_ik and the expected counts
/// C_kjl = Σ_i w_i r_ik [x_ij = l] (row-major k × Σ L_j). A missing x_ij adds to no count, so
/// Σ_l C_kjl is the responsibility-weighted number of rows where feature j is observed.
/// Statistics over disjoint row sets add up.
/// </summary>
internal sealed class CategoricalStatistics(int k, LevelLayout layout) : Discrete.IMixtureStatistics<CategoricalStatistics>
{
    public int K { get; } = k;

    public LevelLayout Layout { get; } = layout;

    public double[] Weight { get; } = new double[k];

    public double[] Counts { get; } = new double[k * layout.Total];

    public double LogLikelihood { get; set; }

    public double TotalWeight { get; set; }

    /// <summary>Adds one point with weighted responsibilities (w·r per component).</summary>
    public void AddPoint(ReadOnlySpan<int> x, ReadOnlySpan<double> r)
    {
        int total = Layout.Total;
        int[] offsets = Layout.Offsets;
        for (int c = 0; c < K; c++)
        {
            double rc = r[c];
            if (rc == 0)
                continue;
            Weight[c] += rc;
            Span<double> counts = Counts.AsSpan(c * total, total);
            for (int j = 0; j < x.Length; j++)
                if (x[j] >= 0)
                    counts[offsets[j] + x[j]] += rc;
        }
    }

    public void Add(CategoricalStatistics other)
    {
        for (int i = 0; i < Weight.Length; i++)
            Weight[i] += other.Weight[i];
        for (int i = 0; i < Counts.Length; i++)
            Counts[i] += other.Counts[i];
        LogLikelihood += other.LogLikelihood;
        TotalWeight += other.TotalWeight;
    }

    public void Clear()
    {
        Array.Clear(Weight);
        Array.Clear(Counts);
        LogLikelihood = 0;
        TotalWeight = 0;
    }
}
