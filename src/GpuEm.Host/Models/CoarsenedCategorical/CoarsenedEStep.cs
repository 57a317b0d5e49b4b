namespace GpuEm.Models.CoarsenedCategorical;

/// <summary>
/// The E-step, managed float64 (the only engine: the work is one pass over the observations'
/// cells, far too little to be worth a device).
/// </summary>
internal static class CoarsenedEStep
{
    public static CoarsenedStatistics Expect(CoarsenedTable table, CoarsenedData data, CoarsenedParameters parameters)
    {
        double[] p = table.Probabilities(parameters.Theta);
        var stats = new CoarsenedStatistics(table.CellCount);
        for (int observation = 0; observation < data.Observations; observation++)
        {
            ReadOnlySpan<int> cells = data.Cells.AsSpan(
                data.Offsets[observation], data.Offsets[observation + 1] - data.Offsets[observation]);
            double count = data.Counts[observation];
            double mass = 0;
            foreach (int cell in cells)
                mass += p[cell];
            stats.TotalCount += count;
            stats.LogLikelihood += count * Math.Log(mass);
            // mass > 0 at a validated start, and EM never lowers the log-likelihood to −∞.
            if (mass > 0)
                foreach (int cell in cells)
                    stats.ExpectedCounts[cell] += count * (p[cell] / mass);
        }
        return stats;
    }
}
