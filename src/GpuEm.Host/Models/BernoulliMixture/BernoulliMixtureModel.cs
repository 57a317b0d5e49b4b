using System.Text.Json;
using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Models.GaussianMixture;
using GpuEm.Persistence;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// A fitted Bernoulli mixture: immutable; array properties return copies. Predictions run on the
/// host in float64, whatever backend fitted the model, and take data as the fit does (0, 1, NaN
/// for missing; a missing entry is marginalized out).
/// </summary>
public sealed class BernoulliMixtureModel : FittedModel, IProbabilisticClusteringModel, ICentredClusteringModel
{
    /// <summary>The <c>format</c> of its model file.</summary>
    public const string FormatName = "gpuem.bernoulli-mixture";

    internal BernoulliMixtureModel(BernoulliParameters parameters, FitSummary summary, double meanLogLikelihood, double trainingWeight)
        : base(summary)
    {
        Parameters = parameters;
        MeanLogLikelihood = meanLogLikelihood;
        TrainingWeight = trainingWeight;
    }

    internal BernoulliParameters Parameters { get; }

    /// <inheritdoc/>
    public override string Format => FormatName;

    double[,] ICentredClusteringModel.ClusterCentres => Probabilities;

    double[,,]? ICentredClusteringModel.ClusterCovariances => null;

    /// <inheritdoc/>
    public override string Kind => "Bernoulli mixture";

    /// <summary>Components k.</summary>
    public int ComponentCount => Parameters.K;

    int IClusteringModel.ClusterCount => ComponentCount;

    /// <summary>Features d.</summary>
    public int Dimension => Parameters.D;

    /// <summary>Mixing weights, k values summing to 1.</summary>
    public double[] Weights => (double[])Parameters.Weights.Clone();

