using GpuEm.Data;
using GpuEm.Em;
using MathNet.Numerics.LinearAlgebra;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// A fitted Gaussian mixture: immutable. Array properties return copies. Predictions run on the
/// host in float64 (multi-threaded), whatever backend fitted the model.
/// </summary>
/// <remarks>
/// <see cref="FittedModel.ObjectiveHistory"/> is what EM maximized, per (weighted) training
/// point: without a <see cref="GaussianMixtureOptions.Prior"/> and labels the mean log-likelihood
/// (1/W) Σ w_i log p(x_i), W = Σ w_i; with a prior the penalized (Σ w_i log p(x_i) + log p(θ)) / W;
/// with partial labels (<see cref="GaussianMixture.FitSemiSupervised(float[,], int[], float[], CancellationToken)"/>)
/// a labelled point's term is its complete-data log w_c N(x_i | μ_c, Σ_c) in place of log p(x_i).
/// <see cref="MeanLogLikelihood"/> is always the observed-data log-likelihood.
/// </remarks>
public sealed class GaussianMixtureModel : FittedModel, IProbabilisticClusteringModel, ICentredClusteringModel
{
    /// <summary>The <c>format</c> of its model file.</summary>
    public const string FormatName = "gpuem.gaussian-mixture";

    internal GaussianMixtureModel(GaussianParameters parameters, FitSummary summary, double meanLogLikelihood, double trainingWeight)
        : base(summary)
    {
        Parameters = parameters;
        MeanLogLikelihood = meanLogLikelihood;
        TrainingWeight = trainingWeight;
    }

    /// <inheritdoc/>
    public override string Format => FormatName;

    /// <summary>
    /// Split-and-merge moves kept (<see cref="GaussianMixtureOptions.SplitMergeTrials"/>): each
    /// merged two components, split a third and raised the objective. Not kept in model files: 0
    /// for a loaded model.
    /// </summary>
    public int SplitMergeMoves { get; init; }

    double[,] ICentredClusteringModel.ClusterCentres => Means;

    double[,,]? ICentredClusteringModel.ClusterCovariances => Covariances;

    /// <inheritdoc/>
    public override string Kind => "Gaussian mixture";

    int IClusteringModel.ClusterCount => ComponentCount;

    internal GaussianParameters Parameters { get; }

    /// <summary>Components k.</summary>
    public int ComponentCount => Parameters.K;

    /// <summary>Dimension d of the data.</summary>
    public int Dimension => Parameters.D;

    /// <summary>The covariance shape.</summary>
    public CovarianceType CovarianceType => Parameters.Type;

    /// <summary>Mixing weights, k values summing to 1.</summary>
    public double[] Weights => (double[])Parameters.Weights.Clone();

    /// <summary>Means, k × d.</summary>
    public double[,] Means => To2D(Parameters.Means, Parameters.K, Parameters.D);

    /// <summary>Covariances as full matrices, k × d × d (tied: the same matrix k times; diagonal and
    /// spherical: diagonal matrices). Regularization included.</summary>
    public double[,,] Covariances => Expand(Parameters.ExpandCovariance);

    /// <summary>Upper-triangular U_k with precision Σ_k⁻¹ = U_k U_kᵀ, k × d × d.</summary>
    public double[,,] PrecisionCholesky => Expand(Parameters.ExpandFactor);

    /// <summary>
    /// The observed-data (marginal) log-likelihood of the training data at the fitted parameters,
    /// per (weighted) point: (1/W) Σ w_i log p(x_i), with no prior term and labels ignored
    /// (missing coordinates marginalized). Equal to <see cref="FittedModel.Objective"/> when the
    /// fit used neither a prior nor labels; otherwise computed once at the end of the fit by the
    /// float64 scoring of <see cref="Score(float[,], float[])"/> over the training data.
    /// </summary>
    public double MeanLogLikelihood { get; }

    /// <summary>Total (weighted) observed-data log-likelihood of the training data:
    /// <see cref="MeanLogLikelihood"/> × <see cref="TrainingWeight"/>.</summary>
    public double LogLikelihood => MeanLogLikelihood * TrainingWeight;

    /// <summary>Σ sample weights of the training data (n without weights).</summary>
    public double TrainingWeight { get; }

    /// <summary>Free parameters (for BIC and AIC).</summary>
    public long ParameterCount => GaussianParameters.FreeParameterCount(CovarianceType, ComponentCount, Dimension);

