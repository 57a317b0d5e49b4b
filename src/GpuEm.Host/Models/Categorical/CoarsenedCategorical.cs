using GpuEm.Em;

namespace GpuEm.Models.Categorical;

/// <summary>
/// Maximum-likelihood fit, by EM, of a categorical table whose cells are observed coarsened:
/// <c>new CoarsenedCategorical(options).Fit(observations)</c> returns an immutable
/// <see cref="CoarsenedCategoricalModel"/>.
/// </summary>
/// <remarks>
/// <para>
/// The table has C cells with p_c = a_c · θ_{g(c)} (known a_c ≥ 0, free θ_g ≥ 0,
/// Σ_c p_c = 1); see <see cref="CoarsenedCategoricalOptions"/>. Each observation is a set of cells
/// it could be (one cell, or a marginal) with a count; many kinds of observation may be mixed.
/// </para>
/// <para>
/// E-step: each observation's count is split over its cells in proportion to p_c, giving
/// expected cell counts n_c. M-step (closed form): θ_g = n_g / (N · A_g) with
/// n_g = Σ_{c∈g} n_c, N = Σ_c n_c and A_g = Σ_{c∈g} a_c — the maximizer of
/// Σ_c n_c ln(a_c θ_{g(c)}) under Σ_g A_g θ_g = 1 (Lagrange: n_g / θ_g = λ A_g, λ = N). The
/// observed-data log-likelihood Σ_o count_o · ln Σ_{c∈o} p_c never decreases; it is concave in
/// θ, so one start reaches its maximum (no restarts).
/// </para>
/// <para>
/// The work per iteration is one pass over the observations' cells, so the fit runs on the
/// managed float64 reference path only: there is no accelerator engine and no backend option.
/// </para>
/// </remarks>
public sealed class CoarsenedCategorical
{
    private readonly CoarsenedTable _table;
    private readonly double[] _initialTheta;

    /// <summary>Creates an estimator; the options (table included) are validated and copied here.</summary>
    /// <param name="options">The table and settings; see <see cref="CoarsenedCategoricalOptions"/>.</param>
    public CoarsenedCategorical(CoarsenedCategoricalOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _table = new CoarsenedTable(options.Coefficients, options.Groups);
        _initialTheta = options.InitialGroupParameters is null
            ? _table.Normalize(Enumerable.Repeat(1.0, _table.GroupCount).ToArray())
            : _table.Normalize(options.InitialGroupParameters);
    }

    /// <summary>The settings of this estimator.</summary>
    public CoarsenedCategoricalOptions Options { get; }

    /// <summary>Cells C of the table.</summary>
    public int CellCount => _table.CellCount;

    /// <summary>Groups G of the table (free parameters θ_g).</summary>
    public int GroupCount => _table.GroupCount;

    /// <summary>Fits θ to the observations (read once; never kept or modified).</summary>
    /// <param name="observations">At least one observation; counts finite and ≥ 0, not all 0;
    /// each observation lists distinct cells in 0 … C − 1 and, when its count is positive, has
    /// positive probability at the start.</param>
    /// <param name="cancellationToken">Stops the fit after the current iteration; the last
    /// completed model is returned, flagged not converged and cancelled.</param>
    /// <returns>The fitted model.</returns>
    public CoarsenedCategoricalModel Fit(
        IEnumerable<CoarsenedObservation> observations, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(observations);
        CoarsenedData data = Validate(observations);
        var solver = new CoarsenedCategoricalSolver(_table, data);
        EmRun<CoarsenedParameters> run = EmDriver.Run(
            solver,
            _ => new CoarsenedParameters(_initialTheta),
            new EmLoopSettings(Options.MaxIterations, Options.Tolerance, Restarts: 1),
            Options.Progress,
            cancellationToken);
        // The driver keeps the history, not the statistics: one more E-step (microseconds) gives
        // the expected cell counts at the returned parameters.
        CoarsenedStatistics final = CoarsenedEStep.Expect(_table, data, run.Parameters);
        return new CoarsenedCategoricalModel(
            run.Parameters.Theta, _table.Probabilities(run.Parameters.Theta), final.ExpectedCounts,
            data.TotalCount, run.History, run.Converged, run.Iterations, run.Cancelled);
    }

    private CoarsenedData Validate(IEnumerable<CoarsenedObservation> observations)
    {
        const string parameter = "observations";
        double[] p = _table.Probabilities(_initialTheta);
        var offsets = new List<int> { 0 };
        var cells = new List<int>();
        var counts = new List<double>();
        var seen = new bool[_table.CellCount];
        double total = 0;
        int index = 0;
        foreach (CoarsenedObservation? observation in observations)
        {
            if (observation is null)
                throw new ArgumentException($"Observation {index} is null.", parameter);
            double count = observation.Count;
            if (!double.IsFinite(count) || count < 0)
                throw new ArgumentException(
                    $"Observation {index} has count {count}; counts must be finite and ≥ 0.", parameter);
            if (observation.Cells.Count == 0)
                throw new ArgumentException(
                    $"Observation {index} lists no cells; list every cell it could be " +
                    "(one cell when fully observed).", parameter);
            Array.Clear(seen);
            double mass = 0;
            foreach (int cell in observation.Cells)
            {
                if (cell < 0 || cell >= _table.CellCount)
                    throw new ArgumentException(
                        $"Observation {index} lists cell {cell}, outside the table's {_table.CellCount} cells " +
                        $"(0 … {_table.CellCount - 1}).", parameter);
                if (seen[cell])
                    throw new ArgumentException($"Observation {index} lists cell {cell} twice.", parameter);
                seen[cell] = true;
                mass += p[cell];
            }
            if (count > 0 && !(mass > 0))
                throw new ArgumentException(
                    $"Observation {index} (count {count}) has probability 0: each of its cells " +
                    $"({string.Join(", ", observation.Cells)}) has coefficient 0 or a group started at θ = 0, " +
                    "so its log-likelihood would be −∞. Give one of its cells a positive coefficient or " +
                    "start its group above 0, or drop the observation.", parameter);
            // A zero count contributes nothing (and 0 · ln 0 would be NaN), so it is not kept.
            if (count > 0)
            {
                cells.AddRange(observation.Cells);
                offsets.Add(cells.Count);
                counts.Add(count);
                total += count;
            }
            index++;
        }
        if (index == 0)
            throw new ArgumentException("There are no observations; give at least one.", parameter);
        if (!(total > 0))
            throw new ArgumentException(
                $"All {index} observations have count 0; at least one count must be positive.", parameter);
        if (!double.IsFinite(total))
            throw new ArgumentException("The counts sum to infinity; scale them down.", parameter);
        return new CoarsenedData(offsets.ToArray(), cells.ToArray(), counts.ToArray(), total);
    }
}
