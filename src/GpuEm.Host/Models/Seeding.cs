using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models;

/// <summary>
/// Choosing k data points as starting centres (shared by mixtures and k-means), in float64 on the
/// host or through an <see cref="ISeedingSpace"/>. Sample weights act as multiplicities.
/// </summary>
internal static class Seeding
{
    /// <summary>
    /// Uniform random responsibilities of one row, normalized; a generator seeded by (seed, row)
    /// gives the same values whatever the threads.
    /// </summary>
    public static void RandomResponsibilities(int seed, int row, Span<double> r)
    {
        ulong state = ((ulong)(uint)seed << 32) ^ (uint)row;
        double sum = 0;
        for (int c = 0; c < r.Length; c++)
        {
            r[c] = (SplitMix64(ref state) >> 11) * (1.0 / (1UL << 53));
            sum += r[c];
        }
        for (int c = 0; c < r.Length; c++)
            r[c] /= sum;
    }

    private static ulong SplitMix64(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Greedy k-means++ on the host (float64).</summary>
    public static double[] KMeansPlusPlus(DataMatrix data, int k, Random random, PhaseProgress? progress = null) =>
        KMeansPlusPlus(data, k, random, new HostSpace(data, KeepBudget()), progress);

    /// <summary>As <see cref="KMeansPlusPlus(DataMatrix, int, Random, PhaseProgress)"/>, keeping the candidates'
    /// minima (one pass per round) or not (two passes); the centres are the same.</summary>
    internal static double[] KMeansPlusPlus(DataMatrix data, int k, Random random, bool keepMinima) =>
        KMeansPlusPlus(data, k, random, new HostSpace(data, keepMinima ? long.MaxValue : 0));

    // Bytes the host space may spend on the candidates' minima: a quarter of what the GC says is
    // available (at 70 M rows and k = 8: 4 × 560 MB).
    private static long KeepBudget() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4;

    /// <summary>
    /// Greedy k-means++ (Arthur and Vassilvitskii; scikit-learn's variant): the first centre is
    /// drawn by weight; each next one is the best of 2 + ⌊ln k⌋ candidates drawn with probability
    /// ∝ w·D², the candidate that lowers the potential Σ w·D² most (the first on ties).
    /// </summary>
    /// <param name="data">The rows.</param>
    /// <param name="k">Centres to choose.</param>
    /// <param name="random">The draws.</param>
    /// <param name="space">Where the per-point distances live.</param>
    /// <param name="progress">Hears the share of centres chosen after each (throttled; one pass
    /// over the data per centre), and the phase's end. Optional; the centres do not depend on it.</param>
    /// <returns>Centres, row-major k × d.</returns>
    public static double[] KMeansPlusPlus(
        DataMatrix data, int k, Random random, ISeedingSpace space, PhaseProgress? progress = null)
    {
        int d = data.Columns;
        int trials = 2 + (int)Math.Log(k);
        var centres = new double[k * d];
        var cumulative = new double[data.Rows];
        int closest = 0;
        int best = 1;

        int first = DrawByWeight(data, random);
        CopyRow(data, first, centres, 0);
        double potential = space.Trial(first, -1, closest);
        for (int c = 1; c < k; c++)
        {
            space.Prefix(closest, cumulative);
            // Every candidate is drawn from the same distribution (the current minima), so all are
            // drawn first and scored in one pass; the winner's minima are then kept.
            var candidates = new int[trials];
            for (int t = 0; t < trials; t++)
                candidates[t] = potential > 0
                    ? Search(cumulative, random.NextDouble() * cumulative[^1])
                    : DrawByWeight(data, random);
            double[] potentials = space.Potentials(candidates, closest);
            int chosen = 0;
            for (int t = 1; t < trials; t++)
                if (potentials[t] < potentials[chosen])
                    chosen = t;
            CopyRow(data, candidates[chosen], centres, c * d);
            potential = space.Keep(chosen, best);
            (closest, best) = (best, closest);
            progress?.Report((double)(c + 1) / k);
        }
        progress?.Done();
        return centres;
    }

    /// <summary>k distinct rows of positive weight, drawn by weight; ends the
    /// <paramref name="progress"/> phase (optional) when drawn.</summary>
    public static double[] RandomPoints(DataMatrix data, int k, Random random, PhaseProgress? progress = null)
    {
        int d = data.Columns;
        var chosen = new HashSet<int>();
        var centres = new double[k * d];
        int positive = data.Weights is null ? data.Rows : data.Weights.Count(w => w > 0);
        if (positive < k)
            throw new ArgumentException(
                $"Only {positive} points have a positive weight; RandomPoints needs at least k = {k}.");
        while (chosen.Count < k)
        {
            int index = data.Weights is null ? random.Next(data.Rows) : DrawByWeight(data, random);
            if (chosen.Add(index))
                CopyRow(data, index, centres, (chosen.Count - 1) * d);
        }
        progress?.Done();
        return centres;
    }

    /// <summary>The index of the nearest centre (lowest index on ties) for every row.</summary>
    public static int[] NearestCentre(DataMatrix data, double[] centres, int k)
    {
        int d = data.Columns;
        var labels = new int[data.Rows];
        ForChunks(data.Rows, row =>
        {
            ReadOnlySpan<float> x = data.Row(row);
            double best = double.PositiveInfinity;
            int label = 0;
            for (int c = 0; c < k; c++)
            {
                double distance = SquaredDistance(x, centres.AsSpan(c * d, d));
                if (distance < best)
                {
                    best = distance;
                    label = c;
                }
            }
            labels[row] = label;
        });
        return labels;
    }

    /// <summary>
    /// The weighted mean of each label's rows (k × d, float64, summed in row order; a label with
    /// no weight keeps zeros) and each label's weight. <paramref name="rows"/>: the rows that
    /// <paramref name="labels"/> label, in order, or null for every row.
    /// </summary>
    public static double[] LabelMeans(DataMatrix data, int[]? rows, int[] labels, int k, out double[] weights)
    {
        int d = data.Columns, count = rows?.Length ?? data.Rows;
        var sums = new double[k * d];
        weights = new double[k];
        for (int i = 0; i < count; i++)
        {
            int at = rows is null ? i : rows[i];
            double w = data.Weight(at);
            int c = labels[i];
            weights[c] += w;
            ReadOnlySpan<float> row = data.Row(at);
            for (int j = 0; j < d; j++)
                sums[c * d + j] += w * row[j];
        }
        for (int c = 0; c < k; c++)
        {
            if (weights[c] > 0)
            {
                for (int j = 0; j < d; j++)
                    sums[c * d + j] /= weights[c];
            }
        }
        return sums;
    }

    public static double SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<double> centre)
    {
        double sum = 0;
        for (int j = 0; j < centre.Length; j++)
        {
            double diff = x[j] - centre[j];
            sum += diff * diff;
        }
        return sum;
    }

