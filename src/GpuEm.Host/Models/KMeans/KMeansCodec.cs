using GpuEm.Em;
using GpuEm.Persistence;

namespace GpuEm.Models.KMeans;

/// <summary>
/// The model file of k-means (format "gpuem.kmeans", version 1): k, d, centres (k × d,
/// row-major), the training labels, inertia and its history, and the fit's flags.
/// </summary>
internal static class KMeansCodec
{
    public static void Write(KMeansModel model, Stream stream) =>
        ModelDocument.Write(stream, KMeansModel.FormatName, w =>
        {
            w.WriteNumber("clusterCount", model.ClusterCount);
            w.WriteNumber("dimension", model.Dimension);
            ModelDocument.WriteArray(w, "centres", model.Parameters.Centres);
            ModelDocument.WriteArray(w, "labels", model.Labels);
            w.WriteNumber("inertia", model.Inertia);
            w.WriteNumber("reseededClusters", model.ReseededClusters);
            FitSummaryFields.Write(w, model.Summary, "inertiaHistory", model.InertiaHistory);
        });

    public static KMeansModel Read(Stream stream, string source) =>
        ModelDocument.Read(stream, source, KMeansModel.FormatName, Read);

    private static KMeansModel Read(ModelDocument.Reader r)
    {
        (int k, int d) = r.Sizes("clusterCount", "dimension");
        double[] centres = r.Doubles("centres", r.Length("centres", k, d));
        int[] labels = r.Ints("labels", -1);
        if (labels.Any(l => l < 0 || l >= k))
            throw r.Fail($"has a label outside [0, {k})");
        double inertia = r.Double("inertia");
        if (inertia < 0)
            throw r.Fail($"has inertia {inertia}; it must be ≥ 0");
        int reseeded = r.Int("reseededClusters");
        if (reseeded < 0)
            throw r.Fail($"has reseededClusters {reseeded}; it must be ≥ 0");
        FitSummary summary = FitSummaryFields.Read(r, "inertiaHistory", inertiaValue => -inertiaValue);
        return new KMeansModel(new KMeansParameters(k, d, centres), labels, inertia, summary, reseeded);
    }
}
