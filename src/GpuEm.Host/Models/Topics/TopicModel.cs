using System.Text.Json;
using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Persistence;

namespace GpuEm.Models.Topics;

/// <summary>
/// A fitted topic model (PLSA or LDA): immutable; array properties return copies. Inference on new
/// documents (<see cref="Transform"/>, the perplexities) runs on the host in float64 with the
/// topics fixed, whatever backend fitted the model.
/// </summary>
public sealed class TopicModel : FittedModel
{
    /// <summary>The <c>format</c> of its model file.</summary>
    public const string FormatName = "gpuem.topic-model";

    /// <summary>Training models with D·K up to this keep their document-topic rows in the model file.</summary>
    public const long SavedDocumentTopicLimit = 10_000_000;

    /// <summary>PLSA fold-in: EM steps on p(k | d) at most.</summary>
    internal const int FoldInIterations = 200;

    /// <summary>PLSA fold-in stops once no p(k | d) moves by more than this.</summary>
    internal const double FoldInTolerance = 1e-7;

    private readonly double[] _topicWord;
    private readonly double[]? _documentTopic;
    private readonly LdaParameters? _lda;
    private readonly string[]? _vocabulary;
    private double[]? _termMajor; // a cache of p(w | k) term-major, made on first use

    internal TopicModel(
        TopicMethod method, int topics, int terms, int documents, double tokens, double[] topicWord, double[]? documentTopic,
        string[]? vocabulary, double objectiveTotal, FitSummary summary, LdaParameters? lda, double tempering,
        int maxDocumentIterations, double documentTolerance)
        : base(summary)
    {
        Method = method;
        TopicCount = topics;
        TermCount = terms;
        DocumentCount = documents;
        Tokens = tokens;
        _topicWord = topicWord;
        _documentTopic = documentTopic;
        _vocabulary = vocabulary;
        TrainingObjective = objectiveTotal;
        _lda = lda;
        Tempering = tempering;
        MaxDocumentIterations = maxDocumentIterations;
        DocumentTolerance = documentTolerance;
    }

    internal static TopicModel FromLda(
        LdaParameters p, LdaStatistics s, FitSummary summary, int documents, IReadOnlyList<string>? vocabulary, double tokens,
        int maxDocumentIterations, double documentTolerance)
    {
        var lean = new LdaParameters(p.K, p.W, p.Lambda, [], p.Alpha, p.Eta);
        return new TopicModel(
            TopicMethod.Lda, p.K, p.W, documents, tokens, p.TopicWord(), Normalized(s.Gamma, p.K), vocabulary?.ToArray(),
            summary.Objective * tokens, summary, lean, 1, maxDocumentIterations, documentTolerance);
    }

    internal static TopicModel FromPlsa(PlsaParameters p, PlsaStatistics s, FitSummary summary, Corpus corpus, double tokens, double tempering) =>
        new(TopicMethod.Plsa, p.K, p.W, corpus.DocumentCount, tokens, p.TopicWord(), p.DocumentTopic, corpus.Vocabulary?.ToArray(),
            s.LogLikelihood, summary, null, tempering, LdaOptions.LdaDefaults.MaxDocumentIterations, LdaOptions.LdaDefaults.DocumentTolerance);

    /// <inheritdoc/>
    public override string Format => FormatName;

    /// <inheritdoc/>
    public override string Kind => Method == TopicMethod.Lda ? "LDA topic model" : "PLSA topic model";

    /// <summary>PLSA or LDA.</summary>
    public TopicMethod Method { get; }

    /// <summary>Topics K.</summary>
    public int TopicCount { get; }

    /// <summary>Terms W (the vocabulary's size).</summary>
    public int TermCount { get; }

    /// <summary>Training documents D.</summary>
    public int DocumentCount { get; }

    /// <summary>Training tokens N = Σ counts.</summary>
    public double Tokens { get; }

    /// <summary>The vocabulary (W terms) the model was fitted with, or null when the corpus had none.</summary>
    public IReadOnlyList<string>? Vocabulary => _vocabulary;

    /// <summary>
    /// The objective's total over the training tokens at the fitted parameters (natural log):
    /// PLSA the log-likelihood Σ n_dw log p(w | d), LDA the ELBO. Taken from the fit's last E-step.
    /// </summary>
    public double TrainingObjective { get; }

