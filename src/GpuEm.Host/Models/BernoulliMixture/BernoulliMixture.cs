using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Models.Discrete;

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
    public BernoulliMixtureModel Fit(float[,] data, float[]? sampleWeights = null, CancellationToken cancellationToken = default) =>
        Fit(BinaryData.From(data, sampleWeights), cancellationToken);

    /// <summary>
    /// Fits the mixture to the rows of a data source (a .npy, raw float32 or CSV file, or an
    /// array) of 0, 1 and NaN (missing), read once into host memory; errors name the source's
    /// row and column.
    /// </summary>
    /// <param name="source">The rows (kept open by the caller for the fit's duration).</param>
    /// <param name="sampleWeights">Optional non-negative weight per row.</param>
    /// <param name="cancellationToken">As in the other overload.</param>
    /// <returns>The fitted model.</returns>
    public BernoulliMixtureModel Fit(IDataSource source, float[]? sampleWeights = null, CancellationToken cancellationToken = default) =>
        Fit(BinaryData.From(source, sampleWeights), cancellationToken);

    private BernoulliMixtureModel Fit(BinaryData binary, CancellationToken cancellationToken) =>
        DiscreteFit.Run<BernoulliParameters, BernoulliStatistics, BernoulliMixtureModel>(
            Options,
            binary.Rows,
            binary.TotalWeight,
            handle => handle is null
                ? new ReferenceBernoulliEngine(binary)
                : new AcceleratorBernoulliEngine(handle, binary, Options.ComponentCount, Options.DeviceMemoryLimit),
            BernoulliMStep.LogPrior,
            BernoulliMStep.Maximize,
            seed => BernoulliInitializer.Create(Options, binary, seed),
            (parameters, summary, meanLogLikelihood, weight) => new BernoulliMixtureModel(parameters, summary, meanLogLikelihood, weight),
            cancellationToken);
}
