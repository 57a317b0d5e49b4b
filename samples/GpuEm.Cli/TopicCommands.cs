using System.Globalization;
using System.Text;
using GpuEm.Data;
using GpuEm.Models.Topics;
using GpuEm.Persistence;

namespace GpuEm.Cli;

/// <summary>
/// <c>gpuem topics fit|words|transform|perplexity</c>: topic models (<see cref="Lda"/>,
/// <see cref="Plsa"/>) fitted to a corpus of documents × terms counts (<see cref="Corpus"/>: UCI
/// bag-of-words, Matrix Market, svmlight or plain text), their top words, the topic proportions of
/// new documents and their perplexity.
/// </summary>
internal static class TopicCommands
{
    private const string Help = """
        usage: gpuem topics fit --input FILE [--vocab vocab.txt] [--format uci|mm|svmlight|text]
                                --topics K --model lda|plsa [--alpha A] [--eta E] [--learn-alpha]
                                [--learning-method batch|online] [--batch-size N]
                                [--learning-offset T] [--learning-decay K] [--stream] [--tempering B]
                                [--max-iter N] [--tol T] [--n-init R] [--seed S]
                                [--min-df N] [--max-df F] [--no-stop-words] [--min-token-length L]
                                [--no-lowercase] [--backend auto|cuda|opencl|cpu-accelerator|reference]
                                [--device-memory-limit BYTES] [--output model.json]
                                [--restart-strategy independent|short-runs] [--short-runs N]
                                [--short-iter I] [--short-continue M]
               gpuem topics words --model MODEL.json [--top 10]
               gpuem topics transform --model MODEL.json --input FILE [--format uci|mm|svmlight|text]
                                      [--no-lowercase] [--output FILE]
               gpuem topics perplexity --model MODEL.json --input FILE [--format uci|mm|svmlight|text]
                                       [--no-lowercase]

        Topic models of a corpus: --model lda (latent Dirichlet allocation by batch variational EM,
        as scikit-learn's LatentDirichletAllocation) or plsa (probabilistic latent semantic
        analysis by EM), K topics. FILE is a UCI bag-of-words file (docword.*.txt: lines D, W, NNZ,
        then 'docID wordID count', 1-based), Matrix Market (*.mtx, documents × terms), svmlight
        (*.svm, *.svmlight, *.libsvm: 'label index:count …' per document) or text (--format text:
        one document per line of a file, or one per *.txt file of a folder). Without --format the
        format comes from the name, a folder being text and a file whose first three lines are
        whole numbers UCI. --vocab names the terms, one per line (line t is term t); a text corpus
        builds its vocabulary from its tokens (runs of letters, lower-cased unless --no-lowercase,
        at least --min-token-length letters, default 2; English stop words dropped unless
        --no-stop-words; terms in fewer than --min-df documents, default 1, or more than --max-df
        of them, a fraction, default 1, dropped), sorted; with --vocab the vocabulary is fixed and
        other tokens are dropped. Repeated (document, term) entries are added up, with a notice.
        LDA: --alpha (document-topic prior, default 1/K), --eta (topic-word prior, default 1/K),
        --learn-alpha (one α per topic, learned in every M-step), --learning-method batch (default:
        batch variational EM) or online (online variational Bayes, Hoffman et al. 2010, as
        scikit-learn's: mini-batches of --batch-size documents, default 128, in corpus order, each
        followed by λ ← (1 − ρ) λ + ρ λ̂ with ρ = (--learning-offset + t)^−(--learning-decay),
        defaults 10 and 0.7; one iteration is one pass; the elbo reported is the pass's running
        estimate; runs on the reference engine). --stream (online only) leaves the corpus in its
        file: read once to check it, then again in mini-batches on every pass, one batch in memory
        at a time, for corpora larger than memory; UCI and Matrix Market entries must then come in
        document order; text is not streamed; the model is the one the same fit without --stream
        gives, to the bit. PLSA: --tempering β in (0, 1]
        (tempered EM, default 1: plain EM). Defaults: 100 iterations, tol 1e-4 on the change of the
        objective per token, 1 start, seed 0, auto.

        fit prints one JSON object: model (lda or plsa), topics, documents, terms, tokens, elbo
        (LDA) or logLikelihood (PLSA; totals over the training tokens, natural log), perplexity
        (training: exp(−elbo / tokens), exp(−logLikelihood / tokens)), alpha and eta (LDA) or
        tempering (PLSA), the fit's converged, cancelled, iterations, backend, device, seconds,
        objective (per token), then nonZeros, summedDuplicates, droppedTokens, streamed (true with
        --stream) and modelFormat.
        --output saves the model file (for gpuem topics words|transform|perplexity and
        gpuem info|plot --model). words prints {model, topics: [{topic, words: [{term, index,
        probability}, …]}, …]}, the --top most probable terms of each topic (term null when the
        model has no vocabulary). transform prints each document's topic proportions as CSV, one
        row of K numbers per document (with --output, under a header t0,t1,…). perplexity prints
        {model, documents, tokens, heldOutPerplexity, boundPerplexity}: heldOutPerplexity by
        document completion (each document's tokens dealt alternately to an observed half, on
        which its topic proportions are inferred, and a held-out half that is scored),
        boundPerplexity (LDA only) scikit-learn's exp(−ELBO / tokens) of the documents. New
        documents are read with the model's vocabulary when it has one (text tokens outside it
        are dropped, with a notice); otherwise their W must not exceed the model's.
        """ + "\n\n" + Commands.SearchHelp;

