using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Models.Discrete;

namespace GpuEm.Models.CategoricalMixture;

/// <summary>
/// Fits a mixture of independent categorical features (latent class analysis) by EM:
/// feature j takes levels 0 … L_j − 1, −1 marks a missing entry (marginalized out). Both engines:
/// the accelerator runs the Bernoulli kernels on the one-hot columns (n × Σ L_j floats on the
/// device, streamed in chunks of whole rows beyond the device budget); the M-step runs on the
/// host in float64.
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
        int[,] data, int[]? levelCounts = null, float[]? sampleWeights = null, CancellationToken cancellationToken = default) =>
        Fit(CategoricalData.From(data, levelCounts, sampleWeights), cancellationToken);

    /// <summary>
    /// Fits the mixture to the rows of a data source (a .npy, raw float32 or CSV file, or an
    /// array) whose values are levels: whole numbers in [0, L_j), with −1 or NaN for a missing
    /// entry; read once into host memory.
    /// </summary>
    /// <param name="source">The rows (kept open by the caller for the fit's duration).</param>
    /// <param name="levelCounts">As in the array overload.</param>
    /// <param name="sampleWeights">Optional non-negative weight per row.</param>
    /// <param name="cancellationToken">As in the array overload.</param>
    /// <returns>The fitted model.</returns>
    public CategoricalMixtureModel Fit(
        IDataSource source, int[]? levelCounts = null, float[]? sampleWeights = null, CancellationToken cancellationToken = default) =>
        Fit(CategoricalData.From(CategoricalData.Levels(source, 0, checked((int)source.RowCount)), levelCounts, sampleWeights),
            cancellationToken);

    private CategoricalMixtureModel Fit(CategoricalData categorical, CancellationToken cancellationToken) =>
        DiscreteFit.Run<CategoricalParameters, CategoricalStatistics, CategoricalMixtureModel>(
            Options,
            categorical.Rows,
            categorical.TotalWeight,
            handle => handle is null
                ? new ReferenceCategoricalEngine(categorical)
                : new AcceleratorCategoricalEngine(handle, categorical, Options.ComponentCount, Options.DeviceMemoryLimit),
            CategoricalMStep.LogPrior,
            CategoricalMStep.Maximize,
            seed => CategoricalInitializer.Create(Options, categorical, seed),
            (parameters, summary, meanLogLikelihood, weight) => new CategoricalMixtureModel(parameters, summary, meanLogLikelihood, weight),
            cancellationToken);
}
