namespace GpuEm.Models.CoarsenedCategorical;

/// <summary>
/// The validated table: coefficients a_c, groups g(c) and, per group, A_g = Σ_{c∈g} a_c
/// (positive for every group). Never written after creation.
/// </summary>
internal sealed class CoarsenedTable
{
    public CoarsenedTable(IReadOnlyList<double> coefficients, IReadOnlyList<int> groups)
    {
        Coefficients = coefficients.ToArray();
        Groups = groups.ToArray();
        GroupCount = Groups.Max() + 1;
        GroupCoefficientSums = new double[GroupCount];
        for (int cell = 0; cell < Coefficients.Length; cell++)
            GroupCoefficientSums[Groups[cell]] += Coefficients[cell];
    }

    public double[] Coefficients { get; }

    public int[] Groups { get; }

    public int CellCount => Coefficients.Length;

    public int GroupCount { get; }

    public double[] GroupCoefficientSums { get; }

    /// <summary>p_c = a_c · θ_{g(c)} for every cell.</summary>
    public double[] Probabilities(double[] theta)
    {
        var p = new double[CellCount];
        for (int cell = 0; cell < p.Length; cell++)
            p[cell] = Coefficients[cell] * theta[Groups[cell]];
        return p;
    }

    /// <summary>θ scaled so that Σ_c a_c θ_{g(c)} = Σ_g A_g θ_g = 1.</summary>
    public double[] Normalize(IReadOnlyList<double> theta)
    {
        double total = 0;
        for (int group = 0; group < GroupCount; group++)
            total += GroupCoefficientSums[group] * theta[group];
        var result = new double[GroupCount];
        for (int group = 0; group < GroupCount; group++)
            result[group] = theta[group] / total;
        return result;
    }
}
