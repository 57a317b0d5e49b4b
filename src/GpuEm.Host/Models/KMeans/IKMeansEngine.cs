using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.KMeans;

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

    /// <summary>Greedy k-means++ seeding with this engine's distances; centres k × d. Reports
    /// the centres chosen to <paramref name="progress"/> (optional) and ends its phase.</summary>
    double[] SeedKMeansPlusPlus(int k, Random random, PhaseProgress? progress = null);
}
