using GpuEm.Data;

namespace GpuEm.Models;

/// <summary>
/// Where k-means++ keeps its per-point distances: host arrays (reference) or device buffers
/// (accelerator). A slot holds w·D² for every point.
/// </summary>
internal interface ISeedingSpace
{
    /// <summary>Slot <paramref name="to"/> = min(slot <paramref name="from"/>, w·‖x − x_candidate‖²)
    /// (from −1: no centre yet); returns Σ of the new slot.</summary>
    double Trial(int candidateRow, int from, int to);

    /// <summary>Prefix sums of a slot, in float64, into <paramref name="cumulative"/>.</summary>
    void Prefix(int slot, double[] cumulative);
}

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
    public static double[] KMeansPlusPlus(DataMatrix data, int k, Random random) =>
        KMeansPlusPlus(data, k, random, new HostSpace(data));

    /// <summary>
    /// Greedy k-means++ (Arthur and Vassilvitskii; scikit-learn's variant): the first centre is
    /// drawn by weight; each next one is the best of 2 + ⌊ln k⌋ candidates drawn with probability
    /// ∝ w·D², the candidate that lowers the potential Σ w·D² most (the first on ties).
    /// </summary>
    /// <returns>Centres, row-major k × d.</returns>
    public static double[] KMeansPlusPlus(DataMatrix data, int k, Random random, ISeedingSpace space)
    {
        int d = data.Columns;
        int trials = 2 + (int)Math.Log(k);
        var centres = new double[k * d];
        var cumulative = new double[data.Rows];
        int closest = 0;
        int best = 1;
        int scratch = 2;

        int first = DrawByWeight(data, random);
        CopyRow(data, first, centres, 0);
        double potential = space.Trial(first, -1, closest);
        for (int c = 1; c < k; c++)
        {
            space.Prefix(closest, cumulative);
            double bestPotential = double.PositiveInfinity;
            int chosen = -1;
            for (int t = 0; t < trials; t++)
            {
                int index = potential > 0
                    ? Search(cumulative, random.NextDouble() * cumulative[^1])
                    : DrawByWeight(data, random);
                double candidatePotential = space.Trial(index, closest, scratch);
                if (candidatePotential < bestPotential)
                {
                    bestPotential = candidatePotential;
                    chosen = index;
                    (best, scratch) = (scratch, best);
                }
            }
            CopyRow(data, chosen, centres, c * d);
            (closest, best) = (best, closest);
            potential = bestPotential;
        }
        return centres;
    }

    /// <summary>k distinct rows of positive weight, drawn by weight.</summary>
    public static double[] RandomPoints(DataMatrix data, int k, Random random)
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
    private sealed class HostSpace(DataMatrix data) : ISeedingSpace
    {
        private readonly double[][] _slots = { new double[data.Rows], new double[data.Rows], new double[data.Rows] };

        public double Trial(int candidateRow, int from, int to)
        {
            var candidate = new double[data.Columns];
            CopyRow(data, candidateRow, candidate, 0);
            double[] target = _slots[to];
            double[]? source = from < 0 ? null : _slots[from];
            ForChunks(data.Rows, row =>
            {
                double distance = data.Weight(row) * SquaredDistance(data.Row(row), candidate);
                target[row] = source is not null && source[row] < distance ? source[row] : distance;
            });
            double sum = 0;
            foreach (double v in target)
                sum += v;
            return sum;
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
    }
}
