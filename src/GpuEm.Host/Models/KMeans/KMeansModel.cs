using GpuEm.Data;
using GpuEm.Em;

namespace GpuEm.Models.KMeans;

/// <summary>A fitted k-means model: immutable; array properties return copies.</summary>
public sealed class KMeansModel : FittedModel, IClusteringModel, ICentredClusteringModel
{
    /// <summary>The <c>format</c> of its model file.</summary>
    public const string FormatName = "gpuem.kmeans";

    private readonly KMeansParameters _parameters;
    private readonly int[] _labels;
    private readonly double[] _history;

    internal KMeansModel(KMeansParameters parameters, int[] labels, double inertia, FitSummary summary, int reseeded)
        : base(summary)
    {
        _parameters = parameters;
        _labels = labels;
        Inertia = inertia;
        _history = Summary.ObjectiveHistory.Select(h => -h).ToArray();
        ReseededClusters = reseeded;
    }

    internal KMeansParameters Parameters => _parameters;

    /// <inheritdoc/>
    public override string Format => FormatName;

    double[,] ICentredClusteringModel.ClusterCentres => Centres;

    double[,,]? ICentredClusteringModel.ClusterCovariances => null;

    /// <inheritdoc/>
    public override string Kind => "k-means";

    /// <summary>Clusters k.</summary>
    public int ClusterCount => _parameters.K;

    /// <summary>Dimension d.</summary>
    public int Dimension => _parameters.D;

    /// <summary>Centres, k × d.</summary>
    public double[,] Centres
    {
        get
        {
            var result = new double[ClusterCount, Dimension];
            for (int c = 0; c < ClusterCount; c++)
                for (int j = 0; j < Dimension; j++)
                    result[c, j] = _parameters.Centres[c * Dimension + j];
            return result;
        }
    }

    /// <summary>The cluster of each training point.</summary>
    public int[] Labels => (int[])_labels.Clone();

    /// <summary>Σ w‖x − c(x)‖² over the training data at these centres.</summary>
    public double Inertia { get; }

    /// <summary>Inertia at the start and after each iteration (never increases): minus
    /// <see cref="FitSummary.ObjectiveHistory"/>.</summary>
    public IReadOnlyList<double> InertiaHistory => _history;

    /// <summary>How many times an empty cluster was re-seeded during the fit.</summary>
    public int ReseededClusters { get; }

    /// <summary>
    /// Points moved by <see cref="KMeansOptions.HartiganMoves"/> after Lloyd converged (0 when
    /// off or when no move lowered the inertia). <see cref="Inertia"/> is then the inertia after
    /// the moves, below the last entry of <see cref="InertiaHistory"/> (Lloyd's). Not kept in model
    /// files: 0 for a loaded model.
    /// </summary>
    public long HartiganMoves { get; init; }

    /// <summary>The nearest centre of each point (lowest index on ties).</summary>
    /// <param name="data">n × d.</param>
    /// <returns>n labels.</returns>
    public int[] Predict(float[,] data)
    {
        DataMatrix m = DataMatrix.From(data, null).RequireColumns(Dimension);
        return Seeding.NearestCentre(m, _parameters.Centres, ClusterCount);
    }

    /// <summary>As <see cref="Predict(float[,])"/> for row-major data.</summary>
    /// <param name="data">Row-major n × d.</param>
    /// <param name="rows">n.</param>
    /// <param name="columns">d.</param>
    /// <returns>n labels.</returns>
    public int[] Predict(ReadOnlyMemory<float> data, int rows, int columns)
    {
        DataMatrix m = DataMatrix.From(data, rows, columns, null).RequireColumns(Dimension);
        return Seeding.NearestCentre(m, _parameters.Centres, ClusterCount);
    }

