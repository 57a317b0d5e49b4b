using GpuEm.Data;
using GpuEm.Models;
using MathNet.Numerics.LinearAlgebra;

namespace GpuEm.Cli.PlotViews;

/// <summary>
/// The data and what a clustering model says about it, as the views draw it: labels, centres and
/// covariances (when the model has them), each row's uncertainty (1 − its largest posterior) and
/// the model's density (mixtures only), all reached through the model's capabilities.
/// </summary>
internal sealed class PlotData
{
    public PlotData(IClusteringModel model, float[,] points)
    {
        Model = model;
        Points = points;
        Probabilistic = model as IProbabilisticClusteringModel;
        // Mixtures marginalize missing entries; hard-assignment models see them as column means.
        Labels = model.Predict(new ArrayDataSource(Probabilistic is not null ? points : FillMissing(points)));
        var centred = model as ICentredClusteringModel;
        Centres = centred?.ClusterCentres;
        Covariances = centred?.ClusterCovariances;
        if (Probabilistic is not null)
        {
            double[,] posterior = Probabilistic.PredictProba(new ArrayDataSource(points), 0, points.GetLength(0));
            Uncertainty = new double[points.GetLength(0)];
            for (int i = 0; i < Uncertainty.Length; i++)
            {
                double best = 0;
                for (int c = 0; c < posterior.GetLength(1); c++)
                    best = Math.Max(best, posterior[i, c]);
                Uncertainty[i] = 1 - best;
            }
        }
    }

    public IClusteringModel Model { get; }

    /// <summary>The rows, NaN for a missing entry (such rows are left out of scatter plots).</summary>
    public float[,] Points { get; }

    public IProbabilisticClusteringModel? Probabilistic { get; }

    public int[] Labels { get; }

    public double[,]? Centres { get; }

    public double[,,]? Covariances { get; }

    /// <summary>1 − max posterior per row; null for hard-assignment models.</summary>
    public double[]? Uncertainty { get; }

    public int Dimension => Points.GetLength(1);

    public int RowCount => Points.GetLength(0);

    public int ClusterCount => Model.ClusterCount;

    /// <summary>Whether the model has a density to draw: a mixture with covariances.</summary>
    public bool HasDensity => Probabilistic is not null && Covariances is not null;

    public bool Observed(int row, int column) => !float.IsNaN(Points[row, column]);

    /// <summary>
    /// The mixture's density at each point, and each component's weighted share of it
    /// (p(x) · posterior, so the shares add up to p(x)), of the columns given; every other column
    /// is missing, so a mixture that marginalizes gives the marginal density of those columns.
    /// </summary>
    /// <param name="columns">The columns the coordinates are for.</param>
    /// <param name="coordinates">One array of <paramref name="columns"/>.Length values per point.</param>
    public (double[] Mixture, double[,] Components) Density(int[] columns, IReadOnlyList<double[]> coordinates)
    {
        var probabilistic = Probabilistic ?? throw new InvalidOperationException("the model has no density");
        int n = coordinates.Count;
        var rows = new float[n, Dimension];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < Dimension; j++)
                rows[i, j] = float.NaN;
            for (int j = 0; j < columns.Length; j++)
                rows[i, columns[j]] = (float)coordinates[i][j];
        }
        double[,] posterior = probabilistic.PredictProba(new ArrayDataSource(rows), 0, n);
        var mixture = new double[n];
        var components = new double[n, ClusterCount];
        var row = new float[Dimension];
        for (int i = 0; i < n; i++)
        {
            // One row's score is its log-density (the measures are means over the rows given).
            for (int j = 0; j < Dimension; j++)
                row[j] = rows[i, j];
            mixture[i] = Math.Exp(probabilistic.Evaluate(new ArrayDataSource(row, 1, Dimension))["meanLogLikelihood"]);
            for (int c = 0; c < ClusterCount; c++)
                components[i, c] = mixture[i] * posterior[i, c];
        }
        return (mixture, components);
    }

    /// <summary>Cluster <paramref name="cluster"/>'s centre and covariance in two columns (the
    /// marginal of a Gaussian is its sub-vector and sub-matrix).</summary>
    public (double X, double Y, Matrix<double>? Covariance) Centre(int cluster, int x, int y) =>
        (Centres![cluster, x], Centres[cluster, y],
            Covariances is null ? null : Matrix<double>.Build.DenseOfArray(new[,]
            {
                { Covariances[cluster, x, x], Covariances[cluster, x, y] },
                { Covariances[cluster, y, x], Covariances[cluster, y, y] },
            }));

    // Missing entries as their column means, for a hard-assignment model's labels only.
    private static float[,] FillMissing(float[,] data)
    {
        int n = data.GetLength(0), d = data.GetLength(1);
        var means = new double[d];
        var counts = new int[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                if (!float.IsNaN(data[i, j]))
                {
                    means[j] += data[i, j];
                    counts[j]++;
                }
        var filled = (float[,])data.Clone();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                if (float.IsNaN(filled[i, j]))
                    filled[i, j] = counts[j] > 0 ? (float)(means[j] / counts[j]) : 0f;
        return filled;
    }
}
