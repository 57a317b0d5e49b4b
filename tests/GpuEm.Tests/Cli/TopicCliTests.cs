using System.Globalization;
using System.Text.Json;
using GpuEm.Models.Topics;
using GpuEm.Persistence;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Cli;

/// <summary>
/// gpuem topics fit|words|transform|perplexity, gpuem info and plot of a topic model, and gpuem
/// bench --model lda|plsa, in process, on small seeded corpora written to a temporary folder as
/// UCI bag-of-words files (with a vocabulary) and as text. The printed numbers are checked
/// against the corpus (tokens = Σ counts) and against each other (perplexity = exp(−objective /
/// tokens)); the subcommands against the library on the saved model.
/// </summary>
public sealed class TopicCliTests : TempFolderTests
{
    private const int Documents = 36;
    private const int Terms = 24;

    public TopicCliTests()
        : base("gpuem-cli-topics-")
    {
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => InProcess.Run(args);

    private string Write(string name, string text)
    {
        string path = PathOf(name);
        File.WriteAllText(path, text);
        return path;
    }

    // A corpus of three planted topics (each 90 % on its own block of 8 terms), 20–40 tokens a
    // document, as a UCI file (its entries one per (document, term) pair) and a vocabulary;
    // returns the paths and the total count.
    private (string Docword, string Vocab, long Tokens) Uci(string name = "docword.txt", int seed = 3, int documents = Documents)
    {
        var random = new Random(seed);
        var counts = new int[documents, Terms];
        long tokens = 0;
        for (int d = 0; d < documents; d++)
        {
            int topic = d % 3, length = 20 + random.Next(21);
            for (int i = 0; i < length; i++)
            {
                int w = random.NextDouble() < 0.9 ? topic * 8 + random.Next(8) : random.Next(Terms);
                counts[d, w]++;
                tokens++;
            }
        }
        var lines = new List<string>();
        for (int d = 0; d < documents; d++)
            for (int w = 0; w < Terms; w++)
                if (counts[d, w] > 0)
                    lines.Add(string.Create(CultureInfo.InvariantCulture, $"{d + 1} {w + 1} {counts[d, w]}"));
        string docword = Write(name, $"{documents}\n{Terms}\n{lines.Count}\n" + string.Join('\n', lines) + "\n");
        string vocab = Write("vocab.txt", string.Concat(Enumerable.Range(0, Terms).Select(w => $"{Word(w)}\n")));
        return (docword, vocab, tokens);
    }

    // Term w's word: a block's words share a letter (a…, b…, c…).
    private static string Word(int w) => $"{(char)('a' + w / 8)}word{w % 8}";

    private static JsonElement Json(string text)
    {
        using JsonDocument document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    private static void AssertUsageError((int Code, string Out, string Err) result, string fragment)
    {
        Assert.True(result.Code == 2, $"exit {result.Code}: {result.Err}");
        Assert.Equal("", result.Out);
        string line = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("gpuem: error: ", line);
        Assert.Contains(fragment, line);
    }

    private static void AssertDataError((int Code, string Out, string Err) result, string fragment)
    {
        Assert.True(result.Code == 1, $"exit {result.Code}: {result.Err}");
        string line = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("gpuem: error: ", line);
        Assert.Contains(fragment, line);
    }

    private static (int Width, int Height) PngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        return (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)),
            System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
    }

