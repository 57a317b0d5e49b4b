using System.Text.Json;
using GpuEm.Em;

namespace GpuEm.Persistence;

/// <summary>
/// The fields of a <see cref="FitSummary"/> in a model file, the same in every format: the
/// history under the model's own name (e.g. "logLikelihoodHistory", "inertiaHistory"), then
/// converged, cancelled, iterations, backend, device and seconds (optional on reading: files
/// written before it was recorded load with 0), then eSteps when known (optional likewise). A
/// history entry of −∞ is stored as null.
/// </summary>
internal static class FitSummaryFields
{
    /// <summary>Writes the history (an entry of −∞, a start of zero prior probability under MAP-EM,
    /// as null: JSON has no infinities) and the summary's fields.</summary>
    public static void Write(Utf8JsonWriter w, FitSummary summary, string historyName, IEnumerable<double> history)
    {
        w.WriteStartArray(historyName);
        foreach (double value in history)
        {
            if (double.IsNegativeInfinity(value))
                w.WriteNullValue();
            else
                w.WriteNumberValue(value);
        }
        w.WriteEndArray();
        summary.WriteTo(w);
        if (summary.EStepsRun > 0)
            w.WriteNumber("eSteps", summary.EStepsRun);
    }

    /// <summary>Reads the summary; <paramref name="toObjective"/> maps the stored history to the
    /// objective history (identity for most models; k-means stores the inertia).</summary>
    public static FitSummary Read(ModelDocument.Reader r, string historyName, Func<double, double>? toObjective = null)
    {
        double[] history = r.Doubles(historyName, -1, nullIsNegativeInfinity: true);
        if (history.Length == 0)
            throw r.Fail($"has an empty {historyName}");
        int iterations = r.Int("iterations");
        if (iterations < 0 || iterations != history.Length - 1)
            throw r.Fail($"has iterations {iterations} but {history.Length} history entries (iterations + 1 expected)");
        double seconds = r.Has("seconds") ? r.Double("seconds") : 0;
        if (seconds < 0)
            throw r.Fail($"has seconds {seconds}; it must be ≥ 0");
        long eSteps = 0;
        if (r.Has("eSteps"))
        {
            JsonElement e = r.Field("eSteps");
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt64(out eSteps))
                throw r.Fail("field 'eSteps' is not a whole number");
            if (eSteps < iterations + 1)
                throw r.Fail($"has eSteps {eSteps}; it must be at least iterations + 1 ({iterations + 1})");
        }
        return new FitSummary(
            iterations, r.Bool("converged"), r.Bool("cancelled"),
            toObjective is null ? history : history.Select(toObjective).ToArray(),
            r.Enum<Backend>("backend"), r.String("device"), seconds)
        { EStepsRun = eSteps };
    }
}
