namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// Categorical emissions: one column of symbols 0 … M − 1, state k emitting symbol s with
/// probability E[k, s]. The M-step is E[k, s] ∝ Σ_t γ_t(k)·[x_t = s] + α − 1 (α the
/// <see cref="HiddenMarkovOptions.EmissionConcentration"/>); a state with no weight keeps its row.
/// A probability that reaches 0 stays 0 (that state then never emits the symbol).
/// </summary>
internal sealed class CategoricalEmissions : HmmEmissions
{
    private readonly double[] _log;

    public CategoricalEmissions(int states, int symbols, double[] probabilities)
    {
        States = states;
        Symbols = symbols;
        Probabilities = probabilities;
        _log = probabilities.Select(v => Math.Log(v)).ToArray();
    }

    public override int States { get; }

    /// <summary>Symbols M.</summary>
    public int Symbols { get; }

    /// <summary>E, K × M row-major; each row sums to 1.</summary>
    public double[] Probabilities { get; }

    public override int Dimension => 1;

    public override HmmEmission Kind => HmmEmission.Categorical;

    public override int ScratchLength => 0;

    public override long FreeParameterCount => (long)States * (Symbols - 1);

    public override void LogDensity(ReadOnlySpan<float> x, Span<double> logB, Span<double> scratch)
    {
        int symbol = (int)x[0];
        for (int k = 0; k < States; k++)
            logB[k] = _log[k * Symbols + symbol];
    }

    public override HmmEmissionStatistics CreateStatistics() => new Statistics(States, Symbols);

    public override HmmEmissions Maximize(HmmEmissionStatistics statistics, HmmSettings settings)
    {
        double[] counts = ((Statistics)statistics).Counts;
        double pseudo = settings.EmissionConcentration - 1;
        var next = new double[Probabilities.Length];
        for (int k = 0; k < States; k++)
        {
            double sum = 0;
            for (int s = 0; s < Symbols; s++)
                sum += counts[k * Symbols + s] + pseudo;
            if (!(sum > GaussianEmissions.EmptyShare))
            {
                Array.Copy(Probabilities, k * Symbols, next, k * Symbols, Symbols);
                continue;
            }
            for (int s = 0; s < Symbols; s++)
                next[k * Symbols + s] = (counts[k * Symbols + s] + pseudo) / sum;
        }
        return new CategoricalEmissions(States, Symbols, next);
    }

    public override double LogPrior(HmmSettings settings)
    {
        double pseudo = settings.EmissionConcentration - 1;
        if (pseudo == 0)
            return 0;
        double sum = 0;
        foreach (double l in _log)
            sum += pseudo * l;
        return sum;
    }

    public override void Sample(int state, Random random, Span<float> target)
    {
        double u = random.NextDouble();
        int symbol = 0;
        double cumulative = Probabilities[state * Symbols];
        while (symbol < Symbols - 1 && u >= cumulative)
        {
            symbol++;
            cumulative += Probabilities[state * Symbols + symbol];
        }
        target[0] = symbol;
    }

    /// <summary>Σ γ [x = s] (K × M), for the accelerator engine to fill.</summary>
    internal sealed class Statistics(int states, int symbols) : HmmEmissionStatistics
    {
        public double[] Counts { get; } = new double[states * symbols];

        public override void AddStep(ReadOnlySpan<float> x, ReadOnlySpan<double> gamma, Span<double> scratch)
        {
            int symbol = (int)x[0];
            for (int k = 0; k < states; k++)
                Counts[k * symbols + symbol] += gamma[k];
        }

        public override void Add(HmmEmissionStatistics other) => AddInto(Counts, ((Statistics)other).Counts);

        public override void Clear() => Array.Clear(Counts);
    }
}