    /// <summary>The most probable component of each point.</summary>
    /// <remarks>Predictions accept NaN entries as missing values (the point's marginal over its
    /// observed coordinates), as a fit with <see cref="MissingValues.Marginalize"/> does.</remarks>
    /// <param name="data">n × d points.</param>
    /// <returns>n labels in [0, k).</returns>
    public int[] Predict(float[,] data) => Predict(DataMatrix.From(data, null, MissingValues.Marginalize).RequireColumns(Dimension));

    /// <summary>As <see cref="Predict(float[,])"/> for row-major data.</summary>
    /// <param name="data">Row-major n × d.</param>
    /// <param name="rows">n.</param>
    /// <param name="columns">d.</param>
    /// <returns>n labels.</returns>
    public int[] Predict(ReadOnlyMemory<float> data, int rows, int columns) =>
        Predict(DataMatrix.From(data, rows, columns, null, MissingValues.Marginalize).RequireColumns(Dimension));

    /// <summary>Posterior probabilities p(k | x), n × k.</summary>
    /// <param name="data">n × d points.</param>
    /// <returns>n × k probabilities; rows sum to 1.</returns>
    public double[,] PredictProba(float[,] data) => PredictProba(DataMatrix.From(data, null, MissingValues.Marginalize).RequireColumns(Dimension));

    /// <summary>As <see cref="PredictProba(float[,])"/> for row-major data.</summary>
    /// <param name="data">Row-major n × d.</param>
    /// <param name="rows">n.</param>
    /// <param name="columns">d.</param>
    /// <returns>n × k probabilities.</returns>
    public double[,] PredictProba(ReadOnlyMemory<float> data, int rows, int columns) =>
        PredictProba(DataMatrix.From(data, rows, columns, null, MissingValues.Marginalize).RequireColumns(Dimension));

    /// <summary>log p(x) of each point.</summary>
    /// <param name="data">n × d points.</param>
    /// <returns>n log densities.</returns>
    public double[] ScoreSamples(float[,] data) => ScoreSamples(DataMatrix.From(data, null, MissingValues.Marginalize).RequireColumns(Dimension));

    /// <summary>As <see cref="ScoreSamples(float[,])"/> for row-major data.</summary>
    /// <param name="data">Row-major n × d.</param>
    /// <param name="rows">n.</param>
    /// <param name="columns">d.</param>
    /// <returns>n log densities.</returns>
    public double[] ScoreSamples(ReadOnlyMemory<float> data, int rows, int columns) =>
        ScoreSamples(DataMatrix.From(data, rows, columns, null, MissingValues.Marginalize).RequireColumns(Dimension));

    /// <summary>Mean log p(x) per point (weighted when weights are given).</summary>
    /// <param name="data">n × d points.</param>
    /// <param name="sampleWeights">Optional weights.</param>
    /// <returns>The mean log-likelihood.</returns>
    public double Score(float[,] data, float[]? sampleWeights = null) =>
        Score(DataMatrix.From(data, sampleWeights, MissingValues.Marginalize).RequireColumns(Dimension));

    /// <summary>Bayesian information criterion −2 log L + p ln n (lower is better).</summary>
    /// <param name="data">n × d points.</param>
    /// <returns>BIC.</returns>
    public double Bic(float[,] data)
    {
        DataMatrix m = DataMatrix.From(data, null, MissingValues.Marginalize).RequireColumns(Dimension);
        return BicOf(Score(m), m.Rows);
    }

    /// <summary>Akaike information criterion −2 log L + 2p (lower is better).</summary>
    /// <param name="data">n × d points.</param>
    /// <returns>AIC.</returns>
    public double Aic(float[,] data)
    {
        DataMatrix m = DataMatrix.From(data, null, MissingValues.Marginalize).RequireColumns(Dimension);
        return AicOf(Score(m), m.Rows);
    }

