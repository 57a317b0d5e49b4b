namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// The M-step: a pure function from sufficient statistics to parameters, in float64, shared by
/// every engine. With δ_k = S1_k / N_k: μ_k = c_k + δ_k and Σ_k = S2_k / N_k − δ_k δ_kᵀ + λI,
/// λ = the covariance regularization. N_k gets 10·ε added first (as scikit-learn) so an empty
/// component keeps its mean instead of producing NaN.
/// </summary>
internal static class GaussianMStep
{
    /// <summary>float64 machine epsilon, 2⁻⁵².</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    public static GaussianParameters Maximize(GaussianStatistics stats, CovarianceType type, double regularization)
    {
        int k = stats.K;
        int d = stats.D;
        var n = new double[k];
        double total = 0;
        for (int c = 0; c < k; c++)
        {
            n[c] = stats.Weight[c] + 10 * MachineEpsilon;
            total += n[c];
        }
        var weights = new double[k];
        var means = new double[k * d];
        var delta = new double[k * d];
        for (int c = 0; c < k; c++)
        {
            weights[c] = n[c] / total;
            for (int j = 0; j < d; j++)
            {
                int index = c * d + j;
                delta[index] = stats.Sum1[index] / n[c];
                means[index] = stats.Shifts[index] + delta[index];
            }
        }

        var covariances = new double[GaussianParameters.CovarianceLength(type, k, d)];
        switch (type)
        {
            case CovarianceType.Full:
                for (int c = 0; c < k; c++)
                    CentredSecondMoment(stats, delta, n[c], c, covariances.AsSpan(c * d * d, d * d), 1.0 / n[c]);
                for (int c = 0; c < k; c++)
                    AddToDiagonal(covariances.AsSpan(c * d * d, d * d), d, regularization);
                break;
            case CovarianceType.Tied:
                double totalWeight = stats.Weight.Sum();
                double scale = totalWeight > 0 ? 1.0 / totalWeight : 0;
                for (int c = 0; c < k; c++)
                    CentredSecondMoment(stats, delta, n[c], c, covariances, scale);
                AddToDiagonal(covariances, d, regularization);
                break;
            case CovarianceType.Diagonal:
                for (int c = 0; c < k; c++)
                    for (int j = 0; j < d; j++)
                    {
                        int index = c * d + j;
                        covariances[index] = stats.Sum2[index] / n[c] - delta[index] * delta[index] + regularization;
                    }
                break;
            default:
                for (int c = 0; c < k; c++)
                {
                    double sum = 0;
                    for (int j = 0; j < d; j++)
                    {
                        int index = c * d + j;
                        sum += stats.Sum2[index] / n[c] - delta[index] * delta[index] + regularization;
                    }
                    covariances[c] = sum / d;
                }
                break;
        }
        return GaussianParameters.Create(type, k, d, weights, means, covariances);
    }

    // target += scale · (S2_c − N_c δ δᵀ): the scatter of component c about its new mean.
    private static void CentredSecondMoment(
        GaussianStatistics stats, double[] delta, double n, int c, Span<double> target, double scale)
    {
        int d = stats.D;
        ReadOnlySpan<double> s2 = stats.Sum2.AsSpan(c * d * d, d * d);
        ReadOnlySpan<double> dc = delta.AsSpan(c * d, d);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                target[i * d + j] += scale * (s2[i * d + j] - n * dc[i] * dc[j]);
    }

    private static void AddToDiagonal(Span<double> matrix, int d, double value)
    {
        for (int j = 0; j < d; j++)
            matrix[j * d + j] += value;
    }
}
