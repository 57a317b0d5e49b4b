namespace GpuEm.Data;

/// <summary>
/// Sequences of rows (hidden Markov models' data, as hmmlearn's <c>fit(X, lengths)</c>): the rows
/// of every sequence concatenated in a <see cref="DataMatrix"/>, and the length of each. A
/// sequence is the unit: device chunks and reference blocks hold whole sequences
/// (<see cref="Units"/>).
/// </summary>
internal sealed class SequenceData
{
    private SequenceData(DataMatrix rows, UnitLayout units)
    {
        Rows = rows;
        Units = units;
    }

    /// <summary>All steps of all sequences, row-major, sequence after sequence.</summary>
    public DataMatrix Rows { get; }

    /// <summary>The sequences as units of consecutive rows.</summary>
    public UnitLayout Units { get; }

    /// <summary>Sequences.</summary>
    public int SequenceCount => Units.UnitCount;

    /// <summary>The rows of sequence <paramref name="sequence"/>: [first, first + length).</summary>
    public (int First, int Length) Sequence(int sequence) => ((int)Units.Start(sequence), (int)Units.Length(sequence));

    /// <summary>
    /// Validated sequences: every length ≥ 1, the lengths summing to the rows (null: the rows
    /// are one sequence).
    /// </summary>
    public static SequenceData From(DataMatrix rows, IReadOnlyList<int>? lengths)
    {
        ArgumentNullException.ThrowIfNull(rows);
        lengths ??= [rows.Rows];
        UnitLayout units = UnitLayout.FromLengths(lengths, "sequence", minimumLength: 1);
        if (units.ItemCount != rows.Rows)
            throw new ArgumentException(
                $"The {lengths.Count} sequence lengths sum to {units.ItemCount:N0} but the data has {rows.Rows:N0} rows; " +
                "give one length per sequence, the sequences' rows concatenated in order.", nameof(lengths));
        return new SequenceData(rows, units);
    }

    /// <summary>As the other overload over the rows of a source (read or mapped as a fit reads it).</summary>
    public static SequenceData From(IDataSource source, IReadOnlyList<int>? lengths, MissingValues missing = MissingValues.Error) =>
        From(DataMatrix.FromSource(source, null, missing), lengths);
}
