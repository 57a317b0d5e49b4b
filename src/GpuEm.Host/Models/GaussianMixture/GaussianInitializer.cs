using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Engines;
using GpuEm.Models;

namespace GpuEm.Models.GaussianMixture;

/// <summary>Starting parameters for one restart; reference float64 code on the host.</summary>
internal static class GaussianInitializer
{
    public static GaussianParameters Create(GaussianMixtureOptions options, DataMatrix data, EmStart start)
    {
        int seed = start.Seed;
        int k = options.ComponentCount;
        CovarianceType type = options.CovarianceType;
        double reg = options.CovarianceRegularization;
        if (options.WarmStart is not null)
            return options.WarmStart.Parameters;
        bool diagonal = GaussianStatistics.NeedsDiagonalOnly(type);
        if (options.Initialization != GaussianInitialization.Given && EveryComponentLabelled(data, k))
        {
            // Semi-supervised: the labelled points alone give the first M-step.
            int[] labels = data.Labels!;
            double[] mean = data.WeightedMean();
            var shifts = new double[k * data.Columns];
            for (int c = 0; c < k; c++)
                mean.CopyTo(shifts, c * data.Columns);
            GaussianStatistics stats = ReferenceGaussianEngine.FromResponsibilities(
                data, k, diagonal, shifts, (row, r) =>
                {
                    r.Clear();
                    if (labels[row] >= 0)
                        r[labels[row]] = 1;
                });
            return GaussianMStep.Maximize(stats, type, reg);
        }
        if (options.HierarchicalFirstStarts && options.Initialization != GaussianInitialization.Given && start.Restart < 2)
            return Hierarchical(data, k, options.HierarchicalSubsample, whiten: start.Restart == 0, seed, type, reg);
        switch (options.Initialization)
        {
            case GaussianInitialization.Given:
                return FromStart(options.InitialParameters!, data, type, reg);
            case GaussianInitialization.KMeans:
                {
                    KMeans.KMeansModel clusters = new KMeans.KMeans(new KMeans.KMeansOptions
                    {
                        ClusterCount = k,
                        Seed = seed,
                        Backend = options.Backend,
                        DeviceMemoryLimit = options.DeviceMemoryLimit,
                        Progress = StartForwarder.Wrap(start, "K-means initialization: "),
                    }).Fit(data, CancellationToken.None);
                    return FromLabels(data, clusters.Labels, Flatten(clusters.Centres), k, type, reg);
                }
            case GaussianInitialization.Hierarchical:
                return Hierarchical(data, k, options.HierarchicalSubsample, options.HierarchicalWhitening, seed, type, reg);
            case GaussianInitialization.RandomResponsibilities:
                {
                    double[] mean = data.WeightedMean();
                    var shifts = new double[k * data.Columns];
                    for (int c = 0; c < k; c++)
                        mean.CopyTo(shifts, c * data.Columns);
                    GaussianStatistics stats = ReferenceGaussianEngine.FromResponsibilities(
                        data, k, diagonal, shifts, (row, r) => Seeding.RandomResponsibilities(seed, row, r));
                    return GaussianMStep.Maximize(stats, type, reg);
                }
            default:
                {
                    var random = new Random(seed);
                    double[] centres = options.Initialization == GaussianInitialization.KMeansPlusPlus
                        ? Seeding.KMeansPlusPlus(data, k, random, start.BeginSeeding())
                        : Seeding.RandomPoints(data, k, random, start.BeginSeeding());
                    return FromCentres(data, centres, k, type, reg);
                }
        }
    }

    private static bool EveryComponentLabelled(DataMatrix data, int k)
    {
        if (data.Labels is null)
            return false;
        var seen = new bool[k];
        foreach (int label in data.Labels)
            if (label >= 0)
                seen[label] = true;
        return seen.All(s => s);
    }

