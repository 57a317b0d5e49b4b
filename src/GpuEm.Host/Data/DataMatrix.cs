using System.Runtime.InteropServices;

namespace GpuEm.Data;

/// <summary>
/// Validated, read-only data for a fit or a prediction: row-major n × d floats and optional
/// per-point weights. Never writes to the caller's arrays.
/// </summary>
/// <remarks>
/// The rows lie in segments of 2^s rows each (the last may be shorter), each one block of
/// row-major memory: .NET spans and arrays hold fewer than 2³¹ values, and a data set of
/// 10⁸ × 32 floats holds more. Data up to one segment (2³⁰ values by default) is a single
/// segment. Segment boundaries are multiples of <see cref="Engines.ChunkedReduction.ChunkRows"/>,
/// so the reference engine's chunks never straddle two.
/// </remarks>
internal sealed class DataMatrix
{
    /// <summary>Values per segment at most (4 GiB of floats).</summary>
    internal const long MaxSegmentValues = 1L << 30;

    /// <summary>The smallest segment shift: segments hold whole reference chunks.</summary>
    internal const int MinSegmentShift = 10;

    // Shift 31: row >> 31 is 0 for every int row, i.e. one segment.
    private const int SingleSegment = 31;

    private readonly ReadOnlyMemory<float>[] _segments;
    private readonly int _shift;
    private readonly int _mask;

    private DataMatrix(ReadOnlyMemory<float> values, int rows, int columns, float[]? weights)
        : this([values], SingleSegment, rows, columns, weights)
    {
    }

    private DataMatrix(ReadOnlyMemory<float>[] segments, int shift, int rows, int columns, float[]? weights)
    {
        _segments = segments;
        _shift = segments.Length == 1 ? SingleSegment : shift;
        _mask = MaskOf(_shift);
        Rows = rows;
        Columns = columns;
        Weights = weights;
        TotalWeight = weights is null ? rows : weights.Sum(w => (double)w);
    }

    /// <summary>
    /// Row-major n × d values when the data is one segment (data built from one array always
    /// is); segmented data has no single block and throws.
    /// </summary>
    public ReadOnlyMemory<float> Values => _segments.Length == 1
        ? _segments[0]
        : throw new InvalidOperationException($"The data is split into {_segments.Length} segments; read it by rows.");

    /// <summary>Number of segments (1 unless n · d exceeds one segment).</summary>
    public int SegmentCount => _segments.Length;

    public int Rows { get; }

    public int Columns { get; }

    /// <summary>Per-point weights (a private copy), or null when every point weighs 1.</summary>
    public float[]? Weights { get; }

    /// <summary>Σ weights (n without weights).</summary>
    public double TotalWeight { get; }

    /// <summary>
    /// Per-point component labels (a private copy; −1 = unknown), or null when no point is
    /// labelled. A labelled point's responsibilities are fixed to its component.
    /// </summary>
    public int[]? Labels { get; private init; }

    /// <summary>
    /// Per row, true when it holds a missing (NaN) entry; null when nothing is missing (then the
    /// data is validated finite). Rows skipped for being entirely missing are marked too.
    /// </summary>
    public bool[]? Incomplete { get; private init; }

    /// <summary>Rows with some but not all entries missing, ascending; empty when none.</summary>
    public int[] IncompleteRows { get; private init; } = [];

    /// <summary>Rows skipped because every entry is missing (their weight is 0).</summary>
    public int SkippedRows { get; private init; }

    /// <summary>The label of a row, −1 when unknown.</summary>
    public int Label(int row) => Labels is null ? -1 : Labels[row];

