using GpuEm.Persistence;

namespace GpuEm.Models.KMeans;

/// <summary>
/// The model file of k-means (format "gpuem.kmeans", version 1): k, d, centres (k × d,
/// row-major), the training labels, inertia and its history, and the fit's flags.
/// </summary>
internal static class KMeansCodec
{
    public static void Write(KMeansModel model, Stream stream) =>
        ModelDocument.Write(stream, ModelFile.KMeansFormat, w =>
        {
            w.WriteNumber("clusterCount", model.ClusterCount);
            w.WriteNumber("dimension", model.Dimension);
            ModelDocument.WriteArray(w, "centres", model.Parameters.Centres);
            ModelDocument.WriteArray(w, "labels", model.Labels);
            w.WriteNumber("inertia", model.Inertia);
            ModelDocument.WriteArray(w, "inertiaHistory", model.InertiaHistory);
            w.WriteBoolean("converged", model.Converged);
            w.WriteBoolean("cancelled", model.Cancelled);
            w.WriteNumber("iterations", model.Iterations);
            w.WriteNumber("reseededClusters", model.ReseededClusters);
            w.WriteString("backend", model.Backend.ToString());
            w.WriteString("device", model.DeviceName);
        });

    public static KMeansModel Read(Stream stream, string source) =>
        ModelDocument.Read(stream, source, ModelFile.KMeansFormat, Read);

    private static KMeansModel Read(ModelDocument.Reader r)
    {
        int k = r.Int("clusterCount");
        int d = r.Int("dimension");
        if (k < 1 || d < 1)
            throw r.Fail($"has clusterCount {k} and dimension {d}; both must be ≥ 1");
        double[] centres = r.Doubles("centres", k * d);
        int[] labels = r.Ints("labels", -1);
        if (labels.Any(l => l < 0 || l >= k))
            throw r.Fail($"has a label outside [0, {k})");
        return new KMeansModel(
            new KMeansParameters(k, d, centres), labels, r.Double("inertia"), r.Doubles("inertiaHistory", -1),
            r.Bool("converged"), r.Int("iterations"), r.Bool("cancelled"), r.Int("reseededClusters"),
            r.Enum<Backend>("backend"), r.String("device"));
    }
}