    /// <summary>
    /// Ward's agglomeration on all rows, or on a seeded random subset of
    /// <paramref name="subsample"/> (the rest to their nearest cluster mean), cut at k; one M-step
    /// on that partition.
    /// </summary>
    private static GaussianParameters Hierarchical(
        DataMatrix data, int k, int subsample, bool whiten, int seed, CovarianceType type, double reg)
    {
        int n = data.Rows;
        int[] rows = Enumerable.Range(0, n).ToArray();
        if (n > subsample)
        {
            var random = new Random(seed);
            random.Shuffle(rows);
            rows = rows[..subsample];
            Array.Sort(rows);
        }
        int[] cut = whiten
            ? WardHierarchy.Cut(Whitened(data, rows), Enumerable.Range(0, rows.Length).ToArray(), k)
            : WardHierarchy.Cut(data, rows, k);
        double[] centres = Seeding.LabelMeans(data, rows, cut, k, out _);
        int[] labels = rows.Length == n ? cut : Seeding.NearestCentre(data, centres, k);
        if (rows.Length < n)
        {
            for (int i = 0; i < rows.Length; i++)
                labels[rows[i]] = cut[i];
        }
        return FromLabels(data, labels, centres, k, type, reg);
    }

    /// <summary>
    /// The rows in whitened coordinates (mclust's default <c>hcUse = "SVD"</c>): centred, rotated
    /// onto the principal axes of their weighted covariance and scaled to unit variance on each;
    /// axes of (numerically) no variance are dropped, so constant columns and columns of very
    /// different scales do not decide the merges.
    /// </summary>
    internal static DataMatrix Whitened(DataMatrix data, int[] rows)
    {
        int d = data.Columns, m = rows.Length;
        var mean = new double[d];
        double total = 0;
        foreach (int row in rows)
        {
            double w = data.Weight(row);
            total += w;
            ReadOnlySpan<float> x = data.Row(row);
            for (int j = 0; j < d; j++)
                mean[j] += w * x[j];
        }
        for (int j = 0; j < d; j++)
            mean[j] /= total;
        // Columns are standardized first (a constant column scaled by 0), so that the
        // eigen-decomposition sees a well-conditioned matrix whatever the columns' scales.
        var spread = new double[d];
        foreach (int row in rows)
        {
            double w = data.Weight(row);
            ReadOnlySpan<float> x = data.Row(row);
            for (int j = 0; j < d; j++)
                spread[j] += w * (x[j] - mean[j]) * (x[j] - mean[j]) / total;
        }
        for (int j = 0; j < d; j++)
            spread[j] = spread[j] > 0 ? 1 / Math.Sqrt(spread[j]) : 0;
        var covariance = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(d, d);
        var centred = new double[d];
        foreach (int row in rows)
        {
            double w = data.Weight(row);
            ReadOnlySpan<float> x = data.Row(row);
            for (int j = 0; j < d; j++)
                centred[j] = (x[j] - mean[j]) * spread[j];
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++)
                    covariance[a, b] += w * centred[a] * centred[b] / total;
        }
        var evd = covariance.Evd(MathNet.Numerics.LinearAlgebra.Symmetricity.Symmetric);
        double largest = evd.EigenValues.Max(e => e.Real);
        var scales = evd.EigenValues.Select(e => e.Real > 1e-10 * largest && e.Real > 0 ? 1 / Math.Sqrt(e.Real) : 0).ToArray();
        var result = new float[m, d];
        var weights = new float[m];
        for (int i = 0; i < m; i++)
        {
            ReadOnlySpan<float> x = data.Row(rows[i]);
            weights[i] = data.Weights?[rows[i]] ?? 1f;
            for (int a = 0; a < d; a++)
            {
                double projected = 0;
                for (int j = 0; j < d; j++)
                    projected += (x[j] - mean[j]) * spread[j] * evd.EigenVectors[j, a];
                result[i, a] = (float)(projected * scales[a]);
            }
        }
        return DataMatrix.From(result, data.Weights is null ? null : weights);
    }

    /// <summary>Each point to its nearest centre, then one M-step on those hard labels.</summary>
    public static GaussianParameters FromCentres(DataMatrix data, double[] centres, int k, CovarianceType type, double reg) =>
        FromLabels(data, Seeding.NearestCentre(data, centres, k), centres, k, type, reg);

    /// <summary>One M-step on hard labels; statistics centred on the given centres.</summary>
    private static GaussianParameters FromLabels(
        DataMatrix data, int[] labels, double[] centres, int k, CovarianceType type, double reg)
    {
        GaussianStatistics stats = ReferenceGaussianEngine.FromResponsibilities(
            data, k, GaussianStatistics.NeedsDiagonalOnly(type), centres, (row, r) =>
            {
                r.Clear();
                r[labels[row]] = 1;
            });
        return GaussianMStep.Maximize(stats, type, reg);
    }

    private static GaussianParameters FromStart(GaussianMixtureStart start, DataMatrix data, CovarianceType type, double reg)
    {
        int d = data.Columns;
        int k = start.Weights.Length;
        if (start.Means.GetLength(0) != k || start.Means.GetLength(1) != d)
            throw new ArgumentException(
                $"InitialParameters.Means is {start.Means.GetLength(0)} × {start.Means.GetLength(1)}; expected {k} × {d}.");
        if (start.Weights.Any(w => !double.IsFinite(w) || w <= 0))
            throw new ArgumentException("InitialParameters.Weights must be finite and positive.");
        double weightSum = start.Weights.Sum();
        double[] weights = start.Weights.Select(w => w / weightSum).ToArray();
        var means = new double[k * d];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
            {
                double m = start.Means[c, j];
                if (!double.IsFinite(m))
                    throw new ArgumentException($"InitialParameters.Means[{c}, {j}] is {m}; means must be finite.");
                means[c * d + j] = m;
            }
        var full = new double[k * d * d];
        if (start.Precisions is null)
        {
            double[] covariance = DataCovariance(data, reg);
            for (int c = 0; c < k; c++)
                covariance.CopyTo(full, c * d * d);
        }
        else
        {
            double[,,] precisions = start.Precisions;
            if (precisions.GetLength(0) != k || precisions.GetLength(1) != d || precisions.GetLength(2) != d)
                throw new ArgumentException(
                    $"InitialParameters.Precisions is {precisions.GetLength(0)} × {precisions.GetLength(1)} × " +
                    $"{precisions.GetLength(2)}; expected {k} × {d} × {d}.");
            for (int c = 0; c < k; c++)
            {
                var p = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(d, d, (i, j) => precisions[c, i, j]);
                if (!p.IsSymmetric() || p.Enumerate().Any(v => !double.IsFinite(v)))
                    throw new ArgumentException($"InitialParameters.Precisions[{c}] must be finite and symmetric.");
                MathNet.Numerics.LinearAlgebra.Matrix<double> covariance;
                try
                {
                    covariance = p.Cholesky().Solve(MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseIdentity(d));
                }
                catch (ArgumentException)
                {
                    throw new ArgumentException($"InitialParameters.Precisions[{c}] is not positive definite.");
                }
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++)
                        full[c * d * d + i * d + j] = 0.5 * (covariance[i, j] + covariance[j, i]);
            }
        }
        return GaussianParameters.Create(type, k, d, weights, means, Shape(full, type, k, d));
    }

    /// <summary>Reduces k full d × d covariances to the compact form of a covariance type.</summary>
    private static double[] Shape(double[] full, CovarianceType type, int k, int d)
    {
        var compact = new double[GaussianParameters.CovarianceLength(type, k, d)];
        for (int c = 0; c < k; c++)
        {
            switch (type)
            {
                case CovarianceType.Full:
                    Array.Copy(full, c * d * d, compact, c * d * d, d * d);
                    break;
                case CovarianceType.Tied:
                    if (c == 0)
                        Array.Copy(full, 0, compact, 0, d * d);
                    break;
                case CovarianceType.Diagonal:
                    for (int j = 0; j < d; j++)
                        compact[c * d + j] = full[c * d * d + j * d + j];
                    break;
                default:
                    double sum = 0;
                    for (int j = 0; j < d; j++)
                        sum += full[c * d * d + j * d + j];
                    compact[c] = sum / d;
                    break;
            }
        }
        return compact;
    }

    /// <summary>The weighted covariance of all the data plus reg·I, d × d.</summary>
    private static double[] DataCovariance(DataMatrix data, double reg)
    {
        GaussianStatistics stats = ReferenceGaussianEngine.FromResponsibilities(
            data, 1, diagonal: false, data.WeightedMean(), (_, r) => r[0] = 1);
        return GaussianMStep.Maximize(stats, CovarianceType.Full, reg).Covariances;
    }

    private static double[] Flatten(double[,] values) => values.Cast<double>().ToArray();
}
