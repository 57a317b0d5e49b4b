using System.Text.Json;
using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Models.GaussianMixture;
using GpuEm.Persistence;

namespace GpuEm.Models.CategoricalMixture;

/// <summary>
/// A fitted categorical mixture: immutable; array properties return copies. Predictions run on
/// the host in float64 and take data as the fit does (levels in [0, L_j), −1 for missing; from a
/// data source, whole numbers with −1 or NaN for missing).
/// </summary>
public sealed class CategoricalMixtureModel : FittedModel, IProbabilisticClusteringModel
{
    /// <summary>The <c>format</c> of its model file.</summary>
    public const string FormatName = "gpuem.categorical-mixture";

    internal CategoricalMixtureModel(CategoricalParameters parameters, FitSummary summary, double meanLogLikelihood, double trainingWeight)
        : base(summary)
    {
        Parameters = parameters;
        MeanLogLikelihood = meanLogLikelihood;
        TrainingWeight = trainingWeight;
    }

    internal CategoricalParameters Parameters { get; }

    /// <inheritdoc/>
    public override string Format => FormatName;

    /// <inheritdoc/>
    public override string Kind => "categorical mixture";

    int IClusteringModel.ClusterCount => ComponentCount;

    /// <summary>Components k.</summary>
    public int ComponentCount => Parameters.K;

    /// <summary>Features d.</summary>
    public int Dimension => Parameters.Layout.Features;

    /// <summary>L_j, the number of levels of each feature (d values).</summary>
    public int[] LevelCounts => (int[])Parameters.Layout.LevelCounts.Clone();

    /// <summary>Mixing weights, k values summing to 1.</summary>
    public double[] Weights => (double[])Parameters.Weights.Clone();

    /// <summary>
    /// Probabilities, k × d × max_j L_j: [k, j, l] = θ_kjl = P(x_j = l | component k) for l &lt; L_j
    /// (summing to 1 over l), 0 for l ≥ L_j.
    /// </summary>
    public double[,,] Probabilities
    {
        get
        {
            LevelLayout layout = Parameters.Layout;
            var result = new double[ComponentCount, Dimension, layout.LevelCounts.Max()];
            for (int c = 0; c < ComponentCount; c++)
                for (int j = 0; j < Dimension; j++)
                    for (int l = 0; l < layout.LevelCounts[j]; l++)
                        result[c, j, l] = Parameters.Probabilities[c * layout.Total + layout.Offsets[j] + l];
            return result;
        }
    }

    /// <summary>
    /// The observed-data log-likelihood of the training data at the fitted parameters, per
    /// (weighted) point, without the smoothing term: (1/W) Σ w_i log p(x_i), missing entries
    /// marginalized. Equal to <see cref="FittedModel.Objective"/> when Smoothing is 0. Taken from
    /// the fit's last E-step (no extra pass).
    /// </summary>
    /// <remarks>
    /// <see cref="FittedModel.ObjectiveHistory"/> is the objective the fit maximized, per
    /// (weighted) training point, at the start and after each iteration:
    /// (log-likelihood + α Σ_kjl log θ_kjl) / Σ w, with α the Smoothing. Never decreases.
    /// </remarks>
    public double MeanLogLikelihood { get; }

    /// <summary>Total (weighted) log-likelihood of the training data:
    /// <see cref="MeanLogLikelihood"/> × <see cref="TrainingWeight"/>.</summary>
    public double LogLikelihood => MeanLogLikelihood * TrainingWeight;

    /// <summary>Σ sample weights of the training data (n without weights).</summary>
    public double TrainingWeight { get; }

    /// <summary>Free parameters (k − 1 + k·Σ(L_j − 1)), for BIC and AIC.</summary>
    public long ParameterCount => CategoricalParameters.FreeParameterCount(ComponentCount, Parameters.Layout);

    /// <summary>The most probable component of each point.</summary>
    /// <param name="data">n × d levels (−1 = missing).</param>
    /// <returns>n labels in [0, k).</returns>
    public int[] Predict(int[,] data)
    {
        CategoricalData validated = Validate(data, null);
        return Posteriors.Labels(validated.Rows, ComponentCount, 0, LogJoint(validated));
    }

    /// <summary>Posterior probabilities p(k | x_observed), n × k.</summary>
    /// <param name="data">n × d levels (−1 = missing).</param>
    /// <returns>n × k probabilities; rows sum to 1.</returns>
    public double[,] PredictProba(int[,] data)
    {
        CategoricalData validated = Validate(data, null);
        return Posteriors.Probabilities(validated.Rows, ComponentCount, 0, LogJoint(validated));
    }

    /// <summary>log p(x_observed) of each point.</summary>
    /// <param name="data">n × d levels (−1 = missing).</param>
    /// <returns>n log-probabilities.</returns>
    public double[] ScoreSamples(int[,] data) => ScoreSamples(Validate(data, null));

