using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.Topics;

/// <summary>
/// Fits probabilistic latent semantic analysis by EM (Hofmann 1999): <c>new Plsa(options).Fit(corpus)</c>
/// returns an immutable <see cref="TopicModel"/>. The E-step (per non-zero over the topics) runs
/// on the backend the options ask for; the M-step runs on the host in float64. See <see cref="PlsaOptions"/>.
/// </summary>
public sealed class Plsa
{
    /// <summary>Creates an estimator; the options are validated here.</summary>
    /// <param name="options">Settings; see <see cref="PlsaOptions"/>.</param>
    public Plsa(PlsaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The settings of this estimator.</summary>
    public PlsaOptions Options { get; }

    /// <summary>Fits the model to a corpus (never modified).</summary>
    /// <param name="corpus">Documents × terms counts; K ≤ D and at least one token.</param>
    /// <param name="cancellationToken">Stops the fit after the current iteration; the last
    /// completed model is returned, flagged not converged and cancelled.</param>
    /// <returns>The fitted model.</returns>
    public TopicModel Fit(Corpus corpus, CancellationToken cancellationToken = default)
    {
        SparseCounts data = TopicFit.Check(corpus, Options.TopicCount);
        int k = Options.TopicCount;
        double tokens = data.TokenCount;
        return EmFit.Run<IEmEngine<PlsaParameters, PlsaStatistics>, PlsaSolver, PlsaParameters, PlsaStatistics, TopicModel>(
            Options,
            handle => handle is null
                ? new ReferencePlsaEngine(data, k, Options.Tempering)
                : new AcceleratorPlsaEngine(handle, data, k, Options.Tempering, Options.DeviceMemoryLimit),
            engine => new PlsaSolver(engine, tokens),
            (_, start) => TopicStarts.Plsa(data, k, start.Seed),
            fit => TopicModel.FromPlsa(fit.Run.Parameters, fit.Run.Statistics, fit.Summary, corpus, tokens, Options.Tempering),
            cancellationToken);
    }
}