    private static double[][] Csv(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
            .ToArray();

    [Fact]
    public void Lda_fit_prints_every_field_consistent_with_the_corpus_and_saves_the_model()
    {
        (string docword, string vocab, long tokens) = Uci();
        string model = PathOf("lda.json");
        (int code, string output, string errors) = Run(
            "topics", "fit", "--input", docword, "--vocab", vocab, "--topics", "3", "--model", "lda", "--max-iter", "30",
            "--backend", "reference", "--output", model);
        Assert.True(code == 0, errors);
        // No notice: the corpus has no repeated entries (a warning if the fit stops short is fine).
        Assert.DoesNotContain("notice", errors);
        JsonElement root = Json(output);
        foreach (string key in new[]
        {
            "model", "topics", "documents", "terms", "tokens", "iterations", "converged", "cancelled", "backend", "device", "seconds",
            "objective", "elbo", "perplexity", "alpha", "eta", "nonZeros", "summedDuplicates", "droppedTokens", "modelFormat",
        })
            Assert.True(root.TryGetProperty(key, out _), $"no {key} in {output}");
        Assert.False(root.TryGetProperty("logLikelihood", out _));
        Assert.False(root.TryGetProperty("tempering", out _));
        string[] names = root.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(names.Length, names.Distinct().Count());
        Assert.Equal("lda", root.GetProperty("model").GetString());
        Assert.Equal(3, root.GetProperty("topics").GetInt32());
        Assert.Equal(Documents, root.GetProperty("documents").GetInt32());
        Assert.Equal(Terms, root.GetProperty("terms").GetInt32());
        Assert.Equal(tokens, root.GetProperty("tokens").GetDouble());
        Assert.Equal(0, root.GetProperty("summedDuplicates").GetInt32());
        Assert.Equal(0, root.GetProperty("droppedTokens").GetInt64());
        Assert.Equal(TopicModel.FormatName, root.GetProperty("modelFormat").GetString());
        Assert.Equal("Reference", root.GetProperty("backend").GetString());
        Assert.InRange(root.GetProperty("iterations").GetInt32(), 1, 30);
        double elbo = root.GetProperty("elbo").GetDouble();
        Assert.True(elbo < 0);
        // Both are printed from the same double: the identities hold to rounding.
        Assert.Equal(Math.Exp(-elbo / tokens), root.GetProperty("perplexity").GetDouble(), 1e-12);
        Assert.Equal(elbo / tokens, root.GetProperty("objective").GetDouble(), 1e-12);
        // Defaults: α = η = 1/K.
        Assert.All(root.GetProperty("alpha").EnumerateArray(), a => Assert.Equal(1.0 / 3, a.GetDouble(), 15));
        Assert.Equal(1.0 / 3, root.GetProperty("eta").GetDouble(), 15);

        var saved = (TopicModel)ModelFile.Load(model);
        Assert.Equal(elbo, saved.Elbo!.Value);
        Assert.Equal(Terms, saved.Vocabulary!.Count);
    }

    [Fact]
    public void Lda_online_fit_runs_its_passes_with_the_given_settings_and_equals_the_library()
    {
        (string docword, string vocab, long tokens) = Uci();
        string model = PathOf("online.json");
        (int code, string output, string errors) = Run(
            "topics", "fit", "--input", docword, "--vocab", vocab, "--topics", "3", "--model", "lda", "--learning-method", "online",
            "--batch-size", "10", "--learning-offset", "4", "--learning-decay", "0.8", "--max-iter", "7", "--tol", "0", "--seed", "2",
            "--output", model);
        Assert.True(code == 0, errors);
        JsonElement root = Json(output);
        Assert.Equal(7, root.GetProperty("iterations").GetInt32());
        Assert.Equal("Reference", root.GetProperty("backend").GetString());
        double elbo = root.GetProperty("elbo").GetDouble();
        Assert.Equal(Math.Exp(-elbo / tokens), root.GetProperty("perplexity").GetDouble(), 1e-12);

        var expected = new Lda(new LdaOptions
        {
            TopicCount = 3,
            LearningMethod = LdaLearning.Online,
            BatchSize = 10,
            LearningOffset = 4,
            LearningDecay = 0.8,
            MaxIterations = 7,
            Tolerance = 0,
            Seed = 2,
            Backend = GpuEm.Backend.Reference,
        }).Fit(GpuEm.Data.Corpus.Read(docword, null, vocab));
        var saved = (TopicModel)ModelFile.Load(model);
        Assert.Equal(expected.Elbo, saved.Elbo);
        Assert.Equal(expected.TopicWord, saved.TopicWord);
        (code, output, errors) = Run(
            "bench", "--model", "lda", "--input", docword, "--topics", "3", "--iterations", "2", "--learning-method", "online",
            "--batch-size", "12", "--backend", "reference", "--json");
        Assert.True(code == 0, errors);
        Assert.Equal(2, Json(output.Trim().Split('\n')[^1]).GetProperty("iterations").GetInt32());
    }

    [Fact]
    public void Lda_online_fit_with_stream_reads_the_file_in_batches_and_gives_the_same_model()
    {
        (string docword, string vocab, _) = Uci();
        string[] fit =
        [
            "topics", "fit", "--input", docword, "--vocab", vocab, "--topics", "3", "--model", "lda", "--learning-method", "online",
            "--batch-size", "7", "--max-iter", "5", "--tol", "0", "--seed", "3", "--learn-alpha",
        ];
        (int code, string output, string errors) = Run([.. fit, "--output", PathOf("whole.json")]);
        Assert.True(code == 0, errors);
        Assert.False(Json(output).GetProperty("streamed").GetBoolean());
        (code, output, errors) = Run([.. fit, "--stream", "--output", PathOf("streamed.json")]);
        Assert.True(code == 0, errors);
        JsonElement root = Json(output);
        Assert.True(root.GetProperty("streamed").GetBoolean());
        Assert.Equal(Documents, root.GetProperty("documents").GetInt32());
        Assert.Equal(5, root.GetProperty("iterations").GetInt32());
        var whole = (TopicModel)ModelFile.Load(PathOf("whole.json"));
        var streamed = (TopicModel)ModelFile.Load(PathOf("streamed.json"));
        Assert.Equal(whole.TopicWord, streamed.TopicWord);
        Assert.Equal(whole.Alpha, streamed.Alpha);
        Assert.Equal(whole.Elbo, streamed.Elbo);
        Assert.Equal(whole.Vocabulary, streamed.Vocabulary);

        AssertUsageError(Run("topics", "fit", "--input", docword, "--topics", "3", "--model", "lda", "--stream"), "--learning-method online");
        AssertUsageError(Run("topics", "fit", "--input", docword, "--topics", "3", "--model", "plsa", "--stream"), "--model lda");
        File.WriteAllLines(PathOf("docs.txt"), ["apples and pears", "pears and plums"]);
        AssertUsageError(Run("topics", "fit", "--input", PathOf("docs.txt"), "--format", "text", "--topics", "2", "--model", "lda",
            "--learning-method", "online", "--stream"), "is text");
        File.WriteAllText(PathOf("unsorted.txt"), "3\n4\n3\n1 1 2\n2 3 1\n1 2 1\n");
        AssertDataError(Run("topics", "fit", "--input", PathOf("unsorted.txt"), "--topics", "2", "--model", "lda",
            "--learning-method", "online", "--stream"), "unsorted.txt line 6: docID 1 comes after docID 2");
    }

    [Fact]
    public void Plsa_fit_prints_its_log_likelihood_and_tempering_and_learn_alpha_moves_alpha()
    {
        (string docword, _, long tokens) = Uci();
        (int code, string output, string errors) = Run(
            "topics", "fit", "--input", docword, "--topics", "3", "--model", "plsa", "--tempering", "0.9", "--max-iter", "25",
            "--seed", "2", "--backend", "reference");
        Assert.True(code == 0, errors);
        JsonElement root = Json(output);
        Assert.Equal("plsa", root.GetProperty("model").GetString());
        Assert.False(root.TryGetProperty("elbo", out _));
        Assert.False(root.TryGetProperty("alpha", out _));
        Assert.Equal(0.9, root.GetProperty("tempering").GetDouble());
        double logLikelihood = root.GetProperty("logLikelihood").GetDouble();
        Assert.Equal(tokens, root.GetProperty("tokens").GetDouble());
        Assert.Equal(Math.Exp(-logLikelihood / tokens), root.GetProperty("perplexity").GetDouble(), 1e-12);
        // A perplexity between 1 and W: better than uniform over the terms.
        Assert.InRange(root.GetProperty("perplexity").GetDouble(), 1, Terms);

        (code, output, errors) = Run(
            "topics", "fit", "--input", docword, "--topics", "3", "--model", "lda", "--alpha", "0.5", "--eta", "0.2", "--learn-alpha",
            "--max-iter", "10", "--tol", "0", "--backend", "reference");
        Assert.True(code == 0, errors);
        root = Json(output);
        Assert.Equal(10, root.GetProperty("iterations").GetInt32());
        Assert.False(root.GetProperty("converged").GetBoolean());
        Assert.Equal(0.2, root.GetProperty("eta").GetDouble());
        Assert.Contains(root.GetProperty("alpha").EnumerateArray(), a => Math.Abs(a.GetDouble() - 0.5) > 1e-6);
    }

    [Fact]
    public void A_saved_model_gives_words_transform_perplexity_info_and_a_plot()
    {
        (string docword, string vocab, _) = Uci();
        (string test, _, _) = Uci("test.txt", seed: 9, documents: 12);
        string lda = PathOf("lda.json"), plsa = PathOf("plsa.json");
        foreach ((string method, string file) in new[] { ("lda", lda), ("plsa", plsa) })
        {
            (int fitted, _, string fitErrors) = Run(
                "topics", "fit", "--input", docword, "--vocab", vocab, "--topics", "3", "--model", method, "--max-iter", "40",
                "--backend", "reference", "--output", file, "--quiet");
            Assert.True(fitted == 0, fitErrors);
        }
        var model = TopicModel.Load(lda);

        // words: the top terms of each topic, most probable first, with their terms.
        (int code, string output, string errors) = Run("topics", "words", "--model", lda, "--top", "5");
        Assert.True(code == 0, errors);
        JsonElement root = Json(output);
        Assert.Equal("lda", root.GetProperty("model").GetString());
        JsonElement[] topics = root.GetProperty("topics").EnumerateArray().ToArray();
        Assert.Equal(3, topics.Length);
        IReadOnlyList<IReadOnlyList<TopicTerm>> expected = model.TopWords(5);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(k, topics[k].GetProperty("topic").GetInt32());
            JsonElement[] words = topics[k].GetProperty("words").EnumerateArray().ToArray();
            Assert.Equal(5, words.Length);
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(expected[k][i].Index, words[i].GetProperty("index").GetInt32());
                Assert.Equal(Word(expected[k][i].Index), words[i].GetProperty("term").GetString());
                Assert.Equal(expected[k][i].Probability, words[i].GetProperty("probability").GetDouble());
            }
            // The planted blocks: a topic's top words share their block's letter.
            Assert.Single(words.Select(w => w.GetProperty("term").GetString()![0]).Distinct());
        }

