using GpuEm.Data;

namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// A fit's or a prediction's sequences, validated for the emission: the rows and lengths, the
/// known states (−1 where unknown), and which rows are entirely missing (steps without an
/// observation). Categorical rows hold one column of symbols 0 … M − 1; Poisson rows hold whole
/// numbers ≥ 0.
/// </summary>
internal sealed class HmmData
{
    private HmmData(SequenceData sequences, int[]? labels, bool[]? empty, int observed)
    {
        Sequences = sequences;
        Labels = labels;
        Empty = empty;
        ObservedSteps = observed;
    }

    public SequenceData Sequences { get; }

    public DataMatrix Rows => Sequences.Rows;

    /// <summary>Known state per row (−1: unknown), or null when none is known.</summary>
    public int[]? Labels { get; }

    /// <summary>Rows with every entry missing, or null when none is.</summary>
    public bool[]? Empty { get; }

    /// <summary>Rows with at least one observed entry.</summary>
    public int ObservedSteps { get; }

    /// <summary>
    /// Checks the rows for an emission: categorical, one column of whole numbers in
    /// [0, <paramref name="symbols"/>) (0: any whole number ≥ 0); Poisson, whole numbers ≥ 0;
    /// partly missing rows only for Gaussian emissions. Errors name the row and value.
    /// </summary>
    public static HmmData Create(
        SequenceData sequences, HmmEmission emission, int symbols, IReadOnlyList<int>? labels, int states)
    {
        DataMatrix rows = sequences.Rows;
        int n = rows.Rows;
        int d = rows.Columns;
        bool[]? empty = null;
        int observed = n;
        for (int row = 0; row < n; row++)
        {
            if (rows.Incomplete is not { } incomplete || !incomplete[row])
                continue;
            ReadOnlySpan<float> x = rows.Row(row);
            int missing = 0;
            foreach (float v in x)
                missing += float.IsNaN(v) ? 1 : 0;
            if (missing == d)
            {
                empty ??= new bool[n];
                empty[row] = true;
                observed--;
            }
            else if (emission is HmmEmission.Categorical or HmmEmission.Poisson)
            {
                throw new ArgumentException(
                    $"Row {row} (zero-based) has {missing} of its {d} entries missing; {emission} emissions take a step " +
                    "either whole or entirely missing (all NaN).", "data");
            }
        }
        if (emission == HmmEmission.Categorical && d != 1)
            throw new ArgumentException(
                $"Categorical emissions take one column of symbols; the data has {d} columns.", "data");
        if (emission is HmmEmission.Categorical or HmmEmission.Poisson)
            CheckCounts(rows, empty, emission, symbols);
        int[]? known = null;
        if (labels is not null)
        {
            if (labels.Count != n)
                throw new ArgumentException($"{labels.Count} state labels for {n} rows; give one per row (−1 where unknown).", nameof(labels));
            known = new int[n];
            for (int row = 0; row < n; row++)
            {
                int label = labels[row];
                if (label < -1 || label >= states)
                    throw new ArgumentException(
                        $"State label {label} at row {row} (zero-based) is outside −1 … {states - 1} (−1: unknown).", nameof(labels));
                known[row] = label;
            }
        }
        if (observed == 0)
            throw new ArgumentException("Every row is missing; the sequences hold no observation.", "data");
        return new HmmData(sequences, known, empty, observed);
    }

    /// <summary>The largest symbol + 1 (categorical data already checked).</summary>
    public int SymbolCount()
    {
        int most = 0;
        DataMatrix rows = Rows;
        for (int row = 0; row < rows.Rows; row++)
            if (Empty is null || !Empty[row])
                most = Math.Max(most, (int)rows.Row(row)[0] + 1);
        return most;
    }

    private static void CheckCounts(DataMatrix rows, bool[]? empty, HmmEmission emission, int symbols)
    {
        for (int row = 0; row < rows.Rows; row++)
        {
            if (empty is not null && empty[row])
                continue;
            ReadOnlySpan<float> x = rows.Row(row);
            for (int j = 0; j < x.Length; j++)
            {
                float v = x[j];
                bool whole = v >= 0 && v == MathF.Floor(v) && v < 16_777_216f;
                if (emission == HmmEmission.Categorical)
                {
                    if (!whole || (symbols > 0 && v >= symbols))
                        throw new ArgumentException(
                            $"Row {row} (zero-based) holds {v}; categorical emissions take symbols 0 … " +
                            (symbols > 0 ? $"{symbols - 1}" : "M − 1 (whole numbers ≥ 0)") + ".", "data");
                }
                else if (!whole)
                {
                    throw new ArgumentException(
                        $"Row {row} (zero-based), column {j} holds {v}; Poisson emissions take counts (whole numbers ≥ 0, below 2^24).",
                        "data");
                }
            }
        }
    }
}