    private static readonly IReadOnlyDictionary<string, CorpusFormat> Formats = new Dictionary<string, CorpusFormat>
    {
        ["uci"] = CorpusFormat.Uci,
        ["mm"] = CorpusFormat.MatrixMarket,
        ["svmlight"] = CorpusFormat.Svmlight,
        ["text"] = CorpusFormat.Text,
    };

    private static readonly IReadOnlyDictionary<string, TopicMethod> Methods = new Dictionary<string, TopicMethod>
    {
        ["lda"] = TopicMethod.Lda,
        ["plsa"] = TopicMethod.Plsa,
    };

    // The text tokenizer's filters: they build a vocabulary (--no-lowercase also maps onto one).
    private static readonly string[] FilterOptions = ["min-df", "max-df", "min-token-length"];
    private static readonly string[] FilterFlags = ["no-stop-words"];

    public static int Run(string[] args, CliContext context)
    {
        if (args.Length > 0)
        {
            switch (args[0])
            {
                case "fit":
                    return Fit(args[1..], context);
                case "words":
                    return Words(args[1..], context);
                case "transform":
                    return Transform(args[1..], context);
                case "perplexity":
                    return Perplexity(args[1..], context);
            }
        }
        var a = new Arguments(args, Commands.Set(), Commands.Set());
        if (a.Flag("help"))
            return Commands.Help(context.Out, Help);
        throw new UsageException("gpuem topics needs a subcommand: fit, words, transform or perplexity (see gpuem topics --help)");
    }