        // transform: D rows of K proportions, as the library's; --output adds a header.
        (code, output, errors) = Run("topics", "transform", "--model", lda, "--input", test);
        Assert.True(code == 0, errors);
        double[][] rows = Csv(output);
        Assert.Equal(12, rows.Length);
        double[,] theta = model.Transform(Data.Corpus.Read(test, model.Vocabulary!));
        for (int d = 0; d < rows.Length; d++)
        {
            Assert.Equal(3, rows[d].Length);
            Assert.Equal(1.0, rows[d].Sum(), 12);
            for (int k = 0; k < 3; k++)
                Assert.Equal(theta[d, k], rows[d][k]);
        }
        string csv = PathOf("theta.csv");
        (code, string quiet, errors) = Run("topics", "transform", "--model", lda, "--input", test, "--output", csv);
        Assert.True(code == 0, errors);
        Assert.Equal("", quiet);
        Assert.Equal("t0,t1,t2\n" + output, File.ReadAllText(csv));

        // perplexity: held out for both, the bound for LDA only.
        (code, output, errors) = Run("topics", "perplexity", "--model", lda, "--input", test);
        Assert.True(code == 0, errors);
        root = Json(output);
        Assert.Equal(12, root.GetProperty("documents").GetInt32());
        var testCorpus = Data.Corpus.Read(test, model.Vocabulary!);
        Assert.Equal(testCorpus.TokenCount, root.GetProperty("tokens").GetDouble());
        Assert.Equal(model.HeldOutPerplexity(testCorpus), root.GetProperty("heldOutPerplexity").GetDouble());
        Assert.Equal(model.BoundPerplexity(testCorpus), root.GetProperty("boundPerplexity").GetDouble());
        Assert.InRange(root.GetProperty("heldOutPerplexity").GetDouble(), 1, Terms);
        (code, output, errors) = Run("topics", "perplexity", "--model", plsa, "--input", test);
        Assert.True(code == 0, errors);
        root = Json(output);
        Assert.Equal("plsa", root.GetProperty("model").GetString());
        Assert.InRange(root.GetProperty("heldOutPerplexity").GetDouble(), 1, Terms);
        Assert.False(root.TryGetProperty("boundPerplexity", out _));

