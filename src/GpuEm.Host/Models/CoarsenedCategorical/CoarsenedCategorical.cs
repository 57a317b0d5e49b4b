using GpuEm.Em;

namespace GpuEm.Models.CoarsenedCategorical;

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

    /// <summary>The device name a coarsened fit reports: it runs on the host only.</summary>
    internal const string DeviceName = "CPU (managed float64)";

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
        CoarsenedData data = CoarsenedData.Validate(_table, observations, _table.Probabilities(_initialTheta));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var solver = new CoarsenedCategoricalSolver(_table, data);
        EmRun<CoarsenedParameters, CoarsenedStatistics> run = EmDriver.Run(
            solver,
            _ => new CoarsenedParameters(_initialTheta),
            new EmLoopSettings(Options.MaxIterations, Options.Tolerance, Restarts: 1),
            Options.Progress,
            cancellationToken);
        var summary = new FitSummary(
            run.Iterations, run.Converged, run.Cancelled, run.History, Backend.Reference, DeviceName,
            clock.Elapsed.TotalSeconds);
        // The run's statistics are those of its last E-step: the expected cell counts at the
        // returned parameters.
        return new CoarsenedCategoricalModel(_table, run.Parameters.Theta, run.Statistics.ExpectedCounts, data.TotalCount, summary);
    }
}
