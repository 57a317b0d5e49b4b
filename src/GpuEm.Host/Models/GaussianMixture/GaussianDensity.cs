namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// Reference (float64) log densities: log p(x, k) = log w_k + log det U_k − ½ d log 2π
/// − ½‖(x − μ_k) U_k‖², then log-sum-exp over k. Used by the reference engine and by the fitted
/// model's predictions.
/// </summary>
internal static class GaussianDensity
{
    /// <summary>log p(x, k) for every component into <paramref name="logJoint"/>.</summary>
    /// <param name="p">The parameters.</param>
    /// <param name="x">One point, d values.</param>
    /// <param name="logJoint">Output, k values.</param>
    /// <param name="centred">Scratch, d values.</param>
    public static void LogJoint(GaussianParameters p, ReadOnlySpan<float> x, Span<double> logJoint, Span<double> centred)
    {
        int d = p.D;
        double[] factors = p.PrecisionCholesky;
        for (int c = 0; c < p.K; c++)
        {
            ReadOnlySpan<double> mean = p.Means.AsSpan(c * d, d);
            for (int j = 0; j < d; j++)
                centred[j] = x[j] - mean[j];
            double squared = 0;
            switch (p.Type)
            {
                case CovarianceType.Full:
                case CovarianceType.Tied:
                    int offset = p.Type == CovarianceType.Full ? c * d * d : 0;
                    squared = TriangularSquaredNorm(centred[..d], factors.AsSpan(offset, d * d), d);
                    break;
                case CovarianceType.Diagonal:
                    for (int j = 0; j < d; j++)
                    {
                        double v = centred[j] * factors[c * d + j];
                        squared += v * v;
                    }
                    break;
                default:
                    double s = factors[c];
                    for (int j = 0; j < d; j++)
                        squared += centred[j] * centred[j];
                    squared *= s * s;
                    break;
            }
            logJoint[c] = p.LogNorm[c] - 0.5 * squared;
        }
    }

    /// <summary>‖z U‖² for an upper-triangular row-major U.</summary>
    public static double TriangularSquaredNorm(ReadOnlySpan<double> z, ReadOnlySpan<double> u, int d)
    {
        double squared = 0;
        for (int j = 0; j < d; j++)
        {
            double y = 0;
            for (int i = 0; i <= j; i++)
                y += z[i] * u[i * d + j];
            squared += y * y;
        }
        return squared;
    }

    /// <summary>
    /// Turns log p(x, k) in place into posteriors p(k | x) and returns log p(x) (log-sum-exp).
    /// </summary>
    public static double Normalize(Span<double> logJoint)
    {
        double max = double.NegativeInfinity;
        foreach (double v in logJoint)
            max = Math.Max(max, v);
        double sum = 0;
        for (int c = 0; c < logJoint.Length; c++)
        {
            double e = Math.Exp(logJoint[c] - max);
            logJoint[c] = e;
            sum += e;
        }
        double inverse = 1.0 / sum;
        for (int c = 0; c < logJoint.Length; c++)
            logJoint[c] *= inverse;
        return max + Math.Log(sum);
    }
}
