using GpuEm.Data;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// What the M-step must respect beyond the statistics: the covariance type and regularization,
/// known parameters (compact float64 arrays, validated) and the resolved prior. Built once per
/// fit from the options and the data.
/// </summary>
internal sealed class ResolvedGaussianConstraints
{
    private ResolvedGaussianConstraints(CovarianceType type, double regularization)
    {
        Type = type;
        Regularization = regularization;
    }

    public CovarianceType Type { get; }

    public double Regularization { get; }

    public double[]? Weights { get; private init; }

    /// <summary>Known means, k × d.</summary>
    public double[]? Means { get; private init; }

    /// <summary>Known covariances in the compact form of <see cref="Type"/>.</summary>
    public double[]? Covariances { get; private init; }

    public ResolvedPrior? Prior { get; private init; }

    /// <summary>The prior with its defaults filled in from the data.</summary>
    internal sealed record ResolvedPrior(double Alpha, double Kappa, double[] Location, double Nu, double[] Scale)
    {
        public double ScaleTrace { get; } = Trace(Scale, Location.Length);

        private static double Trace(double[] matrix, int d)
        {
            double sum = 0;
            for (int j = 0; j < d; j++)
                sum += matrix[j * d + j];
            return sum;
        }
    }

    public static ResolvedGaussianConstraints None(CovarianceType type, double regularization) => new(type, regularization);

    /// <summary>Validates the options' known parameters and prior against the data's shape.</summary>
    public static ResolvedGaussianConstraints Resolve(GaussianMixtureOptions options, DataMatrix data)
    {
        int k = options.ComponentCount;
        int d = data.Columns;
        CovarianceType type = options.CovarianceType;
        GaussianKnownParameters? known = options.KnownParameters;
        return new ResolvedGaussianConstraints(type, options.CovarianceRegularization)
        {
            Weights = known?.Weights is null ? null : KnownWeights(known.Weights, k),
            Means = known?.Means is null ? null : KnownMeans(known.Means, k, d),
            Covariances = known?.Covariances is null ? null : KnownCovariances(known.Covariances, type, k, d),
            Prior = options.Prior is null ? null : ResolvePrior(options.Prior, data, k),
        };
    }

    /// <summary>The parameters with every known part replaced by its given value.</summary>
    public GaussianParameters Apply(GaussianParameters p)
    {
        if (Weights is null && Means is null && Covariances is null)
            return p;
        return GaussianParameters.Create(
            Type, p.K, p.D,
            (double[])(Weights ?? p.Weights).Clone(),
            (double[])(Means ?? p.Means).Clone(),
            (double[])(Covariances ?? p.Covariances).Clone());
    }

    /// <summary>log p(θ) under the prior (0 without one); see <see cref="GaussianPrior"/>.</summary>
    public double LogPrior(GaussianParameters p)
    {
        if (Prior is not { } prior)
            return 0;
        int k = p.K;
        int d = p.D;
        double logPrior = 0;
        if (prior.Alpha != 1)
        {
            logPrior += SpecialFunctions.GammaLn(k * prior.Alpha) - k * SpecialFunctions.GammaLn(prior.Alpha);
            for (int c = 0; c < k; c++)
                logPrior += (prior.Alpha - 1) * Math.Log(p.Weights[c]);
        }
        switch (Type)
        {
            case CovarianceType.Full:
            case CovarianceType.Tied:
                {
                    var scale = Matrix<double>.Build.Dense(d, d, (i, j) => prior.Scale[i * d + j]);
                    double logDetScale = scale.Cholesky().DeterminantLn;
                    int matrices = Type == CovarianceType.Full ? k : 1;
                    for (int c = 0; c < matrices; c++)
                    {
                        Matrix<double> precision = Precision(p, c);
                        // log|Σ| = −2 log det U.
                        double logDetCovariance = -2 * p.LogDet[c];
                        logPrior += 0.5 * prior.Nu * logDetScale - 0.5 * prior.Nu * d * Math.Log(2)
                            - MultivariateGammaLn(0.5 * prior.Nu, d)
                            - 0.5 * (prior.Nu + d + 1) * logDetCovariance
                            - 0.5 * (scale * precision).Trace();
                    }
                    if (prior.Kappa > 0)
                        for (int c = 0; c < k; c++)
                            logPrior += NormalLn(p.Means.AsSpan(c * d, d), prior.Location, Precision(p, c), prior.Kappa, -2 * p.LogDet[c]);
                    break;
                }
            default:
                {
                    bool spherical = Type == CovarianceType.Spherical;
                    double shape = 0.5 * prior.Nu;
                    for (int c = 0; c < k; c++)
                    {
                        if (spherical)
                            logPrior += InverseGammaLn(p.Covariances[c], shape, 0.5 * prior.ScaleTrace / d);
                        for (int j = 0; j < d; j++)
                        {
                            double variance = spherical ? p.Covariances[c] : p.Covariances[c * d + j];
                            if (!spherical)
                                logPrior += InverseGammaLn(variance, shape, 0.5 * prior.Scale[j * d + j]);
                            if (prior.Kappa > 0)
                            {
                                double e = p.Means[c * d + j] - prior.Location[j];
                                double v = variance / prior.Kappa;
                                logPrior += -0.5 * Math.Log(2 * Math.PI * v) - 0.5 * e * e / v;
                            }
                        }
                    }
                    break;
                }
        }
        return logPrior;
    }

