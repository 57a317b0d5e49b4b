using System.Diagnostics;
using System.Text.Json;
using GpuEm.Cli;
using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Models.Topics;

namespace GpuEm.Bench;

/// <summary>
/// <c>--model lda|plsa</c>: times EM iterations of a topic model on a UCI bag-of-words corpus
/// (docword.*.txt, optionally with its vocab.*.txt), and with <c>--test</c> scores the fitted model
/// on a test corpus of the same terms.
/// </summary>
internal static class TopicBench
{
    /// <summary>The options only this mode reads.</summary>
    internal static readonly string[] Options = ["input", "vocab", "topics", "test", .. LdaLearningArguments.Options];

    /// <summary>
    /// Reads the corpus (readSeconds), runs one untimed fit of one iteration (device selection,
    /// kernel compilation, upload: warmupSeconds), then one fit of exactly --iterations iterations
    /// with tolerance 0 (fitSeconds: the whole <c>Fit</c>, its start and initial E-step included).
    /// secondsPerIteration is fitSeconds / iterations; medianIterationSeconds the median time
    /// between consecutive iteration reports (one M-step and one E-step each). With --test, the
    /// held-out (document completion) and, for LDA, bound perplexities of the test corpus.
    /// </summary>
    /// <param name="a">The parsed options.</param>
    /// <param name="model">"lda" or "plsa".</param>
    /// <param name="stdout">Results.</param>
    /// <returns>0.</returns>
    public static int Run(Arguments a, string model, TextWriter stdout)
    {
        bool json = a.Flag("json");
        string input = a.Required("input");
        string? vocabulary = a.Text("vocab");
        string? test = a.Text("test");
        int topics = a.RequiredInt("topics", 1, "K");
        int iterations = a.Int("iterations", 10, minimum: 1);
        int seed = a.Int("seed", 0);
        Backend backend = a.Choice("backend", Backend.Reference, Arguments.Backends);
        long? memoryLimit = a.DeviceMemoryLimit();
        bool lda = model == "lda";
        if (!lda && LdaLearningArguments.Options.FirstOrDefault(o => a.Text(o) is not null) is { } ldaOnly)
            throw new UsageException($"--{ldaOnly} is an option of --model lda only");
        LdaOptions learning = LdaLearningArguments.Apply(a, new LdaOptions());

        var read = Stopwatch.StartNew();
        Corpus corpus = Corpus.Read(input, null, vocabulary);
        read.Stop();

        var stamps = new List<TimeSpan>();
        var progress = new BenchRunner.Reporter(p =>
        {
            // The EM loop's reports only: iteration 0 after the initial E-step, then one per iteration.
            if (p.Warning is null && p.Phase == FitPhase.Iterating)
                stamps.Add(p.Elapsed);
        });
        Func<int, IProgress<FitProgress>?, TopicModel> fit = lda
            ? (maxIterations, report) => new Lda(learning with
            {
                TopicCount = topics,
                MaxIterations = maxIterations,
                Tolerance = 0,
                Seed = seed,
                Backend = backend,
                DeviceMemoryLimit = memoryLimit,
                Progress = report,
            }).Fit(corpus)
            : (maxIterations, report) => new Plsa(new PlsaOptions
            {
                TopicCount = topics,
                MaxIterations = maxIterations,
                Tolerance = 0,
                Seed = seed,
                Backend = backend,
                DeviceMemoryLimit = memoryLimit,
                Progress = report,
            }).Fit(corpus);

        var warmup = Stopwatch.StartNew();
        fit(1, null);
        warmup.Stop();
        var total = Stopwatch.StartNew();
        TopicModel fitted = fit(iterations, progress);
        total.Stop();
        if (fitted.Iterations != iterations)
            throw new InvalidOperationException($"the fit ran {fitted.Iterations} iterations instead of {iterations}; no timing to report");
        double[] perIteration = stamps.Zip(stamps.Skip(1), (x, y) => (y - x).TotalSeconds).ToArray();
        double[] sorted = perIteration.Order().ToArray();
        double? median = sorted.Length == 0 ? null
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);

        var result = new Dictionary<string, object?>
        {
            ["model"] = model,
            ["input"] = Path.GetFileName(input),
            ["documents"] = corpus.DocumentCount,
            ["terms"] = corpus.TermCount,
            ["nnz"] = corpus.NonZeroCount,
            ["tokens"] = corpus.TokenCount,
            ["topics"] = topics,
            ["iterations"] = fitted.Iterations,
            ["backend"] = fitted.Backend.ToString(),
            ["device"] = fitted.DeviceName,
            ["secondsPerIteration"] = total.Elapsed.TotalSeconds / fitted.Iterations,
            ["medianIterationSeconds"] = median,
            ["iterationSeconds"] = perIteration,
            ["readSeconds"] = read.Elapsed.TotalSeconds,
            ["warmupSeconds"] = warmup.Elapsed.TotalSeconds,
            ["fitSeconds"] = total.Elapsed.TotalSeconds,
            [lda ? "elbo" : "logLikelihood"] = fitted.TrainingObjective,
            ["perplexity"] = fitted.Perplexity,
            ["objectiveHistory"] = fitted.ObjectiveHistory,
            ["processors"] = Environment.ProcessorCount,
            ["seed"] = seed,
            ["deviceMemoryLimit"] = memoryLimit,
        };
        if (test is not null)
        {
            var scoring = Stopwatch.StartNew();
            Corpus held = fitted.Vocabulary is { } words ? Corpus.Read(test, words) : Corpus.Read(test);
            result["testDocuments"] = held.DocumentCount;
            result["testTokens"] = held.TokenCount;
            result["heldOutPerplexity"] = fitted.HeldOutPerplexity(held);
            if (lda)
                result["boundPerplexity"] = fitted.BoundPerplexity(held);
            scoring.Stop();
            result["testSeconds"] = scoring.Elapsed.TotalSeconds;
        }
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(result));
            return 0;
        }
        stdout.WriteLine($"{model} K={topics} on {Path.GetFileName(input)}: D={corpus.DocumentCount} W={corpus.TermCount} " +
            $"nnz={corpus.NonZeroCount} tokens={corpus.TokenCount} on {fitted.DeviceName}");
        stdout.WriteLine($"  seconds per iteration: {total.Elapsed.TotalSeconds / fitted.Iterations:F4} over {fitted.Iterations} iterations " +
            $"(median between iterations {median:F4}); read {read.Elapsed.TotalSeconds:F3} s, warm-up {warmup.Elapsed.TotalSeconds:F3} s");
        stdout.WriteLine($"  {(lda ? "ELBO" : "log-likelihood")}: {fitted.TrainingObjective:G10}, training perplexity {fitted.Perplexity:G6}");
        if (test is not null)
            stdout.WriteLine($"  test: held-out perplexity {result["heldOutPerplexity"]:G6}" +
                (lda ? $", bound perplexity {result["boundPerplexity"]:G6}" : ""));
        return 0;
    }
}
