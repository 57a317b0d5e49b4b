using GpuEm.Em;

namespace GpuEm.Models.CoarsenedCategorical;

/// <summary>
/// The table and settings of a coarsened categorical fit. Immutable; validated when the
/// estimator is made (the lists are copied then).
/// </summary>
/// <remarks>
/// The table has C cells with probabilities p_c = a_c · θ_{g(c)}: a known coefficient a_c ≥ 0
/// (<see cref="Coefficients"/>) times the free parameter θ_g ≥ 0 of the cell's group g(c)
/// (<see cref="Groups"/>), constrained so that Σ_c p_c = 1. For the ski-centre table
/// (t0,s0) = a, (t0,s1) = 5a, (t1,s0) = 3b, (t1,s1) = b: coefficients (1, 5, 3, 1), groups
/// (0, 0, 1, 1), θ = (a, b), constraint 6a + 4b = 1.
/// </remarks>
public sealed record CoarsenedCategoricalOptions : EmLoopOptions
{
    /// <summary>Options with the defaults below (MaxIterations 1000, Tolerance 1e-10 on the
    /// change of the log-likelihood per unit count; the progress reports the total
    /// log-likelihood Σ count · ln Σ p_c as the objective).</summary>
    public CoarsenedCategoricalOptions()
        : base(Defaults.MaxIterations, Defaults.Tolerance)
    {
    }

    /// <summary>Default values.</summary>
    public static class Defaults
    {
        /// <summary>1000: the model is tiny, iterations cost microseconds.</summary>
        public const int MaxIterations = 1000;

        /// <summary>1e-10 on the change of the log-likelihood per unit count.</summary>
        public const double Tolerance = 1e-10;
    }

    /// <summary>The coefficient a_c of every cell: C values, finite and ≥ 0; every group needs
    /// at least one positive coefficient. Required.</summary>
    public required IReadOnlyList<double> Coefficients { get; init; }

    /// <summary>The group g(c) of every cell: C values in 0 … G − 1, where the group count G is
    /// the largest value + 1 and every group in between has cells. Required.</summary>
    public required IReadOnlyList<int> Groups { get; init; }

    /// <summary>
    /// The starting θ, one value per group (G values, finite, ≥ 0), scaled by the fit so that
    /// Σ_c a_c θ_{g(c)} = 1 (only the ratios matter). A group started at 0 stays at 0. Default
    /// null: every θ_g = 1 / Σ_c a_c, so that p_c ∝ a_c.
    /// </summary>
    public IReadOnlyList<double>? InitialGroupParameters { get; init; }

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Coefficients, nameof(Coefficients));
        ArgumentNullException.ThrowIfNull(Groups, nameof(Groups));
        ValidateLoop();
        int cells = Coefficients.Count;
        if (cells == 0)
            throw new ArgumentException("Coefficients is empty; the table needs at least one cell.", nameof(Coefficients));
        if (Groups.Count != cells)
            throw new ArgumentException(
                $"Groups has {Groups.Count} values; Coefficients has {cells} (one of each per cell).", nameof(Groups));
        for (int cell = 0; cell < cells; cell++)
        {
            double a = Coefficients[cell];
            if (!double.IsFinite(a) || a < 0)
                throw new ArgumentException(
                    $"Coefficients[{cell}] = {a}: every coefficient must be finite and ≥ 0.", nameof(Coefficients));
            if (Groups[cell] < 0)
                throw new ArgumentException(
                    $"Groups[{cell}] = {Groups[cell]}: groups are numbered from 0.", nameof(Groups));
            // Every group needs a cell, so G ≤ cells: checked before G sizes anything (a group
            // number of 2³¹ − 1 would overflow G, one of 7·10⁸ allocate gigabytes).
            if (Groups[cell] >= cells)
                throw new ArgumentException(
                    $"Groups[{cell}] = {Groups[cell]}: groups are numbered 0 … G − 1 without gaps, and each has a cell, so no group number reaches the cell count ({cells}).",
                    nameof(Groups));
        }
        int groupCount = Groups.Max() + 1;
        var sums = new double[groupCount];
        for (int cell = 0; cell < cells; cell++)
            sums[Groups[cell]] += Coefficients[cell];
        for (int group = 0; group < groupCount; group++)
        {
            if (!(sums[group] > 0))
            {
                int[] members = Enumerable.Range(0, cells).Where(c => Groups[c] == group).ToArray();
                string which = members.Length == 0
                    ? "has no cells (groups are numbered 0 … G − 1 without gaps)"
                    : $"has only zero coefficients (cells {string.Join(", ", members)})";
                throw new ArgumentException(
                    $"Group {group} {which}: its parameter would not affect any probability. " +
                    "Give one of its cells a positive coefficient, or renumber the groups without it.",
                    nameof(Groups));
            }
            if (!double.IsFinite(sums[group]))
                throw new ArgumentException(
                    $"The coefficients of group {group} sum to infinity; scale the coefficients down.", nameof(Coefficients));
        }
        if (InitialGroupParameters is not null)
        {
            if (InitialGroupParameters.Count != groupCount)
                throw new ArgumentException(
                    $"InitialGroupParameters has {InitialGroupParameters.Count} values; the table has {groupCount} groups.",
                    nameof(InitialGroupParameters));
            double total = 0;
            for (int group = 0; group < groupCount; group++)
            {
                double theta = InitialGroupParameters[group];
                if (!double.IsFinite(theta) || theta < 0)
                    throw new ArgumentException(
                        $"InitialGroupParameters[{group}] = {theta}: every value must be finite and ≥ 0.",
                        nameof(InitialGroupParameters));
                total += sums[group] * theta;
            }
            if (!(total > 0) || !double.IsFinite(total))
                throw new ArgumentException(
                    $"InitialGroupParameters give Σ_c a_c θ_g(c) = {total}; it must be positive and finite " +
                    "(at least one group with a positive start).", nameof(InitialGroupParameters));
        }
    }
}