    private static Matrix<double> Precision(GaussianParameters p, int component)
    {
        int d = p.D;
        var u = new double[d * d];
        p.ExpandFactor(component, u);
        var factor = Matrix<double>.Build.Dense(d, d, (i, j) => u[i * d + j]);
        return factor * factor.Transpose();
    }

    // log N(μ | m₀, Σ / κ₀) with P = Σ⁻¹.
    private static double NormalLn(ReadOnlySpan<double> mean, double[] location, Matrix<double> precision, double kappa, double logDetCovariance)
    {
        int d = location.Length;
        var e = Vector<double>.Build.Dense(d);
        for (int j = 0; j < d; j++)
            e[j] = mean[j] - location[j];
        double quadratic = kappa * (e * (precision * e));
        return -0.5 * d * Math.Log(2 * Math.PI) + 0.5 * d * Math.Log(kappa) - 0.5 * logDetCovariance - 0.5 * quadratic;
    }

    private static double InverseGammaLn(double x, double shape, double scale) =>
        shape * Math.Log(scale) - SpecialFunctions.GammaLn(shape) - (shape + 1) * Math.Log(x) - scale / x;

    private static double MultivariateGammaLn(double a, int d)
    {
        double sum = 0.25 * d * (d - 1) * Math.Log(Math.PI);
        for (int j = 1; j <= d; j++)
            sum += SpecialFunctions.GammaLn(a + 0.5 * (1 - j));
        return sum;
    }

    private static double[] KnownWeights(double[] weights, int k)
    {
        if (weights.Length != k)
            throw new ArgumentException($"KnownParameters.Weights has {weights.Length} values; ComponentCount is {k}.", "options");
        for (int c = 0; c < k; c++)
            if (!double.IsFinite(weights[c]) || weights[c] <= 0)
                throw new ArgumentException($"KnownParameters.Weights[{c}] is {weights[c]}; known weights must be finite and > 0.", "options");
        double sum = weights.Sum();
        if (Math.Abs(sum - 1) > 1e-9)
            throw new ArgumentException($"KnownParameters.Weights sum to {sum}; known weights must sum to 1.", "options");
        return (double[])weights.Clone();
    }

    private static double[] KnownMeans(double[,] means, int k, int d)
    {
        if (means.GetLength(0) != k || means.GetLength(1) != d)
            throw new ArgumentException(
                $"KnownParameters.Means is {means.GetLength(0)} × {means.GetLength(1)}; expected {k} × {d}.", "options");
        var flat = new double[k * d];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
            {
                if (!double.IsFinite(means[c, j]))
                    throw new ArgumentException($"KnownParameters.Means[{c}, {j}] is {means[c, j]}; means must be finite.", "options");
                flat[c * d + j] = means[c, j];
            }
        return flat;
    }

