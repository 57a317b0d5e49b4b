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

/// <summary>
/// The observations with a positive count, in compressed rows: observation i covers
/// <c>Cells[Offsets[i] .. Offsets[i + 1]]</c> and was seen <c>Counts[i]</c> times.
/// </summary>
internal sealed record CoarsenedData(int[] Offsets, int[] Cells, double[] Counts, double TotalCount)
{
    public int Observations => Counts.Length;

    /// <summary>
    /// Checks observations against a table at cell probabilities <paramref name="p"/> (the start
    /// of a fit, or a fitted model's); errors name the observation. Zero counts are dropped.
    /// </summary>
    public static CoarsenedData Validate(CoarsenedTable table, IEnumerable<CoarsenedObservation> observations, double[] p)
    {
        ArgumentNullException.ThrowIfNull(observations);
        const string parameter = "observations";
        var offsets = new List<int> { 0 };
        var cells = new List<int>();
        var counts = new List<double>();
        var seen = new bool[table.CellCount];
        double total = 0;
        int index = 0;
        foreach (CoarsenedObservation? observation in observations)
        {
            if (observation is null)
                throw new ArgumentException($"Observation {index} is null.", parameter);
            double count = observation.Count;
            if (!double.IsFinite(count) || count < 0)
                throw new ArgumentException(
                    $"Observation {index} has count {count}; counts must be finite and ≥ 0.", parameter);
            if (observation.Cells.Count == 0)
                throw new ArgumentException(
                    $"Observation {index} lists no cells; list every cell it could be " +
                    "(one cell when fully observed).", parameter);
            Array.Clear(seen);
            double mass = 0;
            foreach (int cell in observation.Cells)
            {
                if (cell < 0 || cell >= table.CellCount)
                    throw new ArgumentException(
                        $"Observation {index} lists cell {cell}, outside the table's {table.CellCount} cells " +
                        $"(0 … {table.CellCount - 1}).", parameter);
                if (seen[cell])
                    throw new ArgumentException($"Observation {index} lists cell {cell} twice.", parameter);
                seen[cell] = true;
                mass += p[cell];
            }
            if (count > 0 && !(mass > 0))
                throw new ArgumentException(
                    $"Observation {index} (count {count}) has probability 0: each of its cells " +
                    $"({string.Join(", ", observation.Cells)}) has coefficient 0 or a group started at θ = 0, " +
                    "so its log-likelihood would be −∞. Give one of its cells a positive coefficient or " +
                    "start its group above 0, or drop the observation.", parameter);
            // A zero count contributes nothing (and 0 · ln 0 would be NaN), so it is not kept.
            if (count > 0)
            {
                cells.AddRange(observation.Cells);
                offsets.Add(cells.Count);
                counts.Add(count);
                total += count;
            }
            index++;
        }
        if (index == 0)
            throw new ArgumentException("There are no observations; give at least one.", parameter);
        if (!(total > 0))
            throw new ArgumentException(
                $"All {index} observations have count 0; at least one count must be positive.", parameter);
        if (!double.IsFinite(total))
            throw new ArgumentException("The counts sum to infinity; scale them down.", parameter);
        return new CoarsenedData(offsets.ToArray(), cells.ToArray(), counts.ToArray(), total);
    }
}

/// <summary>The group parameters θ (G values, Σ_g A_g θ_g = 1). Never written after creation.</summary>
internal sealed record CoarsenedParameters(double[] Theta);

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
