namespace GpuEm.Models.Categorical;

/// <summary>
/// A fitted coarsened categorical model: immutable; array properties return copies.
/// </summary>
public sealed class CoarsenedCategoricalModel
{
    private readonly double[] _theta;
    private readonly double[] _probabilities;
    private readonly double[] _expectedCounts;
    private readonly double[] _history;

    internal CoarsenedCategoricalModel(
        double[] theta, double[] probabilities, double[] expectedCounts, double totalCount,
        IReadOnlyList<double> history, bool converged, int iterations, bool cancelled)
    {
        _theta = theta;
        _probabilities = probabilities;
        _expectedCounts = expectedCounts;
        TotalCount = totalCount;
        _history = history.ToArray();
        Converged = converged;
        Iterations = iterations;
        Cancelled = cancelled;
    }

    /// <summary>Cells C.</summary>
    public int CellCount => _probabilities.Length;

    /// <summary>Groups G.</summary>
    public int GroupCount => _theta.Length;

    /// <summary>The fitted θ, G values ≥ 0 with Σ_c a_c θ_{g(c)} = 1.</summary>
    public double[] GroupParameters => (double[])_theta.Clone();

    /// <summary>The fitted cell probabilities p_c = a_c · θ_{g(c)}, C values summing to 1.</summary>
    public double[] CellProbabilities => (double[])_probabilities.Clone();

    /// <summary>
    /// The E-step at the fitted θ: the expected count of every cell, each observation's count
    /// split over its cells in proportion to p_c (C values summing to <see cref="TotalCount"/>).
    /// </summary>
    public double[] ExpectedCellCounts => (double[])_expectedCounts.Clone();

    /// <summary>The sum of the observations' counts, N.</summary>
    public double TotalCount { get; }

    /// <summary>The observed-data log-likelihood Σ_o count_o · ln Σ_{c∈o} p_c at the fitted θ
    /// (without the multinomial coefficient, which does not depend on θ).</summary>
    public double LogLikelihood => _history[^1];

    /// <summary>The log-likelihood at the start, then after each iteration; never decreases.</summary>
    public IReadOnlyList<double> LogLikelihoodHistory => _history;

    /// <summary>Whether the change of the log-likelihood per unit count fell below the tolerance.</summary>
    public bool Converged { get; }

    /// <summary>EM iterations (M-steps) run.</summary>
    public int Iterations { get; }

    /// <summary>Whether the fit was cancelled.</summary>
    public bool Cancelled { get; }
}
