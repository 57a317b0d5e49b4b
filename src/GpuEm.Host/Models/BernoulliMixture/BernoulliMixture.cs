using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// Fits a mixture of multivariate Bernoulli distributions (independent binary features within each
/// component) by EM: <c>new BernoulliMixture(options).Fit(data)</c> returns an immutable
/// <see cref="BernoulliMixtureModel"/>. Missing entries (NaN) are marginalized out. The E-step
/// runs on the backend the options ask for; the M-step runs on the host in float64.
/// </summary>
public sealed class BernoulliMixture
{
    /// <summary>Creates an estimator; the options are validated here.</summary>
    /// <param name="options">Settings; see <see cref="BernoulliMixtureOptions"/>.</param>
    public BernoulliMixture(BernoulliMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The settings of this estimator.</summary>
    public BernoulliMixtureOptions Options { get; }

    /// <summary>Fits the mixture to a points × features array (copied; never modified).</summary>
    /// <param name="data">n × d values, each 0 or 1, or NaN for a missing entry; every row needs
    /// at least one observed entry.</param>
    /// <param name="sampleWeights">Optional non-negative weight per point (n values).</param>
    /// <param name="cancellationToken">Stops the fit after the current iteration; the last
    /// completed model is returned, flagged not converged and cancelled.</param>
    /// <returns>The fitted model.</returns>
    public BernoulliMixtureModel Fit(float[,] data, float[]? sampleWeights = null, CancellationToken cancellationToken = default)
    {
        BernoulliMixtureOptions o = Options;
        BinaryData binary = BinaryData.From(data, sampleWeights);
        int k = o.ComponentCount;
        if (k > binary.Rows)
            throw new ArgumentException(
                $"ComponentCount k = {k} exceeds the number of points n = {binary.Rows}; use k ≤ n.", nameof(data));
        AcceleratorHandle? handle = DeviceManager.Resolve(
            o.Backend, notice => o.Progress?.Report(new FitProgress(0, 0, double.NaN, double.NaN, TimeSpan.Zero, notice)));
        using IBernoulliEngine engine = handle is null
            ? new ReferenceBernoulliEngine(binary)
            : new AcceleratorBernoulliEngine(handle, binary, k);
        EmRun<BernoulliParameters> run = EmDriver.Run(
            new BernoulliSolver(engine, o.Smoothing),
            restart => BernoulliInitializer.Create(
                o, binary, GpuEm.Models.GaussianMixture.GaussianMixture.RestartSeed(o.Seed, restart)),
            new EmLoopSettings(o.MaxIterations, o.Tolerance, o.Restarts),
            o.Progress,
            cancellationToken);
        return new BernoulliMixtureModel(
            run.Parameters, run.History, run.Converged, run.Iterations, engine.Backend, engine.DeviceName,
            binary.TotalWeight, run.Cancelled);
    }
}