    /// <summary>PLSA: the training log-likelihood (natural log); null for LDA.</summary>
    public double? LogLikelihood => Method == TopicMethod.Plsa ? TrainingObjective : null;

    /// <summary>LDA: the training ELBO (natural log); null for PLSA.</summary>
    public double? Elbo => Method == TopicMethod.Lda ? TrainingObjective : null;

    /// <summary>
    /// Training perplexity exp(−objective / N): PLSA's from its log-likelihood, LDA's from its ELBO
    /// (scikit-learn's bound-based perplexity of the training corpus).
    /// </summary>
    public double Perplexity => Math.Exp(-TrainingObjective / Tokens);

    /// <summary>LDA: α (K values); null for PLSA.</summary>
    public IReadOnlyList<double>? Alpha => _lda?.Alpha.ToArray();

    /// <summary>LDA: η; null for PLSA.</summary>
    public double? Eta => _lda?.Eta;

    /// <summary>PLSA's tempering β (1 for LDA).</summary>
    public double Tempering { get; }

    /// <summary>LDA fold-in: γ updates per document at most.</summary>
    public int MaxDocumentIterations { get; }

    /// <summary>LDA fold-in: the tolerance on a document's mean |Δγ|.</summary>
    public double DocumentTolerance { get; }

    /// <summary>Topic-word probabilities, K × W: [k, w] = p(w | k) (LDA: E[β_kw] = λ_kw / Σ_w λ_kw); rows sum to 1.</summary>
    public double[,] TopicWord => ToMatrix(_topicWord, TopicCount, TermCount);

    /// <summary>
    /// Document-topic proportions of the training documents, D × K (PLSA p(k | d); LDA γ_d / Σ γ_d);
    /// rows sum to 1. Null for a model loaded from a file that did not keep them (D·K above
    /// <see cref="SavedDocumentTopicLimit"/>): <see cref="Transform"/> the corpus again.
    /// </summary>
    public double[,]? DocumentTopic => _documentTopic is null ? null : ToMatrix(_documentTopic, DocumentCount, TopicCount);

    internal double[] TopicWordFlat => _topicWord;

    internal double[]? DocumentTopicFlat => _documentTopic;

    internal LdaParameters? LdaState => _lda;

    /// <summary>
    /// The <paramref name="top"/> most probable terms of each topic, most probable first (ties by
    /// term index): K lists of (term index, term or null without a vocabulary, p(w | k)).
    /// </summary>
    /// <param name="top">Terms per topic (≥ 1; at most W are returned).</param>
    /// <returns>One list per topic.</returns>
    public IReadOnlyList<IReadOnlyList<TopicTerm>> TopWords(int top = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(top);
        var result = new List<IReadOnlyList<TopicTerm>>(TopicCount);
        for (int k = 0; k < TopicCount; k++)
        {
            int row = k * TermCount;
            result.Add(Enumerable.Range(0, TermCount)
                .OrderByDescending(w => _topicWord[row + w]).ThenBy(w => w)
                .Take(top)
                .Select(w => new TopicTerm(w, _vocabulary?[w], _topicWord[row + w]))
                .ToArray());
        }
        return result;
    }

    /// <summary>
    /// Document-topic proportions of new documents with the topics fixed (fold-in): LDA runs each
    /// document's γ updates from γ = α + n_d / K and returns γ / Σ γ; PLSA runs EM on p(k | d) alone
    /// from 1/K. An empty document gets α / Σ α (PLSA: 1/K).
    /// </summary>
    /// <param name="corpus">Documents over this model's terms (W' ≤ W; read them with the model's vocabulary).</param>
    /// <returns>D' × K proportions; rows sum to 1.</returns>
    public double[,] Transform(Corpus corpus) => ToMatrix(FoldIn(Check(corpus), out _), corpus.DocumentCount, TopicCount);

