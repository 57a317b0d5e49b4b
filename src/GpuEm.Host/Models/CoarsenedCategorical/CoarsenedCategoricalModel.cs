using System.Text.Json;
using GpuEm.Em;
using GpuEm.Persistence;

namespace GpuEm.Models.CoarsenedCategorical;

/// <summary>
/// A fitted coarsened categorical model: immutable; array properties return copies. It keeps its
/// table (coefficients and groups), so a model file alone can score new observations.
/// </summary>
public sealed class CoarsenedCategoricalModel : FittedModel
{
    /// <summary>The <c>format</c> of its model file.</summary>
    public const string FormatName = "gpuem.coarsened-categorical";

    private readonly double[] _theta;
    private readonly double[] _probabilities;
    private readonly double[] _expectedCounts;

    internal CoarsenedCategoricalModel(
        CoarsenedTable table, double[] theta, double[] expectedCounts, double totalCount, FitSummary summary)
        : base(summary)
    {
        Table = table;
        _theta = theta;
        _probabilities = table.Probabilities(theta);
        _expectedCounts = expectedCounts;
        TotalCount = totalCount;
    }

    internal CoarsenedTable Table { get; }

    /// <inheritdoc/>
    public override string Format => FormatName;

    /// <inheritdoc/>
    public override string Kind => "coarsened categorical table";

    /// <summary>The coefficient a_c of every cell (C values), as the options gave them.</summary>
    public double[] Coefficients => (double[])Table.Coefficients.Clone();

    /// <summary>The group g(c) of every cell (C values).</summary>
    public int[] Groups => (int[])Table.Groups.Clone();

    /// <summary>Cells C.</summary>
    public int CellCount => _probabilities.Length;

    /// <summary>Groups G.</summary>
    public int GroupCount => _theta.Length;

    /// <summary>The fitted θ, G values ≥ 0 with Σ_c a_c θ_{g(c)} = 1.</summary>
    public double[] GroupParameters => (double[])_theta.Clone();

    /// <summary>The fitted cell probabilities p_c = a_c · θ_{g(c)}, C values summing to 1.</summary>
    public double[] CellProbabilities => (double[])_probabilities.Clone();

    /// <summary>
    /// The E-step at the fitted θ: the expected count of every cell, each observation's count
    /// split over its cells in proportion to p_c (C values summing to <see cref="TotalCount"/>).
    /// </summary>
    public double[] ExpectedCellCounts => (double[])_expectedCounts.Clone();

    /// <summary>The sum of the observations' counts, N.</summary>
    public double TotalCount { get; }

    /// <summary>The observed-data log-likelihood Σ_o count_o · ln Σ_{c∈o} p_c at the fitted θ
    /// (without the multinomial coefficient, which does not depend on θ).</summary>
    public double LogLikelihood => Summary.Objective;

    /// <summary>The log-likelihood at the start, then after each iteration; never decreases.</summary>
    public IReadOnlyList<double> LogLikelihoodHistory => Summary.ObjectiveHistory;

    /// <summary>
    /// The log-likelihood Σ_o count_o · ln Σ_{c∈o} p_c of other observations under the fitted
    /// cell probabilities (−∞ when a positive count falls on cells of probability 0).
    /// </summary>
    /// <param name="observations">Observations of this table's cells, checked as a fit checks them.</param>
    /// <returns>The total log-likelihood.</returns>
    public double Score(IEnumerable<CoarsenedObservation> observations)
    {
        CoarsenedData data = CoarsenedData.Validate(Table, observations, _probabilities);
        return CoarsenedEStep.Expect(Table, data, new CoarsenedParameters(_theta)).LogLikelihood;
    }

    /// <summary>Writes the model file (format "gpuem.coarsened-categorical") to a stream (left open).</summary>
    /// <param name="stream">The target.</param>
    public override void Save(Stream stream) => CoarsenedCategoricalCodec.Write(this, stream);

    /// <summary>Reads a model written by <see cref="FittedModel.Save(string)"/>; the round trip is exact.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelFormatException">Corrupt file, another format, a newer version.</exception>
    public static CoarsenedCategoricalModel Load(string path) => ModelDocument.Load(path, CoarsenedCategoricalCodec.Read);

    /// <summary>Reads a model from a stream.</summary>
    /// <param name="stream">The source.</param>
    /// <returns>The model.</returns>
    public static CoarsenedCategoricalModel Load(Stream stream) => CoarsenedCategoricalCodec.Read(stream, "(stream)");

    /// <inheritdoc/>
    public override void Describe(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("cells", CellCount);
        writer.WriteNumber("groups", GroupCount);
        writer.WriteNumber("totalCount", TotalCount);
        writer.WriteNumber("logLikelihood", LogLikelihood);
        ModelDocument.WriteArray(writer, "groupParameters", _theta);
        ModelDocument.WriteArray(writer, "cellProbabilities", _probabilities);
    }
}
