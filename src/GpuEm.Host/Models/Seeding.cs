using GpuEm.Data;

namespace GpuEm.Models;

/// <summary>
/// Choosing k data points as starting centres (shared by mixtures and k-means), on the host in
/// float64. Sample weights act as multiplicities.
/// </summary>
internal static class Seeding
{
    /// <summary>
    /// Greedy k-means++ (Arthur and Vassilvitskii; scikit-learn's variant): the first centre is
    /// drawn by weight; each next one is the best of 2 + ⌊ln k⌋ candidates drawn with probability
    /// ∝ w·D², the candidate that lowers the potential Σ w·D² most.
    /// </summary>
    /// <returns>Centres, row-major k × d.</returns>
    public static double[] KMeansPlusPlus(DataMatrix data, int k, Random random)
    {
        int n = data.Rows;
        int d = data.Columns;
        int trials = 2 + (int)Math.Log(k);
        var centres = new double[k * d];
        var closest = new double[n];
        var cumulative = new double[n];

        int first = DrawByWeight(data, random);
        CopyRow(data, first, centres, 0);
        SquaredDistances(data, centres.AsSpan(0, d), closest);
        var candidateDistances = new double[n];
        var bestDistances = new double[n];
        for (int c = 1; c < k; c++)
        {
            double potential = Prefix(data, closest, cumulative);
            double bestPotential = double.PositiveInfinity;
            int best = -1;
            var candidate = new double[d];
            for (int t = 0; t < trials; t++)
            {
                int index = potential > 0
                    ? Search(cumulative, random.NextDouble() * potential)
                    : DrawByWeight(data, random);
                CopyRow(data, index, candidate, 0);
                SquaredDistances(data, candidate, candidateDistances);
                double candidatePotential = 0;
                for (int i = 0; i < n; i++)
                {
                    candidateDistances[i] = Math.Min(candidateDistances[i], closest[i]);
                    candidatePotential += data.Weight(i) * candidateDistances[i];
                }
                if (candidatePotential < bestPotential)
                {
                    bestPotential = candidatePotential;
                    best = index;
                    (bestDistances, candidateDistances) = (candidateDistances, bestDistances);
                }
            }
            CopyRow(data, best, centres, c * d);
            (closest, bestDistances) = (bestDistances, closest);
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
        Parallel.For(0, (data.Rows + 4095) / 4096, chunk =>
        {
            int end = Math.Min(data.Rows, (chunk + 1) * 4096);
            for (int row = chunk * 4096; row < end; row++)
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
            }
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

    private static void SquaredDistances(DataMatrix data, ReadOnlySpan<double> centre, double[] output)
    {
        double[] c = centre.ToArray();
        Parallel.For(0, (data.Rows + 4095) / 4096, chunk =>
        {
            int end = Math.Min(data.Rows, (chunk + 1) * 4096);
            for (int row = chunk * 4096; row < end; row++)
                output[row] = SquaredDistance(data.Row(row), c);
        });
    }

    private static double Prefix(DataMatrix data, double[] distances, double[] cumulative)
    {
        double sum = 0;
        for (int i = 0; i < distances.Length; i++)
        {
            sum += data.Weight(i) * distances[i];
            cumulative[i] = sum;
        }
        return sum;
    }

    // The first index whose cumulative sum exceeds target.
    private static int Search(double[] cumulative, double target)
    {
        int index = Array.BinarySearch(cumulative, target);
        index = index < 0 ? ~index : index + 1;
        return Math.Min(index, cumulative.Length - 1);
    }

    private static int DrawByWeight(DataMatrix data, Random random)
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

    private static void CopyRow(DataMatrix data, int row, double[] target, int offset)
    {
        ReadOnlySpan<float> x = data.Row(row);
        for (int j = 0; j < x.Length; j++)
            target[offset + j] = x[j];
    }
}