    /// <summary>
    /// Held-out perplexity by document completion: each document's tokens (in term order) are dealt
    /// alternately to an observed and a held-out half (<see cref="Corpus.SplitAlternately"/>); θ is
    /// folded in on the observed half (<see cref="Transform"/>) and the held-out half scored,
    /// exp(−Σ n_dw log Σ_k θ_dk p(w | k) / N_held-out).
    /// </summary>
    /// <param name="corpus">Test documents over this model's terms, with at least two tokens in all.</param>
    /// <returns>The perplexity (lower is better).</returns>
    public double HeldOutPerplexity(Corpus corpus)
    {
        Check(corpus);
        (Corpus observed, Corpus heldOut) = corpus.SplitAlternately();
        double[] theta = FoldIn(observed.Counts, out _);
        SparseCounts held = heldOut.Counts;
        if (!(held.TokenCount > 0))
            throw new ArgumentException($"{corpus.Source} has too few tokens to hold any out (it needs at least two).", nameof(corpus));
        double logLikelihood = 0;
        int k = TopicCount;
        for (int d = 0; d < held.DocumentCount; d++)
            for (long i = held.Units.Start(d); i < held.Units.Start(d + 1); i++)
            {
                int w = held.Terms[i];
                double p = 0;
                for (int c = 0; c < k; c++)
                    p += theta[(long)d * k + c] * _topicWord[c * TermCount + w];
                logLikelihood += held.Counts[i] * Math.Log(p);
            }
        return Math.Exp(-logLikelihood / held.TokenCount);
    }

    /// <summary>
    /// LDA only: scikit-learn's bound-based perplexity of a corpus, exp(−ELBO / N), with each
    /// document's γ folded in and the topic-word part of the bound at the fitted λ. PLSA throws.
    /// </summary>
    /// <param name="corpus">Documents over this model's terms.</param>
    /// <returns>The perplexity.</returns>
    public double BoundPerplexity(Corpus corpus)
    {
        if (_lda is null)
            throw new InvalidOperationException("The bound-based perplexity is LDA's (a variational bound); use HeldOutPerplexity for a PLSA model.");
        SparseCounts data = Check(corpus);
        if (!(data.TokenCount > 0))
            throw new ArgumentException($"{corpus.Source} holds no tokens.", nameof(corpus));
        FoldIn(data, out double bound);
        return Math.Exp(-(bound + _lda.TopicBound) / data.TokenCount);
    }

    /// <summary>Writes the model file (format "gpuem.topic-model") to a stream (left open).</summary>
    /// <param name="stream">The target.</param>
    public override void Save(Stream stream) => TopicModelCodec.Write(this, stream);

    /// <summary>Reads a model written by <see cref="FittedModel.Save(string)"/>; the round trip is exact.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ModelFormatException">Corrupt file, another format, a newer version.</exception>
    public static TopicModel Load(string path) => ModelDocument.Load(path, TopicModelCodec.Read);

    /// <summary>Reads a model from a stream.</summary>
    /// <param name="stream">The source.</param>
    /// <returns>The model.</returns>
    public static TopicModel Load(Stream stream) => TopicModelCodec.Read(stream, "(stream)");

    /// <inheritdoc/>
    public override void Describe(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("model", Method == TopicMethod.Lda ? "lda" : "plsa");
        writer.WriteNumber("topics", TopicCount);
        writer.WriteNumber("documents", DocumentCount);
        writer.WriteNumber("terms", TermCount);
        writer.WriteNumber("tokens", Tokens);
        writer.WriteNumber(Method == TopicMethod.Lda ? "elbo" : "logLikelihood", TrainingObjective);
        writer.WriteNumber("perplexity", Perplexity);
        if (_lda is not null)
        {
            ModelDocument.WriteArray(writer, "alpha", _lda.Alpha);
            writer.WriteNumber("eta", _lda.Eta);
        }
        else
            writer.WriteNumber("tempering", Tempering);
    }

    private SparseCounts Check(Corpus corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        if (corpus.TermCount > TermCount)
            throw new ArgumentException(
                $"{corpus.Source} has {corpus.TermCount:N0} terms but the model was fitted on {TermCount:N0}; read it with the model's vocabulary.",
                nameof(corpus));
        return corpus.Counts;
    }

