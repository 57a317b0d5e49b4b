namespace GpuEm.Data;

/// <summary>
/// How a data set is cut into the units EM never splits: a row (mixtures, k-means), a sequence
/// of consecutive rows (hidden Markov models), a document's non-zero counts (topic models).
/// Units are consecutive ranges of items (rows, or non-zeros), unit u holding items
/// [<see cref="Start"/>(u), <see cref="Start"/>(u + 1)). Device chunks (<see cref="Cut"/>) and
/// reference-engine blocks take whole units.
/// </summary>
internal sealed class UnitLayout
{
    // Null for one row per unit (offsets implicit, no n + 1 array for 10⁹ rows).
    private readonly long[]? _starts;

    private UnitLayout(int units, long items, long[]? starts, string unitName)
    {
        UnitCount = units;
        ItemCount = items;
        _starts = starts;
        UnitName = unitName;
    }

    /// <summary>Units.</summary>
    public int UnitCount { get; }

    /// <summary>Items (rows or non-zeros) in all units.</summary>
    public long ItemCount { get; }

    /// <summary>What a unit is, for messages ("row", "sequence", "document").</summary>
    public string UnitName { get; }

    /// <summary>Each row its own unit.</summary>
    public static UnitLayout Rows(int rows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        return new UnitLayout(rows, rows, null, "row");
    }

    /// <summary>
    /// Units of the given lengths, in order: sequences of rows, documents of non-zeros. Every
    /// length ≥ <paramref name="minimumLength"/>; errors name the unit.
    /// </summary>
    /// <param name="lengths">Items per unit.</param>
    /// <param name="unitName">"sequence", "document".</param>
    /// <param name="minimumLength">1 for sequences (a sequence has a first step); 0 for documents (an empty document is allowed).</param>
    public static UnitLayout FromLengths(IReadOnlyList<int> lengths, string unitName, int minimumLength)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        var starts = new long[lengths.Count + 1];
        for (int unit = 0; unit < lengths.Count; unit++)
        {
            if (lengths[unit] < minimumLength)
                throw new ArgumentException(
                    $"{Capital(unitName)} {unit} (zero-based) has length {lengths[unit]}; each {unitName} needs at least {minimumLength}.",
                    nameof(lengths));
            starts[unit + 1] = starts[unit] + lengths[unit];
        }
        return new UnitLayout(lengths.Count, starts[^1], starts, unitName);
    }

    /// <summary>The first item of a unit (<see cref="UnitCount"/> gives <see cref="ItemCount"/>).</summary>
    public long Start(int unit) => _starts is null ? unit : _starts[unit];

    /// <summary>Items in a unit.</summary>
    public long Length(int unit) => Start(unit + 1) - Start(unit);

    /// <summary>
    /// Consecutive chunks of whole units, each of at most <paramref name="maxItems"/> items,
    /// filled greedily in order (for rows: fixed chunks of <paramref name="maxItems"/> rows, the
    /// last shorter). A unit longer than a chunk is an error that says how long it is; a later
    /// model that carries state across chunks (a long sequence's messages) cuts inside units itself.
    /// </summary>
    public ChunkPlan Cut(long maxItems)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxItems);
        int most = (int)Math.Min(maxItems, int.MaxValue);
        var chunks = new List<DataChunk>();
        if (_starts is null)
        {
            for (long first = 0; first < ItemCount; first += most)
            {
                int count = (int)Math.Min(most, ItemCount - first);
                chunks.Add(new DataChunk((int)first, count, first, count));
            }
            return new ChunkPlan(chunks, Math.Max(1, (int)Math.Min(most, ItemCount)));
        }
        int unit = 0;
        int largest = 0;
        while (unit < UnitCount)
        {
            int firstUnit = unit;
            long firstItem = Start(unit);
            if (Length(unit) > most)
                throw new InvalidOperationException(
                    $"{Capital(UnitName)} {unit} (zero-based) has {Length(unit):N0} items; a device chunk holds {most:N0}. " +
                    "Raise DeviceMemoryLimit, split that " + UnitName + ", or use the reference backend.");
            while (unit < UnitCount && Start(unit + 1) - firstItem <= most)
                unit++;
            int items = (int)(Start(unit) - firstItem);
            largest = Math.Max(largest, items);
            chunks.Add(new DataChunk(firstUnit, unit - firstUnit, firstItem, items));
        }
        return new ChunkPlan(chunks, Math.Max(1, largest));
    }

    private static string Capital(string word) => char.ToUpperInvariant(word[0]) + word[1..];
}