    /// <summary>
    /// Fills missing (NaN) entries with their conditional expectation under the mixture,
    /// E[x_M | x_O] = Σ_k p(k | x_O) (μ_M,k + Σ_MO,k Σ_OO,k⁻¹ (x_O − μ_O,k)). Observed entries are
    /// copied unchanged; the input is not modified.
    /// </summary>
    /// <param name="data">n × d points; NaN marks a missing entry; a row needs one observed entry.</param>
    /// <returns>A new n × d array without NaN.</returns>
    public float[,] Impute(float[,] data)
    {
        DataMatrix m = DataMatrix.From(data, null, MissingValues.Marginalize).RequireColumns(Dimension);
        int d = Dimension;
        var result = (float[,])data.Clone();
        var filled = new float[d];
        foreach (int row in m.IncompleteRows)
        {
            MissingValueGaussian.Impute(Parameters, m.Row(row), filled);
            for (int j = 0; j < d; j++)
                result[row, j] = filled[j];
        }
        return result;
    }

    /// <summary>Labels for the rows of a data source, predicted in chunks of 65 536 rows (the
    /// source is never read whole).</summary>
    /// <param name="source">The rows.</param>
    /// <returns>One label per row.</returns>
    public int[] Predict(IDataSource source) =>
        DataSource.PredictInChunks(source, Dimension, (chunk, rows) => Predict(chunk, rows, Dimension));

    /// <summary>
    /// Mean log p(x) per row of a data source, computed in chunks of 65 536 rows (the source is
    /// never read whole); equal to <see cref="Score(float[,], float[])"/> on the same rows. NaN
    /// entries are missing values, as in <see cref="Predict(float[,])"/>.
    /// </summary>
    /// <param name="source">n rows of d columns.</param>
    /// <returns>The mean log-likelihood.</returns>
    public double Score(IDataSource source)
    {
        double sum = 0;
        DataSource.ForEachChunk(source, Dimension, (chunk, first, rows) =>
        {
            double[] scores = ScoreSamples(DataMatrix.From(
                chunk, rows, Dimension, null, MissingValues.Marginalize, name: DataSource.ChunkName(source, first)));
            for (int i = 0; i < scores.Length; i++)
                sum += scores[i];
        });
        return sum / source.RowCount;
    }

    /// <summary>As <see cref="Bic(float[,])"/> for a data source, read in chunks.</summary>
    /// <param name="source">n rows of d columns.</param>
    /// <returns>BIC, −2 log L + p ln n.</returns>
    public double Bic(IDataSource source) => BicOf(Score(source), source.RowCount);

    /// <summary>As <see cref="Aic(float[,])"/> for a data source, read in chunks.</summary>
    /// <param name="source">n rows of d columns.</param>
    /// <returns>AIC, −2 log L + 2p.</returns>
    public double Aic(IDataSource source) => AicOf(Score(source), source.RowCount);

    // −2 log L + p ln n and −2 log L + 2p, from the mean log-likelihood over n points.
    private double BicOf(double meanLogLikelihood, long n) => -2 * meanLogLikelihood * n + ParameterCount * Math.Log(n);

    private double AicOf(double meanLogLikelihood, long n) => -2 * meanLogLikelihood * n + 2.0 * ParameterCount;

    /// <inheritdoc/>
    public ModelScore Evaluate(IDataSource source) => ModelScore.Likelihood(source.RowCount, Score(source), ParameterCount);

