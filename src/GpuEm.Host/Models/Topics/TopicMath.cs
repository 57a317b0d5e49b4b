using MathNet.Numerics;

namespace GpuEm.Models.Topics;

/// <summary>
/// The special functions of variational LDA in float64: ψ (digamma), its inverse, and the
/// Dirichlet expectations E[log θ_k] = ψ(γ_k) − ψ(Σ γ).
/// </summary>
internal static class TopicMath
{
    /// <summary>
    /// ψ(x) for x &gt; 0: the recurrence ψ(x) = ψ(x + 1) − 1/x up to x ≥ 6 (its reciprocals added
    /// as one fraction, so one division), then the asymptotic series to x⁻¹⁰ (absolute error
    /// below 1e-13 there).
    /// </summary>
    public static double Digamma(double x)
    {
        double result = 0;
        if (x < 6)
        {
            double numerator = 0, denominator = 1;
            while (x < 6)
            {
                numerator = numerator * x + denominator;
                denominator *= x;
                x += 1;
            }
            result = -numerator / denominator;
        }
        double f = 1 / (x * x);
        double series = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 + f * (-1.0 / 132)))));
        return result + Math.Log(x) - 0.5 / x + series;
    }

    /// <summary>ψ⁻¹(y) by Newton's method from Minka's start (five steps reach float64 precision).</summary>
    public static double InverseDigamma(double y)
    {
        double x = y >= -2.22 ? Math.Exp(y) + 0.5 : -1 / (y + 0.5772156649015329);
        for (int i = 0; i < 6; i++)
            x -= (Digamma(x) - y) / Trigamma(x);
        return x;
    }

    /// <summary>ψ′(x) for x &gt; 0 by recurrence and the asymptotic series.</summary>
    public static double Trigamma(double x)
    {
        double result = 0;
        while (x < 6)
        {
            result += 1 / (x * x);
            x += 1;
        }
        double f = 1 / (x * x);
        return result + 1 / x + f / 2 + f / x * (1.0 / 6 + f * (-1.0 / 30 + f * (1.0 / 42 + f * (-1.0 / 30))));
    }

    /// <summary>ln Γ(x).</summary>
    public static double GammaLn(double x) => SpecialFunctions.GammaLn(x);

    /// <summary>E[log θ_k] = ψ(γ_k) − ψ(Σ γ) into <paramref name="expectation"/>; returns Σ γ.</summary>
    public static double DirichletExpectation(ReadOnlySpan<double> gamma, Span<double> expectation)
    {
        double sum = 0;
        for (int k = 0; k < gamma.Length; k++)
            sum += gamma[k];
        double total = Digamma(sum);
        for (int k = 0; k < gamma.Length; k++)
            expectation[k] = Digamma(gamma[k]) - total;
        return sum;
    }

    /// <summary>
    /// The Dirichlet part of a bound term: Σ_k (prior_k − γ_k) E[log θ_k] + Σ_k ln Γ(γ_k) −
    /// ln Γ(Σ γ) + ln Γ(Σ prior) − Σ_k ln Γ(prior_k), i.e. E_q[log p(θ | prior) − log q(θ | γ)].
    /// </summary>
    public static double DirichletBound(ReadOnlySpan<double> prior, double priorNorm, ReadOnlySpan<double> gamma, ReadOnlySpan<double> expectation)
    {
        double value = priorNorm, gammaSum = 0;
        for (int k = 0; k < gamma.Length; k++)
        {
            value += (prior[k] - gamma[k]) * expectation[k] + GammaLn(gamma[k]);
            gammaSum += gamma[k];
        }
        return value - GammaLn(gammaSum);
    }

    /// <summary>ln Γ(Σ prior) − Σ ln Γ(prior_k), the normalizer of a Dirichlet.</summary>
    public static double DirichletNorm(ReadOnlySpan<double> prior)
    {
        double sum = 0, value = 0;
        for (int k = 0; k < prior.Length; k++)
        {
            sum += prior[k];
            value -= GammaLn(prior[k]);
        }
        return value + GammaLn(sum);
    }
}