    private static int Fit(string[] args, CliContext context)
    {
        var a = new Arguments(args, Commands.Set(
            [.. FilterOptions, .. Commands.SearchOptions, "input", "vocab", "format", "topics", "model", "alpha", "eta", "tempering", "max-iter", "tol", "n-init", "seed",
                "backend", "device-memory-limit", "output", .. LdaLearningArguments.Options]),
            Commands.Set([.. FilterFlags, "learn-alpha", "no-lowercase", "stream"]));
        if (a.Flag("help"))
            return Commands.Help(context.Out, Help);
        string input = a.Required("input");
        bool stream = a.Flag("stream");
        string? vocabulary = a.Text("vocab");
        string? output = a.Output(input, vocabulary);
        int topics = a.RequiredInt("topics", 1, "K");
        TopicMethod method = a.Text("model") is null
            ? throw new UsageException("--model lda|plsa is required")
            : a.Choice("model", TopicMethod.Lda, Methods);
        bool lda = method == TopicMethod.Lda;
        foreach (string option in new[] { "alpha", "eta" })
            if (!lda && a.Text(option) is not null)
                throw new UsageException($"--{option} applies to --model lda only");
        if (!lda && a.Flag("learn-alpha"))
            throw new UsageException("--learn-alpha applies to --model lda only");
        if (!lda && LdaLearningArguments.Options.FirstOrDefault(o => a.Text(o) is not null) is { } ldaOnly)
            throw new UsageException($"--{ldaOnly} applies to --model lda only");
        if (lda && a.Text("tempering") is not null)
            throw new UsageException("--tempering applies to --model plsa only");
        CorpusFormat? format = FormatOf(a);
        TextTokenizerOptions tokenizer = Tokenizer(a, input, format, fixedVocabulary: vocabulary is not null);

        if (stream && !lda)
            throw new UsageException("--stream applies to --model lda --learning-method online only");
        if (stream && IsText(input, format))
            throw new UsageException(
                $"--stream reads UCI, Matrix Market or svmlight files; {Path.GetFileName(input)} is text, which is read whole (drop --stream)");

        Func<Corpus, TopicModel> fit;
        Func<CorpusStream, TopicModel>? fitStream = null;
        Backend backend;
        if (lda)
        {
            LdaOptions options = LdaLearningArguments.Apply(a, new LdaOptions
            {
                TopicCount = topics,
                Alpha = a.Text("alpha") is null ? null : a.Positive("alpha", 1),
                Eta = a.Text("eta") is null ? null : a.Positive("eta", 1),
                LearnAlpha = a.Flag("learn-alpha"),
            }).WithRunOptions(a, context);
            Lda estimator = Commands.Validated(() => new Lda(options));
            if (stream && options.LearningMethod != LdaLearning.Online)
                throw new UsageException("--stream needs --learning-method online (batch variational EM reads the corpus whole)");
            fit = corpus => estimator.Fit(corpus, context.Cancellation);
            fitStream = corpus => estimator.Fit(corpus, context.Cancellation);
            backend = options.Backend;
        }
        else
        {
            double tempering = a.Positive("tempering", 1);
            if (tempering > 1)
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--tempering {tempering} is not in (0, 1]"));
            PlsaOptions options = new PlsaOptions { TopicCount = topics, Tempering = tempering }.WithRunOptions(a, context);
            Plsa estimator = Commands.Validated(() => new Plsa(options));
            fit = corpus => estimator.Fit(corpus, context.Cancellation);
            backend = options.Backend;
        }

        TopicModel model;
        long nonZeros, dropped = 0;
        int summed;
        if (fitStream is not null && stream)
        {
            CorpusStream corpus = context.Read(input, () => CorpusStream.Open(input, format, vocabulary));
            SummedNotice(corpus.Source, corpus.SummedDuplicates, a, context);
            Commands.AnnounceDevice(backend, a, context);
            model = context.Show(() => fitStream(corpus));
            (nonZeros, summed) = (corpus.NonZeroCount, corpus.SummedDuplicates);
        }
        else
        {
            Corpus corpus = context.Read(input, () => Corpus.Read(input, format, vocabulary, tokenizer));
            Notices(corpus, a, context, fixedVocabulary: vocabulary is not null);
            Commands.AnnounceDevice(backend, a, context);
            model = context.Show(() => fit(corpus));
            (nonZeros, summed, dropped) = (corpus.NonZeroCount, corpus.SummedDuplicates, corpus.DroppedTokens);
        }
        context.Out.WriteLine(Commands.WriteJson(j =>
        {
            model.Describe(j);
            Commands.WriteSummary(j, model.Summary);
            j.WriteNumber("nonZeros", nonZeros);
            j.WriteNumber("summedDuplicates", summed);
            j.WriteNumber("droppedTokens", dropped);
            j.WriteBoolean("streamed", stream);
            j.WriteString("modelFormat", model.Format);
        }));
        if (output is not null)
            model.Save(output);
        return Commands.ExitCode(model);
    }