    /// <summary>Euclidean distances to every centre, n × k.</summary>
    /// <param name="data">n × d.</param>
    /// <returns>n × k distances.</returns>
    public double[,] Transform(float[,] data)
    {
        DataMatrix m = DataMatrix.From(data, null).RequireColumns(Dimension);
        var result = new double[m.Rows, ClusterCount];
        Parallel.For(0, m.Rows, row =>
        {
            for (int c = 0; c < ClusterCount; c++)
                result[row, c] = Math.Sqrt(Seeding.SquaredDistance(
                    m.Row(row), _parameters.Centres.AsSpan(c * Dimension, Dimension)));
        });
        return result;
    }

    /// <summary>Minus the (weighted) inertia of the data at these centres, as scikit-learn's score.</summary>
    /// <param name="data">n × d.</param>
    /// <param name="sampleWeights">Optional weights.</param>
    /// <returns>−Σ w‖x − c(x)‖².</returns>
    public double Score(float[,] data, float[]? sampleWeights = null)
    {
        return -InertiaOf(DataMatrix.From(data, sampleWeights).RequireColumns(Dimension));
    }

    // sum + Σ w‖x − c(x)‖² over the rows, c(x) the nearest centre, added row by row (so that a
    // source read in chunks sums exactly as the whole array does).
    private double InertiaOf(DataMatrix m, double sum = 0)
    {
        int[] labels = Seeding.NearestCentre(m, _parameters.Centres, ClusterCount);
        for (int row = 0; row < m.Rows; row++)
            sum += m.Weight(row) * Seeding.SquaredDistance(
                m.Row(row), _parameters.Centres.AsSpan(labels[row] * Dimension, Dimension));
        return sum;
    }

    /// <summary>Labels for the rows of a data source, predicted in chunks of 65 536 rows (the
    /// source is never read whole).</summary>
    /// <param name="source">The rows.</param>
    /// <returns>One label per row.</returns>
    public int[] Predict(IDataSource source) =>
        DataSource.PredictInChunks(source, Dimension, (chunk, rows) => Predict(chunk, rows, Dimension));

    /// <summary>
    /// Minus the inertia of a data source's rows at these centres, computed in chunks of 65 536
    /// rows (the source is never read whole); equal to <see cref="Score(float[,], float[])"/> on
    /// the same rows.
    /// </summary>
    /// <param name="source">n rows of d columns, every value finite.</param>
    /// <returns>−Σ‖x − c(x)‖².</returns>
    public double Score(IDataSource source)
    {
        double sum = 0;
        DataSource.ForEachChunk(source, Dimension, (chunk, first, rows) =>
            sum = InertiaOf(DataMatrix.From(chunk, rows, Dimension, null, DataSource.ChunkName(source, first)), sum));
        return -sum;
    }

    /// <inheritdoc/>
    public ModelScore Evaluate(IDataSource source)
    {
        double score = Score(source);
        return new ModelScore(source.RowCount, [new("inertia", -score), new("score", score)]);
    }

    /// <inheritdoc/>
    public override void Describe(System.Text.Json.Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumber("k", ClusterCount);
        writer.WriteNumber("d", Dimension);
        writer.WriteNumber("inertia", Inertia);
        writer.WriteNumber("trainingPoints", _labels.Length);
        writer.WriteNumber("reseededClusters", ReseededClusters);
    }

    /// <summary>Writes the model as a versioned JSON document (format "gpuem.kmeans") to a stream (left open).</summary>
    /// <param name="stream">The target.</param>
    public override void Save(Stream stream) => KMeansCodec.Write(this, stream);

    /// <summary>Reads a model written by <see cref="FittedModel.Save(string)"/>; the round trip is exact.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model.</returns>
    /// <exception cref="Persistence.ModelFormatException">Corrupt file, another format, a newer version.</exception>
    public static KMeansModel Load(string path) => Persistence.ModelDocument.Load(path, KMeansCodec.Read);

    /// <summary>Reads a model from a stream.</summary>
    /// <param name="stream">The source.</param>
    /// <returns>The model.</returns>
    public static KMeansModel Load(Stream stream) => KMeansCodec.Read(stream, "(stream)");
}