    public static int DrawByWeight(DataMatrix data, Random random)
    {
        if (data.Weights is null)
            return random.Next(data.Rows);
        double target = random.NextDouble() * data.TotalWeight;
        double sum = 0;
        for (int i = 0; i < data.Rows; i++)
        {
            sum += data.Weights[i];
            if (sum > target)
                return i;
        }
        return Array.FindLastIndex(data.Weights, w => w > 0);
    }

    public static void CopyRow(DataMatrix data, int row, double[] target, int offset)
    {
        ReadOnlySpan<float> x = data.Row(row);
        for (int j = 0; j < x.Length; j++)
            target[offset + j] = x[j];
    }

    // The first index whose cumulative sum exceeds target.
    private static int Search(double[] cumulative, double target)
    {
        int index = Array.BinarySearch(cumulative, target);
        index = index < 0 ? ~index : index + 1;
        return Math.Min(index, cumulative.Length - 1);
    }

    private static void ForChunks(int rows, Action<int> body) =>
        Parallel.For(0, (rows + 4095) / 4096, chunk =>
        {
            int end = Math.Min(rows, (chunk + 1) * 4096);
            for (int row = chunk * 4096; row < end; row++)
                body(row);
        });

    /// <summary>Slots as host arrays of float64 w·D².</summary>
    // Host slots: two arrays of n doubles (the current minima and the winner's), and, within the
    // budget, one per candidate so that the winner's minima need no second pass. Passes run over
    // fixed chunks of 4,096 rows on all cores; sums add each chunk's rows in order, then the chunks
    // in order, so Trial and Potentials give the same number for the same candidate.
    private sealed class HostSpace(DataMatrix data, long keepBudget) : ISeedingSpace
    {
        private const int ChunkRows = 4096;
        private readonly double[][] _slots = { new double[data.Rows], new double[data.Rows] };
        private double[][] _kept = [];
        private int[] _lastRows = [];
        private int _lastFrom;
        private bool _lastKept;
        private double[] _lastPotentials = [];

