namespace GpuEm.Models.CoarsenedCategorical;

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
