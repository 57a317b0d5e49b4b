namespace GpuEm.Models.CoarsenedCategorical;

/// <summary>
/// Sufficient statistics of the E-step: the expected count n_c of every cell,
/// Σ over observations o ∋ c of count_o · p_c / Σ_{c'∈o} p_{c'}; the log-likelihood
/// Σ_o count_o · ln Σ_{c∈o} p_c; and the total count. Statistics of disjoint sets of
/// observations add up.
/// </summary>
internal sealed class CoarsenedStatistics(int cellCount)
{
    public double[] ExpectedCounts { get; } = new double[cellCount];

    public double LogLikelihood { get; set; }

    public double TotalCount { get; set; }

    public void Add(CoarsenedStatistics other)
    {
        for (int cell = 0; cell < ExpectedCounts.Length; cell++)
            ExpectedCounts[cell] += other.ExpectedCounts[cell];
        LogLikelihood += other.LogLikelihood;
        TotalCount += other.TotalCount;
    }
}
