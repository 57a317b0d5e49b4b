namespace GpuEm.Models.KMeans;

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