        // info: any model file's summary.
        (code, output, errors) = Run("info", "--model", lda);
        Assert.True(code == 0, errors);
        root = Json(output);
        Assert.Equal(TopicModel.FormatName, root.GetProperty("format").GetString());
        Assert.Equal("lda", root.GetProperty("model").GetString());
        Assert.Equal(model.Perplexity, root.GetProperty("perplexity").GetDouble());

        // plot: a grid of the topics' top words, without data; its size from the grid.
        string png = PathOf("topics.png");
        (code, output, errors) = Run("plot", "--model", lda, "--out", png);
        Assert.True(code == 0, errors);
        Assert.StartsWith($"wrote {png}", output);
        (int width, int height) = PngSize(png);
        Assert.True(width >= 400 && height >= 150, $"{width} × {height}");
        // A picture, not a blank page.
        Assert.True(new FileInfo(png).Length > 8000, $"{new FileInfo(png).Length} bytes");
        (code, _, errors) = Run("plot", "--model", plsa, "--out", png, "--top", "4", "--width", "800", "--height", "450");
        Assert.True(code == 0, errors);
        Assert.Equal((800, 450), PngSize(png));
        AssertUsageError(Run("plot", "--model", lda, "--out", png, "--what", "clusters"), "--what");
        AssertUsageError(Run("plot", "--model", lda, "--out", png, "--input", test), "--input");