        public double Trial(int candidateRow, int from, int to) =>
            Pass([candidateRow], from < 0 ? null : _slots[from], [_slots[to]])[0];

        public double[] Potentials(int[] candidateRows, int from)
        {
            int t = candidateRows.Length;
            _lastKept = (long)t * data.Rows * sizeof(double) <= keepBudget;
            if (_lastKept && _kept.Length < t)
                _kept = [.. _kept, .. Enumerable.Range(0, t - _kept.Length).Select(_ => new double[data.Rows])];
            (_lastRows, _lastFrom) = (candidateRows, from);
            _lastPotentials = Pass(candidateRows, _slots[from], _lastKept ? _kept : null);
            return _lastPotentials;
        }

        public double Keep(int winner, int to)
        {
            if (!_lastKept)
                return Trial(_lastRows[winner], _lastFrom, to);
            // The winner's minima were kept: its array becomes the slot (no copy, no pass).
            (_slots[to], _kept[winner]) = (_kept[winner], _slots[to]);
            return _lastPotentials[winner];
        }

        // One pass over the data: for each candidate i, min(source, w·‖x − x_i‖²) per row (source
        // null: no centre yet), written to targets[i] when targets is given, and its sum.
        private double[] Pass(int[] candidateRows, double[]? source, double[][]? targets)
        {
            int t = candidateRows.Length;
            var candidates = new double[t][];
            for (int i = 0; i < t; i++)
            {
                candidates[i] = new double[data.Columns];
                CopyRow(data, candidateRows[i], candidates[i], 0);
            }
            int chunks = (data.Rows + ChunkRows - 1) / ChunkRows;
            var sums = new double[chunks * t];
            Parallel.For(0, chunks, chunk =>
            {
                Span<double> x = data.Columns <= StackScratch.MaxDoubles
                    ? stackalloc double[data.Columns] : new double[data.Columns];
                Span<double> sum = t <= StackScratch.MaxDoubles ? stackalloc double[t] : new double[t];
                int end = Math.Min(data.Rows, (chunk + 1) * ChunkRows);
                for (int row = chunk * ChunkRows; row < end; row++)
                {
                    Widen(data.Row(row), x);
                    double w = data.Weight(row);
                    for (int i = 0; i < t; i++)
                    {
                        double distance = w * WideDistance(x, candidates[i]);
                        double value = source is not null && source[row] < distance ? source[row] : distance;
                        if (targets is not null)
                            targets[i][row] = value;
                        sum[i] += value;
                    }
                }
                sum.CopyTo(sums.AsSpan(chunk * t, t));
            });
            var potentials = new double[t];
            for (int i = 0; i < t; i++)
                potentials[i] = InOrder(sums, t, i);
            return potentials;
        }

        public void Prefix(int slot, double[] cumulative)
        {
            double sum = 0;
            double[] values = _slots[slot];
            for (int i = 0; i < values.Length; i++)
            {
                sum += values[i];
                cumulative[i] = sum;
            }
        }

        // Σ over chunks, in chunk order, of sums[chunk · stride + offset].
        private static double InOrder(double[] sums, int stride, int offset)
        {
            double total = 0;
            for (int i = offset; i < sums.Length; i += stride)
                total += sums[i];
            return total;
        }

        private static void Widen(ReadOnlySpan<float> x, Span<double> target)
        {
            for (int j = 0; j < x.Length; j++)
                target[j] = x[j];
        }

        // ‖x − c‖², four coordinates at a time.
        private static double WideDistance(ReadOnlySpan<double> x, ReadOnlySpan<double> c)
        {
            var sum = System.Runtime.Intrinsics.Vector256<double>.Zero;
            int j = 0;
            for (; j + 4 <= x.Length; j += 4)
            {
                var diff = System.Runtime.Intrinsics.Vector256.Create(x.Slice(j, 4))
                    - System.Runtime.Intrinsics.Vector256.Create(c.Slice(j, 4));
                sum = System.Runtime.Intrinsics.Vector256.FusedMultiplyAdd(diff, diff, sum);
            }
            double total = System.Runtime.Intrinsics.Vector256.Sum(sum);
            for (; j < x.Length; j++)
            {
                double diff = x[j] - c[j];
                total += diff * diff;
            }
            return total;
        }
    }
}
