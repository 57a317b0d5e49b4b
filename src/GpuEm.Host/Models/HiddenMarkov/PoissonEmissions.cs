using MathNet.Numerics;

namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// Poisson emissions: d columns of counts, independent given the state, state k's column j with
/// rate λ_kj: log b_k(x) = Σ_j x_j log λ_kj − λ_kj − log x_j!. The M-step is
/// λ_kj = (Σ_t γ_t(k) x_tj + a − 1) / (Σ_t γ_t(k) + b) under the Gamma(a, b) prior
/// (<see cref="HiddenMarkovOptions.RatePrior"/>), floored at <see cref="MinimumRate"/> so that no
/// count has probability 0; a state with no weight keeps its rates.
/// </summary>
internal sealed class PoissonEmissions : HmmEmissions
{
    /// <summary>The smallest rate the M-step returns (a column of zeros gives it).</summary>
    public const double MinimumRate = 1e-12;

    private readonly double[] _logRates;

    public PoissonEmissions(int states, int dimension, double[] rates)
    {
        States = states;
        Dimension = dimension;
        Rates = rates;
        _logRates = rates.Select(v => Math.Log(v)).ToArray();
    }

    public override int States { get; }

    public override int Dimension { get; }

    /// <summary>λ, K × d row-major.</summary>
    public double[] Rates { get; }

    public override HmmEmission Kind => HmmEmission.Poisson;

    public override int ScratchLength => 0;

    public override long FreeParameterCount => (long)States * Dimension;

    public override void LogDensity(ReadOnlySpan<float> x, Span<double> logB, Span<double> scratch)
    {
        int d = Dimension;
        double constant = 0;
        for (int j = 0; j < d; j++)
            constant -= SpecialFunctions.FactorialLn((int)x[j]);
        for (int k = 0; k < States; k++)
        {
            double sum = constant;
            for (int j = 0; j < d; j++)
                sum += (x[j] == 0 ? 0 : x[j] * _logRates[k * d + j]) - Rates[k * d + j];
            logB[k] = sum;
        }
    }

    public override HmmEmissionStatistics CreateStatistics() => new Statistics(States, Dimension);

    public override HmmEmissions Maximize(HmmEmissionStatistics statistics, HmmSettings settings)
    {
        var stats = (Statistics)statistics;
        (double shape, double rate) = settings.RatePrior;
        int d = Dimension;
        var next = new double[Rates.Length];
        for (int k = 0; k < States; k++)
        {
            double weight = stats.Weight[k];
            if (!(weight + rate > GaussianEmissions.EmptyShare))
            {
                Array.Copy(Rates, k * d, next, k * d, d);
                continue;
            }
            for (int j = 0; j < d; j++)
                next[k * d + j] = Math.Max(MinimumRate, (stats.Sums[k * d + j] + shape - 1) / (weight + rate));
        }
        return new PoissonEmissions(States, d, next);
    }

    public override double LogPrior(HmmSettings settings)
    {
        (double shape, double rate) = settings.RatePrior;
        if (shape == 1 && rate == 0)
            return 0;
        double sum = 0;
        for (int i = 0; i < Rates.Length; i++)
            sum += (shape - 1) * _logRates[i] - rate * Rates[i];
        return sum;
    }

    public override void Sample(int state, Random random, Span<float> target)
    {
        for (int j = 0; j < Dimension; j++)
            target[j] = Poisson(Rates[state * Dimension + j], random);
    }

    // Knuth's product method below 30, else the rounded normal approximation's exact cousin:
    // the sum of Knuth draws of at most 30 each (exact, and fast enough for a sampler).
    private static float Poisson(double lambda, Random random)
    {
        long count = 0;
        while (lambda > 30)
        {
            count += Knuth(30, random);
            lambda -= 30;
        }
        return count + Knuth(lambda, random);
    }

    private static long Knuth(double lambda, Random random)
    {
        double limit = Math.Exp(-lambda);
        long k = 0;
        double p = random.NextDouble();
        while (p > limit)
        {
            k++;
            p *= random.NextDouble();
        }
        return k;
    }

    /// <summary>Σ γ (K) and Σ γ x (K × d), for the accelerator engine to fill.</summary>
    internal sealed class Statistics(int states, int dimension) : HmmEmissionStatistics
    {
        public double[] Weight { get; } = new double[states];

        public double[] Sums { get; } = new double[states * dimension];

        public override void AddStep(ReadOnlySpan<float> x, ReadOnlySpan<double> gamma, Span<double> scratch)
        {
            for (int k = 0; k < states; k++)
            {
                double g = gamma[k];
                if (g == 0)
                    continue;
                Weight[k] += g;
                for (int j = 0; j < dimension; j++)
                    Sums[k * dimension + j] += g * x[j];
            }
        }

        public override void Add(HmmEmissionStatistics other)
        {
            var o = (Statistics)other;
            AddInto(Weight, o.Weight);
            AddInto(Sums, o.Sums);
        }

        public override void Clear()
        {
            Array.Clear(Weight);
            Array.Clear(Sums);
        }
    }
}
