namespace GpuEm.Models.CoarsenedCategorical;

/// <summary>
/// The M-step, closed form. With expected counts n_c, N = Σ_c n_c, n_g = Σ_{c∈g} n_c and
/// A_g = Σ_{c∈g} a_c, the expected complete-data log-likelihood Σ_c n_c ln(a_c θ_{g(c)}) =
/// Σ_g n_g ln θ_g + const is concave in θ; under Σ_g A_g θ_g = 1 the Lagrange conditions
/// n_g / θ_g = λ A_g and the constraint give λ = N, so θ_g = n_g / (N · A_g).
/// </summary>
internal static class CoarsenedMStep
{
    public static double[] Maximize(CoarsenedStatistics stats, CoarsenedTable table)
    {
        var groupCounts = new double[table.GroupCount];
        double total = 0;
        for (int cell = 0; cell < table.CellCount; cell++)
        {
            groupCounts[table.Groups[cell]] += stats.ExpectedCounts[cell];
            total += stats.ExpectedCounts[cell];
        }
        var theta = new double[table.GroupCount];
        for (int group = 0; group < theta.Length; group++)
            theta[group] = groupCounts[group] / (total * table.GroupCoefficientSums[group]);
        return theta;
    }
}
