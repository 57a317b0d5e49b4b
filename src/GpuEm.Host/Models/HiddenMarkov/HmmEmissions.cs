namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// The emission densities of every state, immutable: log b_k(x) per row, the statistics the
/// M-step needs, the M-step itself, sampling and the parameter count. One subclass per
/// <see cref="HmmEmission"/>; the forward-backward code sees only log b.
/// </summary>
internal abstract class HmmEmissions
{
    /// <summary>Hidden states K.</summary>
    public abstract int States { get; }

    /// <summary>Columns of a row.</summary>
    public abstract int Dimension { get; }

    /// <summary>What the states emit.</summary>
    public abstract HmmEmission Kind { get; }

    /// <summary>Scratch doubles <see cref="LogDensity"/> and the statistics' AddStep need per row.</summary>
    public abstract int ScratchLength { get; }

    /// <summary>Free parameters of the emissions.</summary>
    public abstract long FreeParameterCount { get; }

    /// <summary>log b_k(x) for every state into <paramref name="logB"/> (K values); a row with
    /// some NaN entries (allowed only when the data was validated for it) gets the marginal of its
    /// observed entries. A row of only NaN is handled by the caller (log b = 0).</summary>
    public abstract void LogDensity(ReadOnlySpan<float> x, Span<double> logB, Span<double> scratch);

    /// <summary>Empty statistics for an E-step at these parameters.</summary>
    public abstract HmmEmissionStatistics CreateStatistics();

    /// <summary>The M-step from statistics taken at these parameters; a state with no weight
    /// keeps its current parameters.</summary>
    public abstract HmmEmissions Maximize(HmmEmissionStatistics statistics, HmmSettings settings);

    /// <summary>log p(θ) of the emissions under the settings' prior (0 without one).</summary>
    public abstract double LogPrior(HmmSettings settings);

    /// <summary>Draws one row from state <paramref name="state"/>.</summary>
    public abstract void Sample(int state, Random random, Span<float> target);

    /// <summary>Standard normal draw (Box-Muller), for the Gaussian emissions' samplers.</summary>
    protected static double StandardNormal(Random random)
    {
        double u = 1.0 - random.NextDouble();
        double v = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v);
    }
}

/// <summary>
/// Mergeable emission statistics of one E-step: each step's row weighted by its state
/// posteriors γ_t. Statistics of disjoint rows taken at the same parameters add up.
/// </summary>
internal abstract class HmmEmissionStatistics
{
    /// <summary>Adds one row with state posteriors <paramref name="gamma"/> (K values summing to 1).</summary>
    public abstract void AddStep(ReadOnlySpan<float> x, ReadOnlySpan<double> gamma, Span<double> scratch);

    /// <summary>Adds <paramref name="other"/> (same parameters) into this.</summary>
    public abstract void Add(HmmEmissionStatistics other);

    /// <summary>Empties the sums.</summary>
    public abstract void Clear();

    /// <summary>Completes the sums once all rows are in (full covariances: the lower triangle).</summary>
    public virtual void Finish()
    {
    }

    /// <summary>Adds <paramref name="source"/> into <paramref name="target"/> element by element.</summary>
    protected static void AddInto(double[] target, double[] source)
    {
        for (int i = 0; i < target.Length; i++)
            target[i] += source[i];
    }
}