    /// <inheritdoc/>
    public double[,] PredictProba(IDataSource source, long firstRow, int rowCount)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.ColumnCount != Dimension)
            throw new ArgumentException(
                $"{source.Description} has {source.ColumnCount} columns but the model was fitted on {Dimension}.", nameof(source));
        DataSource.CheckRange(source, firstRow, rowCount, rowCount * Dimension);
        float[] rows = DataSource.ReadRange(source, firstRow, rowCount);
        return PredictProba(DataMatrix.From(
            rows, rowCount, Dimension, null, MissingValues.Marginalize, name: DataSource.ChunkName(source, firstRow)));
    }

    /// <inheritdoc/>
    public override void Describe(System.Text.Json.Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("k", ComponentCount);
        writer.WriteNumber("d", Dimension);
        writer.WriteString("covariance", CovarianceType.ToString());
        writer.WriteNumber("parameters", ParameterCount);
        writer.WriteNumber("trainingWeight", TrainingWeight);
        writer.WriteNumber("meanLogLikelihood", MeanLogLikelihood);
        Persistence.ModelDocument.WriteArray(writer, "weights", Parameters.Weights);
    }

    /// <summary>Writes the model as a versioned JSON document (format "gpuem.gaussian-mixture") to a stream (left open).</summary>
    /// <param name="stream">The target.</param>
    public override void Save(Stream stream) => GaussianMixtureCodec.Write(this, stream);

    /// <summary>Reads a model written by <see cref="FittedModel.Save(string)"/>; the round trip is exact.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model.</returns>
    /// <exception cref="Persistence.ModelFormatException">Corrupt file, another format, a newer version.</exception>
    public static GaussianMixtureModel Load(string path) => Persistence.ModelDocument.Load(path, GaussianMixtureCodec.Read);

    /// <summary>Reads a model from a stream.</summary>
    /// <param name="stream">The source.</param>
    /// <returns>The model.</returns>
    public static GaussianMixtureModel Load(Stream stream) => GaussianMixtureCodec.Read(stream, "(stream)");

    /// <summary>Draws points from the mixture.</summary>
    /// <param name="count">Points to draw (≥ 1).</param>
    /// <param name="seed">Seed; the same seed gives the same points.</param>
    /// <returns>count × d points and the component each came from.</returns>
    public (float[,] Points, int[] Labels) Sample(int count, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        int k = ComponentCount;
        int d = Dimension;
        var lowers = new Matrix<double>[k];
        var full = new double[d * d];
        for (int c = 0; c < k; c++)
        {
            Parameters.ExpandCovariance(c, full);
            lowers[c] = Matrix<double>.Build.Dense(d, d, (i, j) => full[i * d + j]).Cholesky().Factor;
        }
        var random = new Random(seed);
        var points = new float[count, d];
        var labels = new int[count];
        var z = new double[d];
        for (int s = 0; s < count; s++)
        {
            double u = random.NextDouble();
            int c = 0;
            for (double cumulative = Parameters.Weights[0]; c < k - 1 && u >= cumulative; cumulative += Parameters.Weights[++c])
            {
            }
            labels[s] = c;
            for (int j = 0; j < d; j++)
                z[j] = StandardNormal(random);
            for (int i = 0; i < d; i++)
            {
                double value = Parameters.Means[c * d + i];
                for (int j = 0; j <= i; j++)
                    value += lowers[c][i, j] * z[j];
                points[s, i] = (float)value;
            }
        }
        return (points, labels);
    }

    internal double Score(DataMatrix data)
    {
        double[] scores = ScoreSamples(data);
        double sum = 0;
        for (int i = 0; i < scores.Length; i++)
            sum += data.Weight(i) * scores[i];
        return sum / data.TotalWeight;
    }

    private int[] Predict(DataMatrix data) => Posteriors.Labels(data.Rows, ComponentCount, Dimension, LogJoint(data));

    internal double[,] PredictProba(DataMatrix data) => Posteriors.Probabilities(data.Rows, ComponentCount, Dimension, LogJoint(data));

    /// <summary>log w_k + log N(x | μ_k, Σ_k) of every row and component (n × k), as the posteriors use them.</summary>
    internal double[,] LogJoints(DataMatrix data)
    {
        var result = new double[data.Rows, ComponentCount];
        Posteriors.LogJoint logJoint = LogJoint(data);
        var row = new double[ComponentCount];
        var scratch = new double[Dimension];
        for (int i = 0; i < data.Rows; i++)
        {
            logJoint(i, row, scratch);
            for (int c = 0; c < ComponentCount; c++)
                result[i, c] = row[c];
        }
        return result;
    }

    private double[] ScoreSamples(DataMatrix data) => Posteriors.LogDensities(data.Rows, ComponentCount, Dimension, LogJoint(data));

    // log p(x, k) of a row: marginal over its missing entries when it has any.
    private Posteriors.LogJoint LogJoint(DataMatrix data) => (row, logJoint, centred) =>
    {
        if (data.Incomplete is not null && data.Incomplete[row])
            MissingValueGaussian.LogJoint(Parameters, data.Row(row), logJoint);
        else
            GaussianDensity.LogJoint(Parameters, data.Row(row), logJoint, centred);
    };

    private double[,,] Expand(Action<int, Span<double>> expand)
    {
        int k = ComponentCount;
        int d = Dimension;
        var result = new double[k, d, d];
        var matrix = new double[d * d];
        for (int c = 0; c < k; c++)
        {
            expand(c, matrix);
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                    result[c, i, j] = matrix[i * d + j];
        }
        return result;
    }

    private static double[,] To2D(double[] values, int rows, int columns)
    {
        var result = new double[rows, columns];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < columns; j++)
                result[i, j] = values[i * columns + j];
        return result;
    }

    private static double StandardNormal(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