    /// <summary>Mean log p(x_observed) per point (weighted when weights are given).</summary>
    /// <param name="data">n × d levels (−1 = missing).</param>
    /// <param name="sampleWeights">Optional weights.</param>
    /// <returns>The mean log-likelihood.</returns>
    public double Score(int[,] data, float[]? sampleWeights = null)
    {
        CategoricalData validated = Validate(data, sampleWeights);
        double[] scores = ScoreSamples(validated);
        double sum = 0;
        for (int i = 0; i < scores.Length; i++)
            sum += validated.Indicators.Weight(i) * scores[i];
        return sum / validated.TotalWeight;
    }

    /// <summary>Bayesian information criterion −2 log L + p ln n (lower is better).</summary>
    /// <param name="data">n × d levels (−1 = missing).</param>
    /// <returns>BIC.</returns>
    public double Bic(int[,] data)
    {
        double[] scores = ScoreSamples(data);
        return -2 * scores.Sum() + ParameterCount * Math.Log(scores.Length);
    }

    /// <summary>Akaike information criterion −2 log L + 2p (lower is better).</summary>
    /// <param name="data">n × d levels (−1 = missing).</param>
    /// <returns>AIC.</returns>
    public double Aic(int[,] data) => -2 * ScoreSamples(data).Sum() + 2.0 * ParameterCount;

    /// <summary>The most probable component of each row of a source (levels as whole numbers,
    /// −1 or NaN missing), read in chunks.</summary>
    /// <param name="source">n rows of d levels.</param>
    /// <returns>n labels in [0, k).</returns>
    public int[] Predict(IDataSource source)
    {
        RequireColumns(source);
        var labels = new int[checked((int)source.RowCount)];
        ForEachChunk(source, (first, chunk) => Predict(chunk).CopyTo(labels, first));
        return labels;
    }

    /// <inheritdoc/>
    public double[,] PredictProba(IDataSource source, long firstRow, int rowCount)
    {
        RequireColumns(source);
        DataSource.CheckRange(source, firstRow, rowCount, rowCount * Dimension);
        return PredictProba(CategoricalData.Levels(source, firstRow, rowCount));
    }

    /// <summary>Mean log p(x_observed) per row of a source, read in chunks.</summary>
    /// <param name="source">n rows of d levels.</param>
    /// <returns>The mean log-likelihood.</returns>
    public double Score(IDataSource source)
    {
        RequireColumns(source);
        double sum = 0;
        ForEachChunk(source, (_, chunk) =>
        {
            foreach (double score in ScoreSamples(chunk))
                sum += score;
        });
        return sum / source.RowCount;
    }

    /// <inheritdoc/>
    public ModelScore Evaluate(IDataSource source) => ModelScore.Likelihood(source.RowCount, Score(source), ParameterCount);

    /// <summary>Writes the model file (format "gpuem.categorical-mixture") to a stream (left open).</summary>
    /// <param name="stream">The target.</param>
    public override void Save(Stream stream) => CategoricalMixtureCodec.Write(this, stream);

    /// <summary>Reads a model written by <see cref="FittedModel.Save(string)"/>; the round trip is exact.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelFormatException">Corrupt file, another format, a newer version.</exception>
    public static CategoricalMixtureModel Load(string path) => ModelDocument.Load(path, CategoricalMixtureCodec.Read);

    /// <summary>Reads a model from a stream.</summary>
    /// <param name="stream">The source.</param>
    /// <returns>The model.</returns>
    public static CategoricalMixtureModel Load(Stream stream) => CategoricalMixtureCodec.Read(stream, "(stream)");

    /// <inheritdoc/>
    public override void Describe(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("k", ComponentCount);
        writer.WriteNumber("d", Dimension);
        ModelDocument.WriteArray(writer, "levelCounts", Parameters.Layout.LevelCounts);
        writer.WriteNumber("parameters", ParameterCount);
        writer.WriteNumber("trainingWeight", TrainingWeight);
        writer.WriteNumber("meanLogLikelihood", MeanLogLikelihood);
        ModelDocument.WriteArray(writer, "weights", Parameters.Weights);
    }

    private void RequireColumns(IDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.ColumnCount != Dimension)
            throw new ArgumentException(
                $"{source.Description} has {source.ColumnCount} columns but the model was fitted on {Dimension}.", nameof(source));
    }

    // The source's rows as levels, 65 536 at a time.
    private static void ForEachChunk(IDataSource source, Action<int, int[,]> action)
    {
        const int ChunkRows = 65536;
        for (long first = 0; first < source.RowCount; first += ChunkRows)
        {
            int rows = (int)Math.Min(ChunkRows, source.RowCount - first);
            action((int)first, CategoricalData.Levels(source, first, rows));
        }
    }

    private CategoricalData Validate(int[,] data, float[]? sampleWeights)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.GetLength(1) != Dimension)
            throw new ArgumentException(
                $"The data has {data.GetLength(1)} columns but the model was fitted on {Dimension}.", nameof(data));
        return CategoricalData.From(data, Parameters.Layout.LevelCounts, sampleWeights);
    }

    private double[] ScoreSamples(CategoricalData data) => Posteriors.LogDensities(data.Rows, ComponentCount, 0, LogJoint(data));

    private Posteriors.LogJoint LogJoint(CategoricalData data) => (row, logJoint, _) => Parameters.LogJoint(data.Row(row), logJoint);
}
