namespace GpuEm.Models.KMeans;

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
