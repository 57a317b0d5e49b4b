using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// Fits a Gaussian mixture by EM: <c>new GaussianMixture(options).Fit(data)</c> returns an
/// immutable <see cref="GaussianMixtureModel"/>. The E-step runs on the backend the options ask for
/// (by default the first GPU that opens, else the float64 reference engine); the M-step runs on
/// the host in float64.
/// </summary>
public sealed partial class GaussianMixture
{
    /// <summary>Creates an estimator; the options are validated here.</summary>
    /// <param name="options">Settings; see <see cref="GaussianMixtureOptions"/>.</param>
    public GaussianMixture(GaussianMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The settings of this estimator.</summary>
    public GaussianMixtureOptions Options { get; }

    /// <summary>Fits the mixture to a points × dimensions array (copied; never modified).</summary>
    /// <param name="data">n × d data; every value finite.</param>
    /// <param name="sampleWeights">Optional non-negative weight per point (n values).</param>
    /// <param name="cancellationToken">Stops the fit after the current iteration; the last
    /// completed model is returned, flagged not converged and cancelled.</param>
    /// <returns>The fitted model.</returns>
    public GaussianMixtureModel Fit(float[,] data, float[]? sampleWeights = null, CancellationToken cancellationToken = default) =>
        Fit(Validated(() => DataMatrix.From(data, sampleWeights, Options.MissingValues, Options.SkipEmptyRows)), cancellationToken);

    /// <summary>Fits the mixture to row-major data (read, never modified or copied).</summary>
    /// <param name="data">Row-major n × d values.</param>
    /// <param name="rows">n.</param>
    /// <param name="columns">d.</param>
    /// <param name="sampleWeights">Optional non-negative weight per point (n values).</param>
    /// <param name="cancellationToken">As in the other overload.</param>
    /// <returns>The fitted model.</returns>
    public GaussianMixtureModel Fit(
        ReadOnlyMemory<float> data, int rows, int columns, float[]? sampleWeights = null,
        CancellationToken cancellationToken = default) =>
        Fit(Validated(() => DataMatrix.From(data, rows, columns, sampleWeights, Options.MissingValues, Options.SkipEmptyRows)), cancellationToken);

    /// <summary>
    /// Fits the mixture to a data source (a .npy, raw float32 or CSV file, or an array). float32
    /// files are mapped and used in place; other sources are read into memory once.
    /// </summary>
    /// <param name="source">The rows (kept open by the caller for the fit's duration).</param>
    /// <param name="sampleWeights">Optional non-negative weight per row.</param>
    /// <param name="cancellationToken">As in the other overloads.</param>
    /// <returns>The fitted model.</returns>
    public GaussianMixtureModel Fit(IDataSource source, float[]? sampleWeights = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Fit(DataMatrix.FromSource(
            source, sampleWeights, Options.MissingValues, Options.SkipEmptyRows, progress: Options.Progress), cancellationToken);
    }

    /// <summary>
    /// Fits the mixture with partial labels (semi-supervised): a point with label c ≥ 0 belongs
    /// to component c (its responsibilities are fixed to c and its term in the log-likelihood is
    /// log w_c N(x | μ_c, Σ_c)); −1 marks an unlabelled point. When every component has a
    /// labelled point, each restart starts from the labelled points' M-step.
    /// </summary>
    /// <param name="data">n × d data; every value finite.</param>
    /// <param name="labels">n labels in [−1, k).</param>
    /// <param name="sampleWeights">Optional non-negative weight per point (n values).</param>
    /// <param name="cancellationToken">As in <see cref="Fit(float[,], float[], CancellationToken)"/>.</param>
    /// <returns>The fitted model.</returns>
    public GaussianMixtureModel FitSemiSupervised(
        float[,] data, int[] labels, float[]? sampleWeights = null, CancellationToken cancellationToken = default) =>
        Fit(Validated(() => DataMatrix.From(data, sampleWeights, Options.MissingValues, Options.SkipEmptyRows)
            .WithLabels(labels, Options.ComponentCount)), cancellationToken);

    /// <summary>
    /// As <see cref="FitSemiSupervised(float[,], int[], float[], CancellationToken)"/> for a data
    /// source, read as <see cref="Fit(IDataSource, float[], CancellationToken)"/> reads it.
    /// </summary>
    /// <param name="source">The rows (kept open by the caller for the fit's duration).</param>
    /// <param name="labels">One label in [−1, k) per row; −1 = unlabelled.</param>
    /// <param name="sampleWeights">Optional non-negative weight per row.</param>
    /// <param name="cancellationToken">As in the other overloads.</param>
    /// <returns>The fitted model.</returns>
    public GaussianMixtureModel FitSemiSupervised(
        IDataSource source, int[] labels, float[]? sampleWeights = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Fit(DataMatrix.FromSource(
                source, sampleWeights, Options.MissingValues, Options.SkipEmptyRows, progress: Options.Progress)
            .WithLabels(labels, Options.ComponentCount), cancellationToken);
    }

    // The data's validation as the fit's Validating phase.
    private DataMatrix Validated(Func<DataMatrix> validate) =>
        PhaseProgress.Run(Options.Progress, FitPhase.Validating, validate);

    internal GaussianMixtureModel Fit(DataMatrix data, CancellationToken cancellationToken)
    {
        GaussianMixtureOptions o = Options;
        int k = o.ComponentCount;
        EmFit.RequireCount(k, data.Rows, "ComponentCount");
        if (o.WarmStart is not null && o.WarmStart.Dimension != data.Columns)
            throw new ArgumentException(
                $"WarmStart was fitted on {o.WarmStart.Dimension} columns; the data has {data.Columns}.", "data");
        if (o.Initialization == GaussianInitialization.Given && o.WarmStart is null
            && o.InitialParameters!.Weights.Length != k)
            throw new ArgumentException(
                $"InitialParameters has {o.InitialParameters.Weights.Length} weights; ComponentCount is {k}.", "data");

        if (o.SplitMergeTrials > 0 && data.Labels is not null)
            throw new ArgumentException(
                "SplitMergeTrials cannot be used with semi-supervised labels: a move would change which component a label names.", "labels");

        // Starting points and data-derived defaults see missing entries as their column means.
        DataMatrix completed = data.ImputeColumnMeans();
        ResolvedGaussianConstraints constraints = ResolvedGaussianConstraints.Resolve(o, completed);
        if (constraints.Covariances is null && o.Progress is not null
            && RegularizationCheck.Warning(o.CovarianceRegularization, completed) is string warning)
            EmFit.Notice(o.Progress, warning);
        GaussianMixtureModel fitted = EmFit.Run<IEmEngine<GaussianParameters, GaussianStatistics>, GaussianSolver, GaussianParameters, GaussianStatistics, GaussianMixtureModel>(
            o,
            handle => handle is null
                ? new ReferenceGaussianEngine(data)
                : new AcceleratorGaussianEngine(handle, data, k, o.CovarianceType, o.DeviceMemoryLimit),
            engine => new GaussianSolver(engine, constraints),
            (_, start) => constraints.Apply(GaussianInitializer.Create(o, completed, start)),
            fit =>
            {
                var model = new GaussianMixtureModel(fit.Run.Parameters, fit.Summary, fit.Summary.Objective, data.TotalWeight);
                // The objective is the log-likelihood unless a prior penalizes it or labels replace
                // labelled points' terms; then one float64 pass gives the observed-data log-likelihood.
                return constraints.Prior is null && data.Labels is null
                    ? model
                    : new GaussianMixtureModel(fit.Run.Parameters, fit.Summary, model.Score(data), data.TotalWeight);
            },
            cancellationToken);
        if (o.SplitMergeTrials == 0 || fitted.Cancelled)
            return fitted;
        var trial = o with
        {
            Initialization = GaussianInitialization.Given,
            WarmStart = null,
            Restarts = 1,
            RestartStrategy = RestartStrategy.Independent,
            SplitMergeTrials = 0,
            Progress = null,
        };
        return SplitMerge.Run(fitted, data, completed, o.SplitMergeTrials,
            start => new GaussianMixture(trial with { InitialParameters = start }).Fit(data, cancellationToken), cancellationToken);
    }
}
