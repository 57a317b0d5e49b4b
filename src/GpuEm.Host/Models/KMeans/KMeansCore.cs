using GpuEm.Engines;
namespace GpuEm.Models.KMeans;

/// <summary>Centres, row-major k × d, float64. Immutable by convention (never written after creation).</summary>
internal sealed record KMeansParameters(int K, int D, double[] Centres);

/// <summary>
/// Sufficient statistics of a Lloyd step, taken around the current centres c:
/// W_k = Σ w over the points of cluster k and S_k = Σ w (x − c_k); plus the inertia Σ w‖x − c‖².
/// Statistics over disjoint chunks add up.
/// </summary>
internal sealed class KMeansStatistics(int k, int d, double[] shifts)
{
    public int K { get; } = k;

    public int D { get; } = d;

    public double[] Shifts { get; } = shifts;

    public double[] Counts { get; } = new double[k];

    public double[] Sums { get; } = new double[k * d];

    public double Inertia { get; set; }

    /// <summary>Points whose label differs from the previous assignment (all of them the first time).</summary>
    public long ChangedLabels { get; set; }

    public void Add(KMeansStatistics other)
    {
        ChangedLabels += other.ChangedLabels;
        for (int i = 0; i < Counts.Length; i++)
            Counts[i] += other.Counts[i];
        for (int i = 0; i < Sums.Length; i++)
            Sums[i] += other.Sums[i];
        Inertia += other.Inertia;
    }

    public void Clear()
    {
        Array.Clear(Counts);
        Array.Clear(Sums);
        Inertia = 0;
        ChangedLabels = 0;
    }
}

/// <summary>
/// The engine operation of k-means: assign every point to its nearest centre (lowest index on
/// ties) and accumulate the statistics. Keeps the labels and weighted squared distances of the
/// last call for the final labels and for re-seeding empty clusters.
/// </summary>
internal interface IKMeansEngine : IEmEngine<KMeansParameters, KMeansStatistics>
{
    /// <summary>Labels of the last E-step.</summary>
    int[] Labels();

    /// <summary>Weighted squared distances w·‖x − c‖² of the last E-step.</summary>
    float[] Distances();

    /// <summary>Greedy k-means++ seeding with this engine's distances; centres k × d.</summary>
    double[] SeedKMeansPlusPlus(int k, Random random);
}

/// <summary>The M-step of k-means: each centre moves to the weighted mean of its points.</summary>
internal static class KMeansMStep
{
    /// <summary>New centres; clusters with no weight are listed in <paramref name="empty"/> and keep their centre.</summary>
    public static double[] Maximize(KMeansStatistics stats, List<int> empty)
    {
        int d = stats.D;
        var centres = new double[stats.K * d];
        for (int c = 0; c < stats.K; c++)
        {
            double count = stats.Counts[c];
            if (count <= 0)
                empty.Add(c);
            for (int j = 0; j < d; j++)
            {
                int index = c * d + j;
                centres[index] = stats.Shifts[index] + (count > 0 ? stats.Sums[index] / count : 0);
            }
        }
        return centres;
    }
}