    private static int Words(string[] args, CliContext context)
    {
        var a = new Arguments(args, Commands.Set("model", "top"), Commands.Set());
        if (a.Flag("help"))
            return Commands.Help(context.Out, Help);
        int top = a.Int("top", 10, minimum: 1);
        TopicModel model = Load(a.Required("model"));
        IReadOnlyList<IReadOnlyList<TopicTerm>> words = model.TopWords(top);
        context.Out.WriteLine(Commands.WriteJson(j =>
        {
            j.WriteString("model", Name(model));
            j.WriteStartArray("topics");
            for (int k = 0; k < words.Count; k++)
            {
                j.WriteStartObject();
                j.WriteNumber("topic", k);
                j.WriteStartArray("words");
                foreach (TopicTerm term in words[k])
                {
                    j.WriteStartObject();
                    if (term.Term is null)
                        j.WriteNull("term");
                    else
                        j.WriteString("term", term.Term);
                    j.WriteNumber("index", term.Index);
                    j.WriteNumber("probability", term.Probability);
                    j.WriteEndObject();
                }
                j.WriteEndArray();
                j.WriteEndObject();
            }
            j.WriteEndArray();
        }));
        return 0;
    }

    private static int Transform(string[] args, CliContext context)
    {
        var a = new Arguments(args, Commands.Set("model", "input", "format", "output"), Commands.Set("no-lowercase"));
        if (a.Flag("help"))
            return Commands.Help(context.Out, Help);
        string input = a.Required("input");
        string? output = a.Output(input, a.Text("model"));
        (TopicModel model, Corpus corpus) = Documents(a, context);
        double[,] theta = model.Transform(corpus);
        var write = (TextWriter writer) =>
        {
            var text = new StringBuilder();
            if (output is not null)
                text.Append(string.Join(',', Enumerable.Range(0, model.TopicCount).Select(k => $"t{k}"))).Append('\n');
            for (int d = 0; d < theta.GetLength(0); d++)
            {
                for (int k = 0; k < theta.GetLength(1); k++)
                    text.Append(k > 0 ? "," : "").Append(theta[d, k].ToString("R", CultureInfo.InvariantCulture));
                text.Append('\n');
                // Written in pieces of about 1 MB, so a large corpus is not held twice as text.
                if (text.Length > 1 << 20)
                {
                    writer.Write(text.ToString());
                    text.Clear();
                }
            }
            writer.Write(text.ToString());
        };
        if (output is null)
            write(context.Out);
        else
            AtomicFile.Write(output, write);
        return 0;
    }

    private static int Perplexity(string[] args, CliContext context)
    {
        var a = new Arguments(args, Commands.Set("model", "input", "format"), Commands.Set("no-lowercase"));
        if (a.Flag("help"))
            return Commands.Help(context.Out, Help);
        a.Required("input");
        (TopicModel model, Corpus corpus) = Documents(a, context);
        double heldOut = model.HeldOutPerplexity(corpus);
        double? bound = model.Method == TopicMethod.Lda ? model.BoundPerplexity(corpus) : null;
        context.Out.WriteLine(Commands.WriteJson(j =>
        {
            j.WriteString("model", Name(model));
            j.WriteNumber("documents", corpus.DocumentCount);
            j.WriteNumber("tokens", corpus.TokenCount);
            j.WriteNumber("heldOutPerplexity", heldOut);
            if (bound is { } value)
                j.WriteNumber("boundPerplexity", value);
        }));
        return 0;
    }

    /// <summary>A saved topic model; any other model is a usage error that says what it is.</summary>
    internal static TopicModel Load(string path) =>
        ModelFile.Load(path) as TopicModel is { } model
            ? model
            : throw new UsageException($"{path} is not a topic model (gpuem topics fit --output writes one)");