    /// <summary>Probabilities, k × d: [k, j] = P(x_j = 1 | component k), inside (0, 1) when
    /// Smoothing &gt; 0.</summary>
    public double[,] Probabilities
    {
        get
        {
            var result = new double[ComponentCount, Dimension];
            for (int c = 0; c < ComponentCount; c++)
                for (int j = 0; j < Dimension; j++)
                    result[c, j] = Parameters.Probabilities[c * Dimension + j];
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
    /// (log-likelihood + α Σ_kj [log p_kj + log(1 − p_kj)]) / Σ w, with α the Smoothing. Never decreases.
    /// </remarks>
    public double MeanLogLikelihood { get; }

    /// <summary>Total (weighted) log-likelihood of the training data:
    /// <see cref="MeanLogLikelihood"/> × <see cref="TrainingWeight"/>.</summary>
    public double LogLikelihood => MeanLogLikelihood * TrainingWeight;

    /// <summary>Σ sample weights of the training data (n without weights).</summary>
    public double TrainingWeight { get; }

    /// <summary>Free parameters (k − 1 + k·d), for BIC and AIC.</summary>
    public long ParameterCount => BernoulliParameters.FreeParameterCount(ComponentCount, Dimension);

    /// <summary>The most probable component of each point.</summary>
    /// <param name="data">n × d values: 0, 1 or NaN (missing).</param>
    /// <returns>n labels in [0, k).</returns>
    public int[] Predict(float[,] data) => Predict(Validate(data, null));

    /// <summary>The most probable component of each row of a source, read in chunks.</summary>
    /// <param name="source">n rows of d values: 0, 1 or NaN (missing).</param>
    /// <returns>n labels in [0, k).</returns>
    public int[] Predict(IDataSource source) =>
        DataSource.PredictInChunks(source, Dimension, (chunk, rows) => Predict(Validate(chunk, rows, source, 0)));

    /// <summary>Posterior probabilities p(k | x_observed), n × k.</summary>
    /// <param name="data">n × d values: 0, 1 or NaN (missing).</param>
    /// <returns>n × k probabilities; rows sum to 1.</returns>
    public double[,] PredictProba(float[,] data) => PredictProba(Validate(data, null));

    /// <inheritdoc/>
    public double[,] PredictProba(IDataSource source, long firstRow, int rowCount)
    {
        ArgumentNullException.ThrowIfNull(source);
        RequireColumns(source);
        DataSource.CheckRange(source, firstRow, rowCount, rowCount * Dimension);
        return PredictProba(Validate(DataSource.ReadRange(source, firstRow, rowCount), rowCount, source, firstRow));
    }

    /// <summary>log p(x_observed) of each point (missing entries marginalized out).</summary>
    /// <param name="data">n × d values: 0, 1 or NaN (missing).</param>
    /// <returns>n log-probabilities.</returns>
    public double[] ScoreSamples(float[,] data) => ScoreSamples(Validate(data, null));

    /// <summary>Mean log p(x_observed) per point (weighted when weights are given).</summary>
    /// <param name="data">n × d values: 0, 1 or NaN (missing).</param>
    /// <param name="sampleWeights">Optional weights.</param>
    /// <returns>The mean log-likelihood.</returns>
    public double Score(float[,] data, float[]? sampleWeights = null)
    {
        BinaryData binary = Validate(data, sampleWeights);
        double[] scores = ScoreSamples(binary);
        double sum = 0;
        for (int i = 0; i < scores.Length; i++)
            sum += binary.Indicators.Weight(i) * scores[i];
        return sum / binary.TotalWeight;
    }

    /// <summary>Mean log p(x_observed) per row of a source, read in chunks.</summary>
    /// <param name="source">n rows of d values: 0, 1 or NaN (missing).</param>
    /// <returns>The mean log-likelihood.</returns>
    public double Score(IDataSource source)
    {
        double sum = 0;
        DataSource.ForEachChunk(source, Dimension, (chunk, first, rows) =>
        {
            foreach (double score in ScoreSamples(Validate(chunk, rows, source, first)))
                sum += score;
        });
        return sum / source.RowCount;
    }

    /// <inheritdoc/>
    public ModelScore Evaluate(IDataSource source) => ModelScore.Likelihood(source.RowCount, Score(source), ParameterCount);

    /// <summary>Bayesian information criterion −2 log L + p ln n (lower is better).</summary>
    /// <param name="data">n × d values: 0, 1 or NaN (missing).</param>
    /// <returns>BIC.</returns>
    public double Bic(float[,] data)
    {
        double logLikelihood = ScoreSamples(data).Sum();
        return -2 * logLikelihood + ParameterCount * Math.Log(data.GetLength(0));
    }

    /// <summary>Akaike information criterion −2 log L + 2p (lower is better).</summary>
    /// <param name="data">n × d values: 0, 1 or NaN (missing).</param>
    /// <returns>AIC.</returns>
    public double Aic(float[,] data) => -2 * ScoreSamples(data).Sum() + 2.0 * ParameterCount;

    /// <summary>Writes the model file (format "gpuem.bernoulli-mixture") to a stream (left open).</summary>
    /// <param name="stream">The target.</param>
    public override void Save(Stream stream) => BernoulliMixtureCodec.Write(this, stream);

    /// <summary>Reads a model written by <see cref="FittedModel.Save(string)"/>; the round trip is exact.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelFormatException">Corrupt file, another format, a newer version.</exception>
    public static BernoulliMixtureModel Load(string path) => ModelDocument.Load(path, BernoulliMixtureCodec.Read);

    /// <summary>Reads a model from a stream.</summary>
    /// <param name="stream">The source.</param>
    /// <returns>The model.</returns>
    public static BernoulliMixtureModel Load(Stream stream) => BernoulliMixtureCodec.Read(stream, "(stream)");

    /// <inheritdoc/>
    public override void Describe(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("k", ComponentCount);
        writer.WriteNumber("d", Dimension);
        writer.WriteNumber("parameters", ParameterCount);
        writer.WriteNumber("trainingWeight", TrainingWeight);
        writer.WriteNumber("meanLogLikelihood", MeanLogLikelihood);
        ModelDocument.WriteArray(writer, "weights", Parameters.Weights);
    }

    private void RequireColumns(IDataSource source)
    {
        if (source.ColumnCount != Dimension)
            throw new ArgumentException(
                $"{source.Description} has {source.ColumnCount} columns but the model was fitted on {Dimension}.", nameof(source));
    }

    private BinaryData Validate(float[,]? data, float[]? sampleWeights)
    {
        ArgumentNullException.ThrowIfNull(data);
        BinaryData binary = BinaryData.From(data, sampleWeights);
        binary.Indicators.RequireColumns(Dimension);
        return binary;
    }

    private BinaryData Validate(ReadOnlyMemory<float> chunk, int rows, IDataSource source, long firstRow) =>
        BinaryData.From(chunk.Span, rows, Dimension, null, source.Description, firstRow);

    private int[] Predict(BinaryData data) => Posteriors.Labels(data.Rows, ComponentCount, 0, LogJoint(data));

    private double[,] PredictProba(BinaryData data) => Posteriors.Probabilities(data.Rows, ComponentCount, 0, LogJoint(data));

    private double[] ScoreSamples(BinaryData data) => Posteriors.LogDensities(data.Rows, ComponentCount, 0, LogJoint(data));

    private Posteriors.LogJoint LogJoint(BinaryData data) => (row, logJoint, _) =>
        BernoulliDensity.LogJoint(Parameters, data.Indicators.Row(row), data.MaskRow(row), logJoint);
}
