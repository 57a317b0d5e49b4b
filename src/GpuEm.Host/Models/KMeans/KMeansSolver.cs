using GpuEm.Data;
using GpuEm.Em;

namespace GpuEm.Models.KMeans;

/// <summary>
/// Binds a k-means engine to the EM driver. Objective: −inertia (progress reports show the
/// inertia itself). Change: the squared Frobenius
/// norm of the centre shift over the mean per-column variance of the data (scikit-learn's
/// scaled tolerance); converged when it is ≤ the tolerance, so unchanged labels always stop.
/// A cluster left empty is re-seeded with the point of largest w·‖x − c‖² not used yet (as
/// scikit-learn) and reported through the progress.
/// </summary>
internal sealed class KMeansSolver(
    IKMeansEngine engine, DataMatrix data, double meanVariance, IProgress<FitProgress>? progress)
    : IEmSolver<KMeansParameters, KMeansStatistics>
{
    public int Reseeded { get; private set; }

    public (KMeansStatistics Statistics, double Objective) Expect(KMeansParameters parameters)
    {
        KMeansStatistics stats = engine.Expect(parameters);
        return (stats, -stats.Inertia);
    }

    public KMeansParameters Maximize(KMeansStatistics statistics, KMeansParameters current)
    {
        var empty = new List<int>();
        double[] centres = KMeansMStep.Maximize(statistics, empty);
        if (empty.Count > 0)
        {
            float[] distances = engine.Distances();
            int[] farthest = Enumerable.Range(0, distances.Length)
                .OrderByDescending(i => distances[i]).ThenBy(i => i)
                .Take(empty.Count).ToArray();
            for (int e = 0; e < empty.Count && e < farthest.Length; e++)
            {
                ReadOnlySpan<float> row = data.Row(farthest[e]);
                for (int j = 0; j < current.D; j++)
                    centres[empty[e] * current.D + j] = row[j];
                Reseeded++;
                progress?.Report(new FitProgress(0, 0, double.NaN, double.NaN, TimeSpan.Zero,
                    $"Cluster {empty[e]} became empty; re-seeded with point {farthest[e]}, the farthest from its centre."));
            }
        }
        return current with { Centres = centres };
    }

    public double Change(
        KMeansParameters previous, double previousObjective, KMeansParameters next, KMeansStatistics nextStatistics,
        double nextObjective)
    {
        // No label moved in the E-step at the new centres: the next M-step would leave them put.
        if (nextStatistics.ChangedLabels == 0)
            return 0;
        double shift = 0;
        for (int i = 0; i < next.Centres.Length; i++)
        {
            double diff = next.Centres[i] - previous.Centres[i];
            shift += diff * diff;
        }
        return meanVariance > 0 ? shift / meanVariance : shift;
    }

    public bool IsConverged(double change, double tolerance) => change <= tolerance;

    /// <summary>Reports show the inertia, as the model does (the driver maximizes −inertia).</summary>
    public string ObjectiveName => "inertia";

    /// <summary>The inertia, positive: minus the driver's objective.</summary>
    public double Reported(double objective) => -objective;
}