    private static double[] KnownCovariances(double[,,] covariances, CovarianceType type, int k, int d)
    {
        if (covariances.GetLength(0) != k || covariances.GetLength(1) != d || covariances.GetLength(2) != d)
            throw new ArgumentException(
                $"KnownParameters.Covariances is {covariances.GetLength(0)} × {covariances.GetLength(1)} × " +
                $"{covariances.GetLength(2)}; expected {k} × {d} × {d}.", "options");
        var compact = new double[GaussianParameters.CovarianceLength(type, k, d)];
        for (int c = 0; c < k; c++)
        {
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                {
                    double value = covariances[c, i, j];
                    string where = $"KnownParameters.Covariances[{c}, {i}, {j}]";
                    if (!double.IsFinite(value) || value != covariances[c, j, i])
                        throw new ArgumentException($"{where} is {value}; covariances must be finite and symmetric.", "options");
                    if (i != j && value != 0 && type is CovarianceType.Diagonal or CovarianceType.Spherical)
                        throw new ArgumentException($"{where} is {value}; a {type} covariance has zero off-diagonal entries.", "options");
                    if (type == CovarianceType.Spherical && i == j && value != covariances[c, 0, 0])
                        throw new ArgumentException($"{where} is {value}; a spherical covariance has a constant diagonal.", "options");
                    if (type == CovarianceType.Tied && value != covariances[0, i, j])
                        throw new ArgumentException($"{where} differs from component 0's; tied covariances are equal.", "options");
                    switch (type)
                    {
                        case CovarianceType.Full:
                            compact[c * d * d + i * d + j] = value;
                            break;
                        case CovarianceType.Tied:
                            compact[i * d + j] = value;
                            break;
                        case CovarianceType.Diagonal when i == j:
                            compact[c * d + j] = value;
                            break;
                        case CovarianceType.Spherical when i == 0 && j == 0:
                            compact[c] = value;
                            break;
                    }
                }
        }
        try
        {
            GaussianParameters.Create(type, k, d, Enumerable.Repeat(1.0 / k, k).ToArray(), new double[k * d], compact);
        }
        catch (SingularCovarianceException)
        {
            throw new ArgumentException("KnownParameters.Covariances must be positive definite.", "options");
        }
        return compact;
    }

    private static ResolvedPrior ResolvePrior(GaussianPrior prior, DataMatrix data, int k)
    {
        int d = data.Columns;
        if (!double.IsFinite(prior.WeightConcentration) || prior.WeightConcentration < 1)
            throw new ArgumentException(
                $"Prior.WeightConcentration is {prior.WeightConcentration}; it must be ≥ 1 (1 = flat) for a MAP estimate.", "options");
        if (!double.IsFinite(prior.MeanPrecision) || prior.MeanPrecision < 0)
            throw new ArgumentException($"Prior.MeanPrecision is {prior.MeanPrecision}; it must be finite and ≥ 0.", "options");
        (double[] mean, double[] covariance) = prior.MeanLocation is null || prior.Scale is null
            ? DataMoments(data)
            : (prior.MeanLocation, Array.Empty<double>());
        double[] location = prior.MeanLocation ?? mean;
        if (location.Length != d || location.Any(v => !double.IsFinite(v)))
            throw new ArgumentException($"Prior.MeanLocation must hold {d} finite values.", "options");
        double nu = prior.DegreesOfFreedom ?? d + 2;
        if (!double.IsFinite(nu) || nu <= d - 1 || nu <= 0)
            throw new ArgumentException($"Prior.DegreesOfFreedom is {nu}; it must be > d − 1 = {d - 1} and > 0.", "options");
        double[] scale;
        if (prior.Scale is null)
        {
            double factor = Math.Pow(k, -2.0 / d);
            scale = covariance.Select(v => v * factor).ToArray();
            // A constant column gives a singular data covariance: fall back to its diagonal floor.
            for (int j = 0; j < d; j++)
                if (!(scale[j * d + j] > 0))
                    scale[j * d + j] = 1e-6;
        }
        else
        {
            if (prior.Scale.GetLength(0) != d || prior.Scale.GetLength(1) != d)
                throw new ArgumentException($"Prior.Scale must be {d} × {d}.", "options");
            scale = prior.Scale.Cast<double>().ToArray();
        }
        var matrix = Matrix<double>.Build.Dense(d, d, (i, j) => scale[i * d + j]);
        if (scale.Any(v => !double.IsFinite(v)) || !matrix.IsSymmetric())
            throw new ArgumentException("Prior.Scale must be finite and symmetric.", "options");
        try
        {
            _ = matrix.Cholesky();
        }
        catch (ArgumentException)
        {
            throw new ArgumentException("Prior.Scale must be positive definite.", "options");
        }
        return new ResolvedPrior(prior.WeightConcentration, prior.MeanPrecision, (double[])location.Clone(), nu, scale);
    }

    /// <summary>Weighted mean and (biased) covariance of the data, by a centred second pass.</summary>
    private static (double[] Mean, double[] Covariance) DataMoments(DataMatrix data)
    {
        int d = data.Columns;
        double[] mean = data.WeightedMean();
        var covariance = new double[d * d];
        for (int row = 0; row < data.Rows; row++)
        {
            double w = data.Weight(row);
            ReadOnlySpan<float> x = data.Row(row);
            for (int i = 0; i < d; i++)
                for (int j = 0; j < d; j++)
                    covariance[i * d + j] += w * (x[i] - mean[i]) * (x[j] - mean[j]);
        }
        for (int i = 0; i < covariance.Length; i++)
            covariance[i] /= data.TotalWeight;
        return (mean, covariance);
    }
}
