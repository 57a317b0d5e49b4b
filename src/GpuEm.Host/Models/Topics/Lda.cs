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
        bool online = Options.LearningMethod == LdaLearning.Online;
        return Run(
            handle =>
            {
                if (handle is null || online)
                {
                    if (handle is not null)
                        EmFit.Notice(Options.Progress, $"Online LDA runs on the reference engine; {handle.DeviceName} is not used.");
                    return online
                        ? OnlineLdaEngine.Resident(data, Options)
                        : new ReferenceLdaEngine(data, k, Options.MaxDocumentIterations, Options.DocumentTolerance, Options.WarmStart);
                }
                return new AcceleratorLdaEngine(handle, data, k, Options.MaxDocumentIterations, Options.DocumentTolerance, Options.DeviceMemoryLimit, Options.WarmStart);
            },
            seed => TopicStarts.Lda(data, k, Options.ResolvedAlpha(), Options.ResolvedEta, seed),
            data.DocumentCount, corpus.Vocabulary, data.TokenCount, cancellationToken);
    }

    /// <summary>
    /// Fits the model by online variational Bayes to a corpus that stays in its file
    /// (<see cref="CorpusStream"/>): every pass reads the file again in mini-batches of
    /// <see cref="LdaOptions.BatchSize"/> documents, holding one batch at a time besides the
    /// model (λ, W × K) and each document's γ (D × K), 8 bytes each. The model equals, to the
    /// bit, the online fit of the same file read whole with <see cref="Corpus.Read(string, CorpusFormat?, string?, TextTokenizerOptions?)"/>.
    /// Needs <see cref="LdaOptions.LearningMethod"/> Online; runs on the reference engine.
    /// </summary>
    /// <param name="corpus">The opened file; K ≤ D and at least one token.</param>
    /// <param name="cancellationToken">Stops the fit after the current pass; the last completed
    /// model is returned, flagged not converged and cancelled.</param>
    /// <returns>The fitted model.</returns>
    /// <exception cref="ArgumentException">LearningMethod Batch; K &gt; D; no tokens.</exception>
    /// <exception cref="IOException">The file changed or went away during the fit.</exception>
    public TopicModel Fit(CorpusStream corpus, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        if (Options.LearningMethod != LdaLearning.Online)
            throw new ArgumentException(
                $"{corpus.Source} is streamed in mini-batches, which needs LearningMethod Online; for batch variational EM " +
                "read the corpus whole with Corpus.Read.", nameof(corpus));
        int k = Options.TopicCount;
        TopicFit.Check(k, corpus.DocumentCount, corpus.TermCount, corpus.TokenCount, corpus.Source);
        return Run(
            handle =>
            {
                if (handle is not null)
                    EmFit.Notice(Options.Progress, $"Online LDA runs on the reference engine; {handle.DeviceName} is not used.");
                return OnlineLdaEngine.Streamed(corpus, Options);
            },
            seed => TopicStarts.Lda(corpus.TermCount, corpus.DocumentTokens, k, Options.ResolvedAlpha(), Options.ResolvedEta, seed),
            corpus.DocumentCount, corpus.Vocabulary, corpus.TokenCount, cancellationToken);
    }

    private TopicModel Run(
        Func<AcceleratorHandle?, IEmEngine> createEngine, Func<int, LdaParameters> start, int documents,
        IReadOnlyList<string>? vocabulary, double tokens, CancellationToken cancellationToken) =>
        EmFit.Run<IEmEngine, ObjectiveChangeSolver<LdaParameters, LdaStatistics>, LdaParameters, LdaStatistics, TopicModel>(
            Options,
            createEngine,
            engine => engine is OnlineLdaEngine online
                ? new OnlineLdaSolver(online, tokens, Options)
                : new LdaSolver((IEmEngine<LdaParameters, LdaStatistics>)engine, tokens, Options.LearnAlpha, documents),
            (_, restart) => start(restart.Seed),
            fit => TopicModel.FromLda(
                fit.Run.Statistics.Next ?? fit.Run.Parameters, fit.Run.Statistics, fit.Summary, documents, vocabulary, tokens,
                Options.MaxDocumentIterations, Options.DocumentTolerance),
            cancellationToken);
}