    // Fold-in of every document (in parallel; each document alone, so the result does not depend
    // on threads). bound: LDA's document part of the ELBO, summed in document order.
    private double[] FoldIn(SparseCounts data, out double bound)
    {
        int k = TopicCount;
        var theta = new double[(long)data.DocumentCount * k];
        var bounds = new double[data.DocumentCount];
        double[]? wordTopic = _lda is null ? TermMajor() : null;
        int longest = 0;
        for (int d = 0; d < data.DocumentCount; d++)
            longest = Math.Max(longest, (int)data.Units.Length(d));
        Parallel.For(0, data.DocumentCount, () => new double[3 * k], (d, _, scratch) =>
        {
            int start = (int)data.Units.Start(d), length = (int)data.Units.Length(d);
            ReadOnlySpan<int> terms = data.Terms.AsSpan(start, length);
            ReadOnlySpan<float> counts = data.Counts.AsSpan(start, length);
            Span<double> row = theta.AsSpan(d * k, k);
            if (_lda is not null)
                bounds[d] = FoldInLda(terms, counts, row, longest);
            else
                FoldInPlsa(terms, counts, wordTopic!, row, scratch);
            return scratch;
        }, _ => { });
        bound = 0;
        foreach (double b in bounds)
            bound += b;
        return theta;
    }

    private double FoldInLda(ReadOnlySpan<int> terms, ReadOnlySpan<float> counts, Span<double> row, int longest)
    {
        LdaParameters p = _lda!;
        int k = TopicCount;
        LdaDocument.Start(counts, p.Alpha, row);
        var document = new LdaDocument(k, Math.Min(longest, terms.Length));
        document.Infer(terms, counts, p.ExpElogBeta, p.Alpha, row, MaxDocumentIterations, DocumentTolerance);
        double bound = TopicMath.DirichletBound(p.Alpha, p.AlphaNorm, row, document.ElogTheta);
        for (int i = 0; i < terms.Length; i++)
            bound += counts[i] * Math.Log(document.Norm[i]);
        double sum = 0;
        for (int c = 0; c < k; c++)
            sum += row[c];
        for (int c = 0; c < k; c++)
            row[c] /= sum;
        return bound;
    }

    private void FoldInPlsa(ReadOnlySpan<int> terms, ReadOnlySpan<float> counts, double[] wordTopic, Span<double> row, double[] scratch)
    {
        int k = TopicCount;
        row.Fill(1.0 / k);
        if (terms.Length == 0)
            return;
        Span<double> next = scratch.AsSpan(0, k), work = scratch.AsSpan(k, k);
        for (int step = 0; step < FoldInIterations; step++)
        {
            next.Clear();
            PlsaDocument.Expect(terms, counts, wordTopic, row, Tempering, next, null, work);
            double sum = 0, moved = 0;
            for (int c = 0; c < k; c++)
                sum += next[c];
            for (int c = 0; c < k; c++)
            {
                double value = next[c] / sum;
                moved = Math.Max(moved, Math.Abs(value - row[c]));
                row[c] = value;
            }
            if (moved < FoldInTolerance)
                break;
        }
    }

    // p(w | k) term-major W × K (PLSA's fold-in reads a term's K values together).
    private double[] TermMajor()
    {
        if (_termMajor is not null)
            return _termMajor;
        var result = new double[_topicWord.Length];
        for (int k = 0; k < TopicCount; k++)
            for (int w = 0; w < TermCount; w++)
                result[w * TopicCount + k] = _topicWord[k * TermCount + w];
        return _termMajor = result;
    }

    private static double[] Normalized(double[] rows, int k)
    {
        var result = new double[rows.Length];
        for (long start = 0; start < rows.LongLength; start += k)
        {
            double sum = 0;
            for (int c = 0; c < k; c++)
                sum += rows[start + c];
            for (int c = 0; c < k; c++)
                result[start + c] = rows[start + c] / sum;
        }
        return result;
    }

    private static double[,] ToMatrix(double[] flat, int rows, int columns)
    {
        var result = new double[rows, columns];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                result[r, c] = flat[(long)r * columns + c];
        return result;
    }
}

/// <summary>One of a topic's top terms.</summary>
/// <param name="Index">The term's index (0 … W − 1).</param>
/// <param name="Term">The term, or null when the model has no vocabulary.</param>
/// <param name="Probability">p(w | k).</param>
public sealed record TopicTerm(int Index, string? Term, double Probability);