    // The --model and --input of transform and perplexity: the documents over the model's terms,
    // read with its vocabulary when it has one.
    private static (TopicModel Model, Corpus Corpus) Documents(Arguments a, CliContext context)
    {
        string input = a.Required("input");
        CorpusFormat? format = FormatOf(a);
        bool text = IsText(input, format);
        if (a.Flag("no-lowercase") && !text)
            throw new UsageException("--no-lowercase applies to text corpora (--format text, or a folder of *.txt files) only");
        var tokenizer = new TextTokenizerOptions { Lowercase = !a.Flag("no-lowercase") };
        TopicModel model = Load(a.Required("model"));
        if (model.Vocabulary is null && text)
            throw new UsageException(
                "the model has no vocabulary (it was fitted on counts without --vocab), so a text corpus cannot be mapped onto its terms; give counts over its terms");
        Corpus corpus = context.Read(input, () => model.Vocabulary is { } vocabulary
            ? Corpus.Read(input, vocabulary, format, tokenizer)
            : Corpus.Read(input, format));
        Notices(corpus, a, context, fixedVocabulary: model.Vocabulary is not null);
        return (model, corpus);
    }

    // --format, or null to tell it from the path.
    private static CorpusFormat? FormatOf(Arguments a) =>
        a.Text("format") is null ? null : a.Choice("format", CorpusFormat.Uci, Formats);

    // Whether the input is read as text: --format text, or a folder without --format.
    private static bool IsText(string input, CorpusFormat? format) =>
        format == CorpusFormat.Text || format is null && Directory.Exists(input);

    // The tokenizer options of a text corpus. Usage errors: any of them for another format, and
    // the filters (which build a vocabulary) with --vocab (which fixes it).
    private static TextTokenizerOptions Tokenizer(Arguments a, string input, CorpusFormat? format, bool fixedVocabulary)
    {
        string? filter = FilterOptions.FirstOrDefault(o => a.Text(o) is not null) ?? FilterFlags.FirstOrDefault(a.Flag);
        if (!IsText(input, format) && (filter ?? (a.Flag("no-lowercase") ? "no-lowercase" : null)) is { } option)
            throw new UsageException(
                $"--{option} applies to text corpora (--format text, or a folder of *.txt files) only; {Path.GetFileName(input)} is read as counts");
        if (fixedVocabulary && filter is not null)
            throw new UsageException($"--{filter} does not apply with --vocab, which fixes the terms of a text corpus");
        var defaults = new TextTokenizerOptions();
        double maxDf = a.Positive("max-df", defaults.MaxDocumentFrequency);
        if (maxDf > 1)
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--max-df {maxDf} is a fraction of the documents, in (0, 1]"));
        return new TextTokenizerOptions
        {
            Lowercase = !a.Flag("no-lowercase"),
            MinTokenLength = a.Int("min-token-length", defaults.MinTokenLength, minimum: 1),
            StopWords = a.Flag("no-stop-words") ? new HashSet<string>(StringComparer.Ordinal) : defaults.StopWords,
            MinDocumentFrequency = a.Int("min-df", defaults.MinDocumentFrequency, minimum: 1),
            MaxDocumentFrequency = maxDf,
        };
    }

    // Notices on stderr (not under --quiet): repeated entries added up, tokens dropped.
    private static void Notices(Corpus corpus, Arguments a, CliContext context, bool fixedVocabulary)
    {
        SummedNotice(corpus.Source, corpus.SummedDuplicates, a, context);
        if (a.Flag("quiet"))
            return;
        if (corpus.DroppedTokens > 0)
            context.Error.WriteLine(fixedVocabulary
                ? string.Create(CultureInfo.InvariantCulture,
                    $"gpuem: notice: {corpus.Source}: {corpus.DroppedTokens:N0} tokens are not in the vocabulary and were dropped")
                : string.Create(CultureInfo.InvariantCulture,
                    $"gpuem: notice: {corpus.Source}: {corpus.DroppedTokens:N0} tokens were dropped (stop words, shorter than --min-token-length, outside --min-df/--max-df)"));
    }

    private static void SummedNotice(string source, int summed, Arguments a, CliContext context)
    {
        if (summed > 0 && !a.Flag("quiet"))
            context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"gpuem: notice: {source}: {summed:N0} (document, term) pairs are given more than once; their counts were added up"));
    }

    private static string Name(TopicModel model) => model.Method == TopicMethod.Lda ? "lda" : "plsa";
}
