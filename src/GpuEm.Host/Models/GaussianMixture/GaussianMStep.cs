namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// The M-step: a pure function from sufficient statistics to parameters, in float64, shared by
/// every engine. With δ_k = S1_k / N_k the weighted mean is x̄_k = c_k + δ_k; the mean μ_k is x̄_k
/// (ML), the MAP mean, or the known one; the covariance is the scatter around μ_k,
/// S2_k − N_k δ_k δ_kᵀ + N_k (x̄_k − μ_k)(x̄_k − μ_k)ᵀ, over N_k (ML) or with the prior's terms
/// (MAP; see <see cref="GaussianPrior"/>), plus λI, λ = the covariance regularization. Known
/// parameters replace the estimates as given. N_k gets 10·ε added first (as scikit-learn) so an
/// empty component keeps its mean instead of producing NaN.
/// </summary>
internal static class GaussianMStep
{
    /// <summary>float64 machine epsilon, 2⁻⁵².</summary>
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>The plain maximum-likelihood step (no known parameters, no prior).</summary>
    public static GaussianParameters Maximize(GaussianStatistics stats, CovarianceType type, double regularization) =>
        Maximize(stats, ResolvedGaussianConstraints.None(type, regularization));

    public static GaussianParameters Maximize(GaussianStatistics stats, ResolvedGaussianConstraints constraints)
    {
        int k = stats.K;
        int d = stats.D;
        CovarianceType type = constraints.Type;
        ResolvedGaussianConstraints.ResolvedPrior? prior = constraints.Prior;
        var n = new double[k];
        double total = 0;
        for (int c = 0; c < k; c++)
        {
            n[c] = stats.Weight[c] + 10 * MachineEpsilon;
            total += n[c];
        }

        double[] weights = constraints.Weights is not null ? (double[])constraints.Weights.Clone() : new double[k];
        if (constraints.Weights is null)
        {
            double alpha = prior?.Alpha ?? 1;
            double denominator = total + k * (alpha - 1);
            for (int c = 0; c < k; c++)
                weights[c] = (n[c] + alpha - 1) / denominator;
        }

        // x̄ − c = δ; μ − c = m (the offset of the chosen mean from the shift).
        var delta = new double[k * d];
        var offset = new double[k * d];
        var means = new double[k * d];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
            {
                int index = c * d + j;
                delta[index] = stats.Sum1[index] / n[c];
                double mean = stats.Shifts[index] + delta[index];
                if (constraints.Means is not null)
                    mean = constraints.Means[index];
                else if (prior is { Kappa: > 0 })
                    mean = (n[c] * mean + prior.Kappa * prior.Location[j]) / (n[c] + prior.Kappa);
                means[index] = mean;
                offset[index] = mean - stats.Shifts[index];
            }

        double[] covariances = constraints.Covariances is not null
            ? (double[])constraints.Covariances.Clone()
            : Covariances(stats, constraints, n, delta, offset, means);
        return GaussianParameters.Create(type, k, d, weights, means, covariances);
    }