    /// <summary>
    /// This data with partial labels (copied and validated: n values in [−1, k)); an array of
    /// only −1 gives no labels.
    /// </summary>
    public DataMatrix WithLabels(int[] labels, int componentCount)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != Rows)
            throw new ArgumentException(
                $"There are {labels.Length} labels for {Rows} rows; give one label per row (−1 = unknown).", nameof(labels));
        for (int row = 0; row < labels.Length; row++)
            if (labels[row] < -1 || labels[row] >= componentCount)
                throw new ArgumentException(
                    $"Label {labels[row]} at row {row} is out of range; labels are −1 (unknown) or a component " +
                    $"index in [0, {componentCount}).", nameof(labels));
        int[]? copy = labels.Any(l => l >= 0) ? (int[])labels.Clone() : null;
        return new DataMatrix(_segments, _shift, Rows, Columns, Weights)
        {
            Labels = copy,
            Incomplete = Incomplete,
            IncompleteRows = IncompleteRows,
            SkippedRows = SkippedRows,
        };
    }

    public ReadOnlySpan<float> Row(int row) =>
        _segments[row >> _shift].Span.Slice((row & _mask) * Columns, Columns);

    /// <summary>
    /// Rows [first, first + count) as one span; they must lie in one segment (true of the
    /// reference engine's chunks, which segment boundaries never cut).
    /// </summary>
    public ReadOnlySpan<float> Block(int first, int count)
    {
        System.Diagnostics.Debug.Assert(count == 0 || first >> _shift == (first + count - 1) >> _shift);
        return _segments[first >> _shift].Span.Slice((first & _mask) * Columns, count * Columns);
    }

    /// <summary>
    /// Rows [first, first + count) as consecutive blocks of memory, one per segment they touch:
    /// (rows from <paramref name="first"/> to the block's first row, the block's values).
    /// </summary>
    public IEnumerable<(int Offset, ReadOnlyMemory<float> Values)> Pieces(int first, int count)
    {
        int offset = 0;
        while (offset < count)
        {
            int row = first + offset;
            int inSegment = row & _mask;
            int take = (int)Math.Min(count - offset, (long)_mask + 1 - inSegment);
            yield return (offset, _segments[row >> _shift].Slice(inSegment * Columns, take * Columns));
            offset += take;
        }
    }

    /// <summary>
    /// Copies rows [first, first + count) into <paramref name="destination"/> (row-major); large
    /// copies run on all cores (a single core reads memory at a fraction of what a GPU link takes).
    /// </summary>
    public void CopyRows(int first, int count, Span<float> destination)
    {
        const int ParallelRows = 1 << 14;
        if (count < 2 * ParallelRows)
        {
            foreach ((int offset, ReadOnlyMemory<float> piece) in Pieces(first, count))
                piece.Span.CopyTo(destination.Slice(offset * Columns));
            return;
        }
        unsafe
        {
            fixed (float* target = destination)
            {
                float* pointer = target;
                int parts = (count + ParallelRows - 1) / ParallelRows;
                Parallel.For(0, parts, part =>
                {
                    int start = part * ParallelRows;
                    int take = Math.Min(ParallelRows, count - start);
                    foreach ((int offset, ReadOnlyMemory<float> piece) in Pieces(first + start, take))
                        piece.Span.CopyTo(new Span<float>(pointer + (long)(start + offset) * Columns, piece.Length));
                });
            }
        }
    }

    public double Weight(int row) => Weights is null ? 1.0 : Weights[row];

    /// <summary>
    /// Copies a 2-D array (row-major, private) and validates it; NaN entries are missing values
    /// when <paramref name="missing"/> says to marginalize them.
    /// </summary>
    public static DataMatrix From(
        float[,] data, float[]? weights, MissingValues missing, bool skipEmptyRows = false, string name = "data")
    {
        if (missing == MissingValues.Error)
            return From(data, weights, name);
        return WithMissing(Copy(data, name), data.GetLength(0), data.GetLength(1), weights, skipEmptyRows, name);
    }

    /// <summary>As <see cref="From(float[,], float[], MissingValues, bool, string)"/> for row-major memory.</summary>
    public static DataMatrix From(
        ReadOnlyMemory<float> data, int rows, int columns, float[]? weights, MissingValues missing,
        bool skipEmptyRows = false, string name = "data") =>
        missing == MissingValues.Error
            ? From(data, rows, columns, weights, name)
            : WithMissing(data, rows, columns, weights, skipEmptyRows, name);

    private static DataMatrix WithMissing(
        ReadOnlyMemory<float> data, int rows, int columns, float[]? weights, bool skipEmptyRows, string name)
    {
        CheckShape(data, rows, columns, name);
        return new DataMatrix(data, rows, columns, null).Validated(weights, MissingValues.Marginalize, skipEmptyRows, name);
    }

    /// <summary>
    /// The rows of a source, validated: float32 files and arrays are used in place, other sources
    /// are read once into memory. The data is cut into segments of 2^<paramref name="segmentShift"/>
    /// rows (by default the most rows that keep a segment within <see cref="MaxSegmentValues"/>),
    /// so that sources of more than 2³¹ values fit. <paramref name="progress"/> (optional) hears
    /// the reading (of sources copied into memory) and the validation as fit phases.
    /// </summary>
    public static DataMatrix FromSource(
        IDataSource source, float[]? weights, MissingValues missing = MissingValues.Error,
        bool skipEmptyRows = false, int? segmentShift = null, IProgress<Em.FitProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.RowCount > int.MaxValue)
            throw new ArgumentException(
                $"{source.Description} has {source.RowCount:N0} rows; a fit takes at most {int.MaxValue:N0}. Split the file.",
                nameof(source));
        int rows = (int)source.RowCount;
        int columns = source.ColumnCount;
        if (rows == 0 || columns == 0)
            throw new ArgumentException($"{source.Description} is empty; it needs at least one row and one column.", nameof(source));
        int shift = segmentShift ?? SegmentShift(columns);
        long segmentRows = 1L << shift;
        int count = (int)((rows + segmentRows - 1) / segmentRows);
        var segments = new ReadOnlyMemory<float>[count];
        Em.PhaseProgress? reading = null;
        for (int segment = 0; segment < count; segment++)
        {
            long first = segment * segmentRows;
            int take = (int)Math.Min(segmentRows, rows - first);
            if (source is IMemorySource inPlace && inPlace.InPlace(first, take) is { } memory)
            {
                segments[segment] = memory;
                continue;
            }
            // Only a copy is a reading phase: a mapped file is read as the fit touches it.
            reading ??= Em.PhaseProgress.Begin(progress, Em.FitPhase.Reading);
            segments[segment] = DataSource.ReadRange(
                source, first, take, reading is null ? null : done => reading.Report((double)(first + done) / rows));
        }
        reading?.Done();
        return Em.PhaseProgress.Run(progress, Em.FitPhase.Validating, () =>
            new DataMatrix(segments, shift, rows, columns, null).Validated(weights, missing, skipEmptyRows, source.Description));
    }

    /// <summary>The default segment shift for d columns: the largest 2^s rows within one segment.</summary>
    internal static int SegmentShift(int columns)
    {
        int shift = 30;
        while (shift > MinSegmentShift && (1L << shift) * columns > MaxSegmentValues)
            shift--;
        if ((1L << shift) * columns > Array.MaxLength)
            throw new ArgumentException($"{columns:N0} columns are more than one segment of rows can hold.", nameof(columns));
        return shift;
    }

    // Validates the values (finite, or NaN marking missing entries when marginalizing) and the
    // weights; returns the data with its weights and missing-value bookkeeping.
    private DataMatrix Validated(float[]? weights, MissingValues missing, bool skipEmptyRows, string name)
    {
        if (missing == MissingValues.Error)
        {
            for (int segment = 0; segment < _segments.Length; segment++)
                CheckFinite(_segments[segment], segment == 0 ? 0 : (long)segment << _shift, Columns, name);
            return new DataMatrix(_segments, _shift, Rows, Columns, weights is null ? null : CheckWeights(weights, Rows));
        }
        var incomplete = new bool[Rows];
        var incompleteRows = new List<int>();
        var skipped = new List<int>();
        for (int row = 0; row < Rows; row++)
        {
            ReadOnlySpan<float> x = Row(row);
            int missingCount = 0;
            for (int j = 0; j < Columns; j++)
            {
                float v = x[j];
                if (float.IsNaN(v))
                    missingCount++;
                else if (!float.IsFinite(v))
                    throw new ArgumentException(
                        $"The {name} holds {v} at row {row}, column {j} (zero-based); only NaN marks a missing value.", name);
            }
            if (missingCount == 0)
                continue;
            incomplete[row] = true;
            if (missingCount < Columns)
                incompleteRows.Add(row);
            else if (skipEmptyRows)
                skipped.Add(row);
            else
                throw new ArgumentException(
                    $"Row {row} (zero-based) of the {name} has every entry missing; remove it, or set " +
                    "SkipEmptyRows to skip such rows.", name);
        }
        float[]? weightCopy = weights is null ? null : CheckWeights(weights, Rows);
        if (skipped.Count > 0)
        {
            weightCopy ??= Enumerable.Repeat(1f, Rows).ToArray();
            foreach (int row in skipped)
                weightCopy[row] = 0;
            if (skipped.Count == Rows || weightCopy.All(w => w == 0))
                throw new ArgumentException($"Every row of the {name} with a positive weight is entirely missing.", name);
        }
        bool any = incompleteRows.Count > 0 || skipped.Count > 0;
        return new DataMatrix(_segments, _shift, Rows, Columns, weightCopy)
        {
            Incomplete = any ? incomplete : null,
            IncompleteRows = incompleteRows.ToArray(),
            SkippedRows = skipped.Count,
        };
    }

    // Fresh segments for rows × columns values laid out as this data's segments would be.
    private static float[][] NewSegments(int rows, int columns, out int shift)
    {
        shift = (long)rows * columns <= MaxSegmentValues ? SingleSegment : SegmentShift(columns);
        long segmentRows = shift == SingleSegment ? rows : 1L << shift;
        var segments = new float[(int)((rows + segmentRows - 1) / segmentRows)][];
        for (int segment = 0; segment < segments.Length; segment++)
            segments[segment] = new float[Math.Min(segmentRows, rows - segment * segmentRows) * columns];
        return segments;
    }

    // Row within its segment = row & mask.
    private static int MaskOf(int shift) => shift == SingleSegment ? int.MaxValue : (1 << shift) - 1;

    private static ReadOnlyMemory<float>[] AsMemory(float[][] segments) =>
        Array.ConvertAll(segments, s => (ReadOnlyMemory<float>)s);

    /// <summary>
    /// The complete rows only (a private copy with their weights and labels), for engines that
    /// handle incomplete rows apart; this data itself when nothing is missing.
    /// </summary>
    public DataMatrix CompleteRows()
    {
        if (Incomplete is null)
            return this;
        int count = Incomplete.Count(i => !i);
        float[][] values = NewSegments(count, Columns, out int shift);
        int mask = MaskOf(shift);
        float[]? weights = Weights is null ? null : new float[count];
        int[]? labels = Labels is null ? null : new int[count];
        int target = 0;
        for (int row = 0; row < Rows; row++)
        {
            if (Incomplete[row])
                continue;
            Row(row).CopyTo(values[target >> shift].AsSpan((target & mask) * Columns, Columns));
            if (weights is not null)
                weights[target] = Weights![row];
            if (labels is not null)
                labels[target] = Labels![row];
            target++;
        }
        return new DataMatrix(AsMemory(values), shift, count, Columns, weights) { Labels = labels };
    }

    /// <summary>
    /// The weighted variance of each column about its weighted mean (divided by the total
    /// weight), for data without missing entries: one pass for the means, one for the squares.
    /// </summary>
    internal double[] WeightedColumnVariances()
    {
        double[] mean = WeightedMean();
        var square = new double[Columns];
        for (int row = 0; row < Rows; row++)
        {
            double w = Weight(row);
            ReadOnlySpan<float> x = Row(row);
            for (int j = 0; j < Columns; j++)
            {
                double diff = x[j] - mean[j];
                square[j] += w * diff * diff;
            }
        }
        for (int j = 0; j < Columns; j++)
            square[j] /= TotalWeight;
        return square;
    }

    /// <summary>The weighted mean of every column, d values (observed values only where missing).</summary>
    public double[] WeightedMean()
    {
        var sums = new double[Columns];
        var weights = new double[Columns];
        for (int row = 0; row < Rows; row++)
        {
            double w = Weight(row);
            ReadOnlySpan<float> x = Row(row);
            for (int j = 0; j < Columns; j++)
            {
                if (float.IsNaN(x[j]))
                    continue;
                sums[j] += w * x[j];
                weights[j] += w;
            }
        }
        for (int j = 0; j < Columns; j++)
            sums[j] = weights[j] > 0 ? sums[j] / weights[j] : 0;
        return sums;
    }

    /// <summary>One zero row of weight 0: a placeholder for a device that needs a row to launch.</summary>
    public static DataMatrix Placeholder(int columns) => new(new float[columns], 1, columns, [0f]);

    /// <summary>
    /// A copy with every missing entry replaced by its column's (weighted) observed mean, for
    /// starting points and data-derived defaults; this data itself when nothing is missing.
    /// </summary>
    public DataMatrix ImputeColumnMeans()
    {
        if (Incomplete is null)
            return this;
        double[] means = WeightedMean();
        var copy = new float[_segments.Length][];
        for (int segment = 0; segment < copy.Length; segment++)
        {
            copy[segment] = _segments[segment].ToArray();
            for (int i = 0; i < copy[segment].Length; i++)
                if (float.IsNaN(copy[segment][i]))
                    copy[segment][i] = (float)means[i % Columns];
        }
        return new DataMatrix(AsMemory(copy), _shift, Rows, Columns, Weights) { Labels = Labels };
    }

    /// <summary>Copies a 2-D array (the copy is row-major and private) and validates it.</summary>
    public static DataMatrix From(float[,] data, float[]? weights, string name = "data")
    {
        return From(Copy(data, name), data.GetLength(0), data.GetLength(1), weights, name);
    }

    // A private row-major copy of a 2-D array.
    private static float[] Copy(float[,] data, string name)
    {
        ArgumentNullException.ThrowIfNull(data, name);
        var copy = new float[data.Length];
        if (copy.Length > 0)
            MemoryMarshal.CreateReadOnlySpan(ref data[0, 0], copy.Length).CopyTo(copy);
        return copy;
    }

    /// <summary>Wraps row-major memory (not copied: it is only read) and validates it.</summary>
    public static DataMatrix From(
        ReadOnlyMemory<float> data, int rows, int columns, float[]? weights, string name = "data")
    {
        CheckShape(data, rows, columns, name);
        return new DataMatrix(data, rows, columns, null).Validated(weights, MissingValues.Error, false, name);
    }

    /// <summary>Throws when the dimension differs from the one the model was fitted on.</summary>
    public DataMatrix RequireColumns(int expected)
    {
        if (Columns != expected)
            throw new ArgumentException(
                $"The data has {Columns} columns but the model was fitted on {expected}.", "data");
        return this;
    }

    private static void CheckShape(ReadOnlyMemory<float> data, int rows, int columns, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (rows == 0 || columns == 0)
            throw new ArgumentException($"The {name} is empty ({rows} × {columns}); it needs at least one row and one column.", name);
        if ((long)rows * columns != data.Length)
            throw new ArgumentException(
                $"The {name} holds {data.Length} values, but {rows} rows × {columns} columns need {(long)rows * columns}.", name);
    }

    // Blocks of 2²⁰ values are checked in parallel (x − x is 0 exactly when x is finite); the
    // error names the first bad value of the first bad block, as a sequential scan would.
    private static void CheckFinite(ReadOnlyMemory<float> values, long firstRow, int columns, string name)
    {
        const int BlockValues = 1 << 20;
        int blocks = (values.Length + BlockValues - 1) / BlockValues;
        int firstBad = int.MaxValue;
        Parallel.For(0, blocks, block =>
        {
            ReadOnlySpan<float> span = values.Span.Slice(block * BlockValues, Math.Min(BlockValues, values.Length - block * BlockValues));
            if (AllFinite(span))
                return;
            int current;
            while (block < (current = Volatile.Read(ref firstBad))
                && Interlocked.CompareExchange(ref firstBad, block, current) != current)
            {
            }
        });
        if (firstBad == int.MaxValue)
            return;
        ReadOnlySpan<float> bad = values.Span.Slice(firstBad * BlockValues);
        for (int i = 0; i < bad.Length; i++)
        {
            if (!float.IsFinite(bad[i]))
            {
                long index = (long)firstBad * BlockValues + i;
                throw new ArgumentException(
                    $"The {name} holds {bad[i]} at row {firstRow + index / columns}, column {index % columns} (zero-based); " +
                    "every value must be finite. Remove or impute that entry.", name);
            }
        }
    }

    private static bool AllFinite(ReadOnlySpan<float> values)
    {
        var zero = System.Numerics.Vector<float>.Zero;
        int width = System.Numerics.Vector<float>.Count;
        int i = 0;
        var finite = System.Numerics.Vector<int>.AllBitsSet;
        for (; i + width <= values.Length; i += width)
        {
            var v = new System.Numerics.Vector<float>(values.Slice(i, width));
            finite &= System.Numerics.Vector.Equals(v - v, zero);
        }
        if (finite != System.Numerics.Vector<int>.AllBitsSet)
            return false;
        for (; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                return false;
        return true;
    }

    private static float[] CheckWeights(float[] weights, int rows)
    {
        if (weights.Length != rows)
            throw new ArgumentException(
                $"There are {weights.Length} sample weights for {rows} rows; give one weight per row.", nameof(weights));
        double total = 0;
        for (int i = 0; i < weights.Length; i++)
        {
            float w = weights[i];
            if (!float.IsFinite(w) || w < 0)
                throw new ArgumentException(
                    $"Sample weight {w} at row {i} is invalid; weights must be finite and non-negative.", nameof(weights));
            total += w;
        }
        if (total <= 0)
            throw new ArgumentException("The sample weights are all zero; at least one must be positive.", nameof(weights));
        return (float[])weights.Clone();
    }
}