        // The row commands say where a topic model is scored.
        AssertUsageError(Run("score", "--model", lda, "--input", test), "gpuem topics perplexity");
        // A model of another kind is not a topic model.
        string kmeans = PathOf("kmeans.json");
        Write("x.csv", "0,0\n1,1\n5,5\n6,6\n");
        Assert.Equal(0, Run("kmeans", "--input", PathOf("x.csv"), "--k", "2", "--backend", "reference", "--output", kmeans, "--quiet").Code);
        AssertUsageError(Run("topics", "words", "--model", kmeans), "is not a topic model");
        AssertUsageError(Run("plot", "--model", kmeans, "--input", PathOf("x.csv"), "--out", png, "--top", "3"), "--top");
    }

    [Fact]
    public void A_model_without_vocabulary_prints_null_terms_and_reads_counts_of_no_more_terms()
    {
        (string docword, _, _) = Uci();
        string model = PathOf("m.json");
        Assert.Equal(0, Run("topics", "fit", "--input", docword, "--topics", "2", "--model", "plsa", "--max-iter", "5",
            "--backend", "reference", "--output", model, "--quiet").Code);
        (int code, string output, string errors) = Run("topics", "words", "--model", model, "--top", "3");
        Assert.True(code == 0, errors);
        JsonElement word = Json(output).GetProperty("topics")[0].GetProperty("words")[0];
        Assert.Equal(JsonValueKind.Null, word.GetProperty("term").ValueKind);

        // Fewer terms are fine (they have no counts); more are a one-line data error.
        string fewer = Write("fewer.txt", "2\n10\n3\n1 1 2\n1 10 1\n2 5 3\n");
        (code, output, errors) = Run("topics", "transform", "--model", model, "--input", fewer);
        Assert.True(code == 0, errors);
        Assert.Equal(2, Csv(output).Length);
        string more = Write("more.txt", "1\n30\n1\n1 30 2\n");
        AssertDataError(Run("topics", "transform", "--model", model, "--input", more), "30 terms");
        // Text cannot be mapped onto terms that have no words.
        string text = Write("t.txt", "some words here\n");
        AssertUsageError(Run("topics", "transform", "--model", model, "--input", text, "--format", "text"), "no vocabulary");
        (code, _, errors) = Run("plot", "--model", model, "--out", PathOf("w.png"));
        Assert.True(code == 0, errors);
    }

    [Fact]
    public void Text_corpora_from_a_file_and_a_folder_build_their_vocabulary_and_report_dropped_tokens()
    {
        string[] lines =
        [
            "The cat sat on the mat with another cat",
            "Dogs and cats are pets; a dog barks at the cat",
            "Stocks fell as markets and bonds slid",
            "The market rallied; stocks and bonds rose",
            "A cat and a dog share the mat",
            "Bonds, stocks, markets: the economy",
        ];
        string file = Write("docs.txt", string.Join('\n', lines) + "\n");
        string model = PathOf("text.json");
        (int code, string output, string errors) = Run(
            "topics", "fit", "--input", file, "--format", "text", "--topics", "2", "--model", "lda", "--max-iter", "20",
            "--backend", "reference", "--output", model);
        Assert.True(code == 0, errors);
        JsonElement root = Json(output);
        Assert.Equal(6, root.GetProperty("documents").GetInt32());
        long dropped = root.GetProperty("droppedTokens").GetInt64();
        // "the", "on", "with", "and", "are", "at", "as", "a" (one letter) … are dropped.
        Assert.True(dropped > 0);
        Assert.Contains($"gpuem: notice: docs.txt: {dropped} tokens were dropped", errors);
        var fitted = TopicModel.Load(model);
        Assert.Contains("cat", fitted.Vocabulary!);
        Assert.DoesNotContain("the", fitted.Vocabulary!);
        Assert.Equal(fitted.Vocabulary!.Order(StringComparer.Ordinal), fitted.Vocabulary!);

        // --no-stop-words and --min-token-length 1 keep every token.
        (code, output, errors) = Run(
            "topics", "fit", "--input", file, "--format", "text", "--topics", "2", "--model", "plsa", "--max-iter", "5",
            "--no-stop-words", "--min-token-length", "1", "--backend", "reference");
        Assert.True(code == 0, errors);
        Assert.Equal(0, Json(output).GetProperty("droppedTokens").GetInt64());
        Assert.DoesNotContain("notice", errors);
        // --min-df 2 keeps the terms of at least two documents.
        (code, output, errors) = Run(
            "topics", "fit", "--input", file, "--format", "text", "--topics", "2", "--model", "plsa", "--max-iter", "5",
            "--min-df", "2", "--max-df", "0.9", "--backend", "reference", "--quiet");
        Assert.True(code == 0, errors);
        Assert.DoesNotContain("notice", errors);
        Assert.True(Json(output).GetProperty("terms").GetInt32() < fitted.TermCount);

        // A folder: one document per *.txt file, without --format.
        string folder = Path.Combine(Folder, "docs");
        Directory.CreateDirectory(folder);
        for (int i = 0; i < lines.Length; i++)
            File.WriteAllText(Path.Combine(folder, $"d{i}.txt"), lines[i]);
        File.WriteAllText(Path.Combine(folder, "skip.md"), "not a document");
        (code, output, errors) = Run(
            "topics", "fit", "--input", folder, "--topics", "2", "--model", "lda", "--max-iter", "20", "--backend", "reference", "--quiet");
        Assert.True(code == 0, errors);
        root = Json(output);
        Assert.Equal(6, root.GetProperty("documents").GetInt32());
        Assert.Equal(fitted.TermCount, root.GetProperty("terms").GetInt32());
        Assert.Equal(fitted.Tokens, root.GetProperty("tokens").GetDouble());

        // New text against the model's vocabulary: unknown tokens are dropped, with a notice.
        string fresh = Write("new.txt", "cat zebra dog\nstocks bonds unicorn\n");
        (code, output, errors) = Run("topics", "transform", "--model", model, "--input", fresh, "--format", "text");
        Assert.True(code == 0, errors);
        Assert.Equal(2, Csv(output).Length);
        Assert.Contains("new.txt: 2 tokens are not in the vocabulary and were dropped", errors);
        (code, output, errors) = Run("topics", "perplexity", "--model", model, "--input", fresh, "--format", "text", "--quiet");
        Assert.True(code == 0, errors);
        Assert.Equal(4, Json(output).GetProperty("tokens").GetDouble());
    }

    [Fact]
    public void Usage_errors_are_one_line_and_exit_2()
    {
        (string docword, string vocab, _) = Uci();
        string[] fit = ["topics", "fit", "--input", docword, "--backend", "reference"];
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "lda", "--tempering", "0.5"]), "--tempering applies to --model plsa only");
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "plsa", "--alpha", "0.5"]), "--alpha applies to --model lda only");
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "plsa", "--eta", "0.5"]), "--eta applies to --model lda only");
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "plsa", "--learn-alpha"]), "--learn-alpha");
        AssertUsageError(Run([.. fit, "--model", "lda"]), "--topics K (≥ 1) is required");
        AssertUsageError(Run([.. fit, "--topics", "2"]), "--model lda|plsa is required");
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "hdp"]), "--model 'hdp' is not one of lda, plsa");
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "lda", "--format", "csv"]), "--format 'csv' is not one of uci, mm, svmlight, text");
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "lda", "--min-df", "2"]), "--min-df applies to text corpora");
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "lda", "--no-stop-words"]), "--no-stop-words applies to text corpora");
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "lda", "--format", "uci", "--no-lowercase"]), "--no-lowercase applies to text");
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "plsa", "--tempering", "1.5"]), "--tempering 1.5 is not in (0, 1]");
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "lda", "--batch-size", "5"]), "--batch-size applies to --learning-method online only");
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "plsa", "--learning-method", "online"]), "--learning-method applies to --model lda only");
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "lda", "--learning-method", "stochastic"]), "--learning-method 'stochastic' is not one of batch, online");
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "lda", "--learning-method", "online", "--learning-decay", "0.4"]),
            "--learning-decay 0.4 is not in (0.5, 1]");
        AssertUsageError(Run("topics", "fit", "--input", docword, "--topics", "2", "--model", "lda", "--learning-method", "online",
            "--backend", "cpu-accelerator"), "reference engine");
        AssertUsageError(Run([.. fit, "--topics", "2", "--model", "lda", "--output", docword]), "is also an input");
        string text = Write("t.txt", "cats and dogs\n");
        AssertUsageError(Run("topics", "fit", "--input", text, "--format", "text", "--vocab", vocab, "--topics", "1", "--model", "lda", "--min-df", "2"),
            "--min-df does not apply with --vocab");
        AssertUsageError(Run("topics"), "needs a subcommand");
        AssertUsageError(Run("topics", "cluster"), "unexpected argument 'cluster'");
        Assert.Contains("usage: gpuem topics fit", Run("topics", "--help").Out);
        Assert.Contains("usage: gpuem topics fit", Run("topics", "perplexity", "--help").Out);
    }

    [Fact]
    public void Data_errors_name_the_file_and_line_in_one_line_and_exit_1()
    {
        (string docword, _, _) = Uci();
        string[] lines = File.ReadAllLines(docword);
        lines[6] = "4 x 2";
        string bad = Write("bad.txt", string.Join('\n', lines) + "\n");
        string[] fit = ["--topics", "2", "--model", "lda", "--backend", "reference"];
        (int Code, string Out, string Err) result = Run(["topics", "fit", "--input", bad, .. fit]);
        AssertDataError(result, "bad.txt line 7: expected 'docID wordID count'");
        Assert.Equal("", result.Out);
        lines[6] = "4 99 2";
        Write("bad.txt", string.Join('\n', lines) + "\n");
        AssertDataError(Run(["topics", "fit", "--input", bad, .. fit]), "bad.txt line 7: wordID 99 is outside 1 … 24");
        AssertDataError(Run(["topics", "fit", "--input", PathOf("absent.txt"), .. fit]), "absent.txt");
        AssertDataError(Run(["topics", "fit", "--input", docword, "--vocab", PathOf("absent-vocab.txt"), .. fit]), "absent-vocab.txt");
        string shortVocab = Write("short.txt", "alpha\nbeta\n");
        AssertDataError(Run(["topics", "fit", "--input", docword, "--vocab", shortVocab, .. fit]), "short.txt: 2 terms (lines)");
        // Without --format a file that is not UCI-shaped asks for the format.
        string prose = Write("prose.txt", "just some words\n");
        AssertDataError(Run(["topics", "fit", "--input", prose, .. fit]), "--format uci|mm|svmlight|text");
        // K above D is found by the library: named by the CLI's option.
        AssertDataError(
            Run("topics", "fit", "--input", docword, "--topics", "50", "--model", "plsa", "--backend", "reference"),
            $"--topics 50 exceeds the number of documents D = {Documents} in docword.txt; use K ≤ D.");
    }

    [Fact]
    public void Repeated_entries_are_added_up_with_a_notice_that_quiet_hides()
    {
        string docword = Write("dup.txt", "3\n4\n6\n1 1 2\n1 1 3\n2 2 1\n2 3 4\n3 4 2\n3 1 1\n");
        (int code, string output, string errors) = Run(
            "topics", "fit", "--input", docword, "--topics", "2", "--model", "plsa", "--max-iter", "5", "--backend", "reference");
        Assert.True(code == 0, errors);
        JsonElement root = Json(output);
        Assert.Equal(1, root.GetProperty("summedDuplicates").GetInt32());
        Assert.Equal(13, root.GetProperty("tokens").GetDouble());
        Assert.Equal(5, root.GetProperty("nonZeros").GetInt64());
        Assert.Contains(
            "gpuem: notice: dup.txt: 1 (document, term) pairs are given more than once; their counts were added up",
            errors.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        (code, _, errors) = Run(
            "topics", "fit", "--input", docword, "--topics", "2", "--model", "plsa", "--max-iter", "5", "--backend", "reference", "--quiet");
        Assert.Equal(0, code);
        Assert.DoesNotContain("notice", errors);
    }

    [Fact]
    public void Bench_lda_times_exactly_the_requested_iterations_and_scores_a_test_corpus()
    {
        (string docword, string vocab, long tokens) = Uci();
        (string test, _, _) = Uci("test.txt", seed: 5, documents: 9);
        (int code, string output, string errors) = Run(
            "bench", "--model", "lda", "--input", docword, "--vocab", vocab, "--topics", "3", "--iterations", "4", "--test", test,
            "--backend", "reference", "--json");
        Assert.True(code == 0, errors);
        JsonElement root = Json(output.Trim().Split('\n')[^1]);
        Assert.Equal("lda", root.GetProperty("model").GetString());
        Assert.Equal(4, root.GetProperty("iterations").GetInt32());
        Assert.Equal(Documents, root.GetProperty("documents").GetInt32());
        Assert.Equal(Terms, root.GetProperty("terms").GetInt32());
        Assert.Equal(tokens, root.GetProperty("tokens").GetDouble());
        Assert.True(root.GetProperty("nnz").GetInt64() > Documents);
        Assert.Equal("Reference", root.GetProperty("backend").GetString());
        Assert.True(root.GetProperty("device").GetString()!.Length > 0);
        double fit = root.GetProperty("fitSeconds").GetDouble();
        Assert.Equal(fit / 4, root.GetProperty("secondsPerIteration").GetDouble(), 1e-12);
        Assert.True(root.GetProperty("readSeconds").GetDouble() > 0);
        Assert.Equal(4, root.GetProperty("iterationSeconds").GetArrayLength());
        double elbo = root.GetProperty("elbo").GetDouble();
        Assert.Equal(Math.Exp(-elbo / tokens), root.GetProperty("perplexity").GetDouble(), 1e-12);
        Assert.Equal(9, root.GetProperty("testDocuments").GetInt32());
        Assert.InRange(root.GetProperty("heldOutPerplexity").GetDouble(), 1, Terms);
        Assert.True(root.GetProperty("boundPerplexity").GetDouble() > 1);

        (code, output, errors) = Run(
            "bench", "--model", "plsa", "--input", docword, "--topics", "3", "--iterations", "3", "--backend", "reference", "--json");
        Assert.True(code == 0, errors);
        root = Json(output.Trim().Split('\n')[^1]);
        Assert.Equal(3, root.GetProperty("iterations").GetInt32());
        Assert.True(root.TryGetProperty("logLikelihood", out _));
        Assert.False(root.TryGetProperty("elbo", out _));
        // Options of the other models are not the topic models', nor the reverse.
        Assert.Equal(2, Run("bench", "--model", "lda", "--input", docword, "--topics", "2", "--k", "3").Code);
        Assert.Equal(2, Run("bench", "--model", "gmm", "--topics", "3").Code);
        Assert.Equal(2, Run("bench", "--model", "lda", "--input", docword).Code);
        Assert.Contains("--model lda|plsa", Run("bench", "--help").Out);
    }

    [Fact]
    public void The_help_names_every_topics_option_and_the_usage_lists_topics()
    {
        string help = Run("topics", "--help").Out;
        foreach (string option in new[]
        {
            "--input", "--vocab", "--format", "--topics", "--model", "--alpha", "--eta", "--learn-alpha", "--tempering", "--max-iter",
            "--tol", "--n-init", "--seed", "--min-df", "--max-df", "--no-stop-words", "--min-token-length", "--no-lowercase",
            "--backend", "--device-memory-limit", "--output", "--top", "--learning-method", "--batch-size", "--learning-offset",
            "--learning-decay",
        })
            Assert.Contains(option, help);
        Assert.Contains("\n  topics      ", GpuEm.Cli.CliApp.Usage);
    }
}