    private static double[] Covariances(
        GaussianStatistics stats, ResolvedGaussianConstraints constraints, double[] n, double[] delta, double[] offset,
        double[] means)
    {
        int k = stats.K;
        int d = stats.D;
        CovarianceType type = constraints.Type;
        double reg = constraints.Regularization;
        ResolvedGaussianConstraints.ResolvedPrior? prior = constraints.Prior;
        double kappa = prior?.Kappa ?? 0;
        int meanPrior = kappa > 0 ? 1 : 0;
        var covariances = new double[GaussianParameters.CovarianceLength(type, k, d)];
        switch (type)
        {
            case CovarianceType.Full:
                for (int c = 0; c < k; c++)
                {
                    Span<double> target = covariances.AsSpan(c * d * d, d * d);
                    Scatter(stats, delta, offset, n[c], c, target);
                    double denominator = n[c];
                    if (prior is not null)
                    {
                        AddPrior(prior, means.AsSpan(c * d, d), target, d);
                        denominator = n[c] + meanPrior + prior.Nu + d + 1;
                    }
                    Scale(target, 1.0 / denominator);
                    AddToDiagonal(target, d, reg);
                }
                break;
            case CovarianceType.Tied:
                {
                    double denominator = stats.Weight.Sum();
                    for (int c = 0; c < k; c++)
                    {
                        Scatter(stats, delta, offset, n[c], c, covariances);
                        if (prior is { Kappa: > 0 })
                            AddOuter(covariances, means.AsSpan(c * d, d), prior.Location, prior.Kappa, d);
                    }
                    if (prior is not null)
                    {
                        for (int i = 0; i < d * d; i++)
                            covariances[i] += prior.Scale[i];
                        denominator += meanPrior * k + prior.Nu + d + 1;
                    }
                    Scale(covariances, denominator > 0 ? 1.0 / denominator : 0);
                    AddToDiagonal(covariances, d, reg);
                    break;
                }
            default:
                {
                    bool spherical = type == CovarianceType.Spherical;
                    for (int c = 0; c < k; c++)
                    {
                        double sphericalSum = 0;
                        for (int j = 0; j < d; j++)
                        {
                            int index = c * d + j;
                            // Scatter around μ per dimension: S2 − N δ² + N (δ − m)².
                            double gap = delta[index] - offset[index];
                            double scatter = stats.Sum2[index] - n[c] * delta[index] * delta[index] + n[c] * gap * gap;
                            if (prior is not null)
                            {
                                double e = means[index] - prior.Location[j];
                                scatter += kappa * e * e + (spherical ? 0 : prior.Scale[j * d + j]);
                            }
                            if (spherical)
                            {
                                sphericalSum += scatter;
                                continue;
                            }
                            double denominator = prior is null ? n[c] : n[c] + meanPrior + prior.Nu + 2;
                            covariances[index] = scatter / denominator + reg;
                        }
                        if (spherical)
                        {
                            double denominator = n[c] * d;
                            if (prior is not null)
                            {
                                sphericalSum += prior.ScaleTrace / d;
                                denominator += meanPrior * d + prior.Nu + 2;
                            }
                            covariances[c] = sphericalSum / denominator + reg;
                        }
                    }
                    break;
                }
        }
        return covariances;
    }

    // target += S2_c − N δ δᵀ + N (δ − m)(δ − m)ᵀ: the scatter of component c about its mean
    // μ = shift + m (the last term vanishes when μ is the weighted mean, m = δ).
    private static void Scatter(
        GaussianStatistics stats, double[] delta, double[] offset, double n, int c, Span<double> target)
    {
        int d = stats.D;
        ReadOnlySpan<double> s2 = stats.Sum2.AsSpan(c * d * d, d * d);
        ReadOnlySpan<double> dc = delta.AsSpan(c * d, d);
        ReadOnlySpan<double> mc = offset.AsSpan(c * d, d);
        bool shifted = !dc.SequenceEqual(mc);
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
            {
                double value = s2[i * d + j] - n * dc[i] * dc[j];
                if (shifted)
                    value += n * (dc[i] - mc[i]) * (dc[j] - mc[j]);
                target[i * d + j] += value;
            }
    }

    // target += S₀ + κ₀ (μ − m₀)(μ − m₀)ᵀ.
    private static void AddPrior(ResolvedGaussianConstraints.ResolvedPrior prior, ReadOnlySpan<double> mean, Span<double> target, int d)
    {
        for (int i = 0; i < d * d; i++)
            target[i] += prior.Scale[i];
        if (prior.Kappa > 0)
            AddOuter(target, mean, prior.Location, prior.Kappa, d);
    }

    private static void AddOuter(Span<double> target, ReadOnlySpan<double> mean, double[] location, double kappa, int d)
    {
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                target[i * d + j] += kappa * (mean[i] - location[i]) * (mean[j] - location[j]);
    }

    private static void Scale(Span<double> matrix, double factor)
    {
        for (int i = 0; i < matrix.Length; i++)
            matrix[i] *= factor;
    }

    private static void AddToDiagonal(Span<double> matrix, int d, double value)
    {
        for (int j = 0; j < d; j++)
            matrix[j * d + j] += value;
    }
}
