using GpuEm.Data;
using GpuEm.Engines;

namespace GpuEm.Models.KMeans;

/// <summary>Managed float64 k-means assignment on all cores (deterministic chunked reduction).</summary>
internal sealed class ReferenceKMeansEngine(DataMatrix data) : IKMeansEngine
{
    private readonly int[] _labels = Enumerable.Repeat(-1, data.Rows).ToArray();
    private readonly float[] _distances = new float[data.Rows];

    public Backend Backend => Backend.Reference;

    public string DeviceName => $"CPU reference (float64, {Environment.ProcessorCount} threads)";

    public KMeansStatistics Expect(KMeansParameters p)
    {
        var total = new KMeansStatistics(p.K, p.D, p.Centres);
        ChunkedReduction.Run(
            data.Rows,
            () => new KMeansStatistics(p.K, p.D, p.Centres),
            partial => partial.Clear(),
            (partial, start, end) => Accumulate(p, partial, start, end),
            total.Add);
        return total;
    }

    public int[] Labels() => (int[])_labels.Clone();

    public float[] Distances() => (float[])_distances.Clone();

    public double[] SeedKMeansPlusPlus(int k, Random random) => Seeding.KMeansPlusPlus(data, k, random);

    private void Accumulate(KMeansParameters p, KMeansStatistics partial, int start, int end)
    {
        int d = p.D;
        for (int row = start; row < end; row++)
        {
            ReadOnlySpan<float> x = data.Row(row);
            int label = 0;
            double best = double.PositiveInfinity;
            for (int c = 0; c < p.K; c++)
            {
                double distance = Seeding.SquaredDistance(x, p.Centres.AsSpan(c * d, d));
                if (distance < best)
                {
                    best = distance;
                    label = c;
                }
            }
            double w = data.Weight(row);
            if (_labels[row] != label)
                partial.ChangedLabels++;
            _labels[row] = label;
            _distances[row] = (float)(w * best);
            partial.Counts[label] += w;
            partial.Inertia += w * best;
            for (int j = 0; j < d; j++)
                partial.Sums[label * d + j] += w * (x[j] - p.Centres[label * d + j]);
        }
    }

    public void Dispose()
    {
    }
}
