using GpuEm.Em;
using GpuEm.Persistence;

namespace GpuEm.Models.CoarsenedCategorical;

/// <summary>
/// The model file of a coarsened categorical model (format "gpuem.coarsened-categorical",
/// version 1): the table (coefficients a_c and groups g(c), C values each), the fitted group
/// parameters θ (G values), the expected cell counts at θ (C values), totalCount, and the fit
/// summary (logLikelihoodHistory: total log-likelihoods, converged, cancelled, iterations,
/// backend, device, seconds). The cell probabilities are recomputed as a_c · θ_{g(c)}, exactly
/// as the fit computed them.
/// </summary>
internal static class CoarsenedCategoricalCodec
{
    public static void Write(CoarsenedCategoricalModel model, Stream stream) =>
        ModelDocument.Write(stream, CoarsenedCategoricalModel.FormatName, w =>
        {
            ModelDocument.WriteArray(w, "coefficients", model.Table.Coefficients);
            ModelDocument.WriteArray(w, "groups", model.Table.Groups);
            ModelDocument.WriteArray(w, "groupParameters", model.GroupParameters);
            ModelDocument.WriteArray(w, "expectedCellCounts", model.ExpectedCellCounts);
            w.WriteNumber("totalCount", model.TotalCount);
            FitSummaryFields.Write(w, model.Summary, "logLikelihoodHistory", model.Summary.ObjectiveHistory);
        });

    public static CoarsenedCategoricalModel Read(Stream stream, string source) =>
        ModelDocument.Read(stream, source, CoarsenedCategoricalModel.FormatName, Read);

    private static CoarsenedCategoricalModel Read(ModelDocument.Reader r)
    {
        double[] coefficients = r.Doubles("coefficients", -1);
        int[] groups = r.Ints("groups", coefficients.Length);
        CoarsenedTable table;
        try
        {
            // The options' own checks: every coefficient finite and ≥ 0, groups 0 … G − 1 each
            // with a positive coefficient.
            new CoarsenedCategoricalOptions { Coefficients = coefficients, Groups = groups }.Validate();
            table = new CoarsenedTable(coefficients, groups);
        }
        catch (ArgumentException ex)
        {
            throw r.Fail($"holds an invalid table: {ex.Message}");
        }
        double[] theta = r.Doubles("groupParameters", table.GroupCount);
        if (theta.Any(v => v < 0))
            throw r.Fail("has a negative group parameter");
        double mass = table.Probabilities(theta).Sum();
        if (Math.Abs(mass - 1) > 1e-9)
            throw r.Fail($"has group parameters whose cell probabilities sum to {mass}, not 1");
        double[] expected = r.Doubles("expectedCellCounts", table.CellCount);
        if (expected.Any(v => v < 0))
            throw r.Fail("has a negative expected cell count");
        double total = r.Double("totalCount");
        if (!(total > 0))
            throw r.Fail($"has totalCount {total}; it must be positive");
        FitSummary summary = FitSummaryFields.Read(r, "logLikelihoodHistory");
        return new CoarsenedCategoricalModel(table, theta, expected, total, summary);
    }
}
