using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.Topics;

/// <summary>
/// Fits latent Dirichlet allocation by batch variational EM (Blei, Ng and Jordan 2003) or online
/// variational Bayes (Hoffman, Blei and Bach 2010; <see cref="LdaOptions.LearningMethod"/>):
/// <c>new Lda(options).Fit(corpus)</c> returns an immutable <see cref="TopicModel"/>. The batch
/// E-step (each document's γ) runs on the backend the options ask for, online mini-batches on the
/// reference engine; the M-step (λ, and α when learned) runs on the host in float64. See
/// <see cref="LdaOptions"/>.
/// </summary>
public sealed class Lda
{
    /// <summary>Creates an estimator; the options are validated here.</summary>
    /// <param name="options">Settings; see <see cref="LdaOptions"/>.</param>
    public Lda(LdaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The settings of this estimator.</summary>
    public LdaOptions Options { get; }

    /// <summary>Fits the model to a corpus (never modified).</summary>
    /// <param name="corpus">Documents × terms counts; K ≤ D and at least one token.</param>
    /// <param name="cancellationToken">Stops the fit after the current iteration; the last
    /// completed model is returned, flagged not converged and cancelled.</param>
    /// <returns>The fitted model.</returns>
    public TopicModel Fit(Corpus corpus, CancellationToken cancellationToken = default)
    {
        SparseCounts data = TopicFit.Check(corpus, Options.TopicCount);
        int k = Options.TopicCount;
        double[] alpha = Options.ResolvedAlpha();
        double eta = Options.ResolvedEta;
        double tokens = data.TokenCount;
        bool online = Options.LearningMethod == LdaLearning.Online;
        return EmFit.Run<IEmEngine<LdaParameters, LdaStatistics>, ObjectiveChangeSolver<LdaParameters, LdaStatistics>, LdaParameters, LdaStatistics, TopicModel>(
            Options,
            handle =>
            {
                if (handle is null || online)
                {
                    if (handle is not null)
                        EmFit.Notice(Options.Progress, $"Online LDA runs on the reference engine; {handle.DeviceName} is not used.");
                    return new ReferenceLdaEngine(data, k, Options.MaxDocumentIterations, Options.DocumentTolerance, Options.WarmStart);
                }
                return new AcceleratorLdaEngine(handle, data, k, Options.MaxDocumentIterations, Options.DocumentTolerance, Options.DeviceMemoryLimit, Options.WarmStart);
            },
            engine => online
                ? new OnlineLdaSolver((ReferenceLdaEngine)engine, data, tokens, Options)
                : new LdaSolver(engine, tokens, Options.LearnAlpha, data.DocumentCount),
            (_, start) => TopicStarts.Lda(data, k, alpha, eta, start.Seed),
            fit => TopicModel.FromLda(
                fit.Run.Statistics.Next ?? fit.Run.Parameters, fit.Run.Statistics, fit.Summary, corpus, tokens,
                Options.MaxDocumentIterations, Options.DocumentTolerance),
            cancellationToken);
    }
}
