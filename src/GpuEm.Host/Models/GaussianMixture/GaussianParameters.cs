using MathNet.Numerics.LinearAlgebra;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// Mixture parameters in compact float64 form, with the precision Cholesky factors the E-step
/// uses. Shapes by covariance type (row-major): full k × d × d, tied d × d, diagonal k × d,
/// spherical k. Full/tied factors U are upper-triangular with precision = U Uᵀ (scikit-learn's
/// convention); diagonal/spherical factors are 1/σ.
/// </summary>
internal sealed class GaussianParameters
{
    private GaussianParameters(
        CovarianceType type, int k, int d, double[] weights, double[] means, double[] covariances,
        double[] precisionCholesky, double[] logDet)
    {
        Type = type;
        K = k;
        D = d;
        Weights = weights;
        Means = means;
        Covariances = covariances;
        PrecisionCholesky = precisionCholesky;
        LogDet = logDet;
        double constant = -0.5 * d * Math.Log(2 * Math.PI);
        LogNorm = new double[k];
        for (int c = 0; c < k; c++)
            LogNorm[c] = Math.Log(weights[c]) + logDet[c] + constant;
    }

    public CovarianceType Type { get; }

    public int K { get; }

    public int D { get; }

    public double[] Weights { get; }

    public double[] Means { get; }

    public double[] Covariances { get; }

    public double[] PrecisionCholesky { get; }

    /// <summary>Per component, log det U = Σ log diag U (for spherical, d·log(1/σ)).</summary>
    public double[] LogDet { get; }

    /// <summary>Per component, log w + log det U − ½ d log 2π: log p(x, k) at x = μ_k.</summary>
    public double[] LogNorm { get; }

    /// <summary>Length of the compact covariance array for a type.</summary>
    public static int CovarianceLength(CovarianceType type, int k, int d) => type switch
    {
        CovarianceType.Full => k * d * d,
        CovarianceType.Tied => d * d,
        CovarianceType.Diagonal => k * d,
        _ => k,
    };

    /// <summary>Free parameters: weights k − 1, means k·d, and the covariance entries.</summary>
    public static long FreeParameterCount(CovarianceType type, int k, int d)
    {
        long covariance = type switch
        {
            CovarianceType.Full => (long)k * d * (d + 1) / 2,
            CovarianceType.Tied => (long)d * (d + 1) / 2,
            CovarianceType.Diagonal => (long)k * d,
            _ => k,
        };
        return covariance + (long)k * d + k - 1;
    }

    /// <summary>
    /// Builds parameters from weights, means and compact covariances (taken as they are, not
    /// copied), factoring each covariance. Throws <see cref="SingularCovarianceException"/> when one
    /// is not positive definite.
    /// </summary>
    public static GaussianParameters Create(
        CovarianceType type, int k, int d, double[] weights, double[] means, double[] covariances)
    {
        var factors = new double[covariances.Length];
        var logDet = new double[k];
        switch (type)
        {
            case CovarianceType.Full:
                for (int c = 0; c < k; c++)
                    logDet[c] = FactorFull(covariances, factors, c * d * d, d, c);
                break;
            case CovarianceType.Tied:
                double tied = FactorFull(covariances, factors, 0, d, 0);
                Array.Fill(logDet, tied);
                break;
            case CovarianceType.Diagonal:
                for (int c = 0; c < k; c++)
                {
                    double sum = 0;
                    for (int j = 0; j < d; j++)
                    {
                        int index = c * d + j;
                        factors[index] = InverseSqrt(covariances[index], c);
                        sum += Math.Log(factors[index]);
                    }
                    logDet[c] = sum;
                }
                break;
            default:
                for (int c = 0; c < k; c++)
                {
                    factors[c] = InverseSqrt(covariances[c], c);
                    logDet[c] = d * Math.Log(factors[c]);
                }
                break;
        }
        return new GaussianParameters(type, k, d, weights, means, covariances, factors, logDet);
    }

    /// <summary>The factor of component <paramref name="component"/> as a full d × d upper-triangular
    /// matrix (diagonal types give a diagonal matrix), row-major, into <paramref name="target"/>.</summary>
    public void ExpandFactor(int component, Span<double> target) =>
        Expand(PrecisionCholesky, component, target);

    /// <summary>The covariance of <paramref name="component"/> as a full d × d matrix.</summary>
    public void ExpandCovariance(int component, Span<double> target) => Expand(Covariances, component, target);

    private void Expand(double[] compact, int component, Span<double> target)
    {
        int d = D;
        target[..(d * d)].Clear();
        switch (Type)
        {
            case CovarianceType.Full:
                compact.AsSpan(component * d * d, d * d).CopyTo(target);
                break;
            case CovarianceType.Tied:
                compact.AsSpan(0, d * d).CopyTo(target);
                break;
            case CovarianceType.Diagonal:
                for (int j = 0; j < d; j++)
                    target[j * d + j] = compact[component * d + j];
                break;
            default:
                for (int j = 0; j < d; j++)
                    target[j * d + j] = compact[component];
                break;
        }
    }

    private static double InverseSqrt(double variance, int component)
    {
        if (!(variance > 0) || !double.IsFinite(variance))
            throw SingularCovarianceException.For(component);
        return 1.0 / Math.Sqrt(variance);
    }

    // U = inv(C)ᵀ with covariance = C Cᵀ (C lower, from MathNet); returns Σ log diag U.
    private static double FactorFull(double[] covariances, double[] factors, int offset, int d, int component)
    {
        var covariance = Matrix<double>.Build.Dense(d, d, (i, j) => covariances[offset + i * d + j]);
        Matrix<double> lower;
        try
        {
            lower = covariance.Cholesky().Factor;
        }
        catch (ArgumentException)
        {
            throw SingularCovarianceException.For(component);
        }
        // Forward substitution for the columns of inv(C), written transposed: U[j, i] = inv(C)[i, j].
        double logDet = 0;
        for (int col = 0; col < d; col++)
        {
            for (int row = col; row < d; row++)
            {
                double sum = row == col ? 1.0 : 0.0;
                for (int m = col; m < row; m++)
                    sum -= lower[row, m] * factors[offset + col * d + m];
                double value = sum / lower[row, row];
                if (!double.IsFinite(value))
                    throw SingularCovarianceException.For(component);
                factors[offset + col * d + row] = value;
            }
            logDet += Math.Log(factors[offset + col * d + col]);
        }
        return logDet;
    }
}
