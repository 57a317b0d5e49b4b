using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.CategoricalMixture;

/// <summary>
/// Fits a mixture of independent categorical features (latent class analysis) by EM:
/// feature j takes levels 0 … L_j − 1, −1 marks a missing entry (marginalized out). Both engines:
/// the accelerator runs the Bernoulli kernels on the one-hot columns (n × Σ L_j floats on the
/// device); the M-step runs on the host in float64.
/// </summary>
public sealed class CategoricalMixture
{
    /// <summary>Creates an estimator; the options are validated here.</summary>
    /// <param name="options">Settings; see <see cref="CategoricalMixtureOptions"/>.</param>
    public CategoricalMixture(CategoricalMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The settings of this estimator.</summary>
    public CategoricalMixtureOptions Options { get; }

    /// <summary>Fits the mixture to a points × features array of levels (copied; never modified).</summary>
    /// <param name="data">n × d levels: x_ij in [0, L_j), or −1 for a missing entry; every row
    /// needs at least one observed entry.</param>
    /// <param name="levelCounts">L_j for each of the d features (≥ 1); null: one more than the
    /// largest level seen in each column.</param>
    /// <param name="sampleWeights">Optional non-negative weight per point (n values).</param>
    /// <param name="cancellationToken">Stops the fit after the current iteration; the last
    /// completed model is returned, flagged not converged and cancelled.</param>
    /// <returns>The fitted model.</returns>
    public CategoricalMixtureModel Fit(
        int[,] data, int[]? levelCounts = null, float[]? sampleWeights = null, CancellationToken cancellationToken = default)
    {
        CategoricalMixtureOptions o = Options;
        CategoricalData categorical = CategoricalData.From(data, levelCounts, sampleWeights);
        int k = o.ComponentCount;
        if (k > categorical.Rows)
            throw new ArgumentException(
                $"ComponentCount k = {k} exceeds the number of points n = {categorical.Rows}; use k ≤ n.", nameof(data));
        AcceleratorHandle? handle = DeviceManager.Resolve(
            o.Backend, notice => o.Progress?.Report(new FitProgress(0, 0, double.NaN, double.NaN, TimeSpan.Zero, notice)));
        using ICategoricalEngine engine = handle is null
            ? new ReferenceCategoricalEngine(categorical)
            : new AcceleratorCategoricalEngine(handle, categorical, k);
        EmRun<CategoricalParameters> run = EmDriver.Run(
            new CategoricalSolver(engine, o.Smoothing),
            restart => CategoricalInitializer.Create(
                o, categorical, GpuEm.Models.GaussianMixture.GaussianMixture.RestartSeed(o.Seed, restart)),
            new EmLoopSettings(o.MaxIterations, o.Tolerance, o.Restarts),
            o.Progress,
            cancellationToken);
        return new CategoricalMixtureModel(
            run.Parameters, run.History, run.Converged, run.Iterations, engine.Backend, engine.DeviceName,
            categorical.TotalWeight, run.Cancelled);
    }
}
