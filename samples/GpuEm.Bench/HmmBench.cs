using System.Diagnostics;
using System.Text.Json;
using GpuEm.Cli;
using GpuEm.Em;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.HiddenMarkov;

namespace GpuEm.Bench;

/// <summary>
/// <c>--model hmm</c>: times Baum-Welch iterations of a Gaussian hidden Markov model on seeded
/// sequences of the same shape as the pomegranate peer's (/work/shared/peers/pg_hmm_bench.py).
/// </summary>
internal static class HmmBench
{
    /// <summary>The options only this mode reads.</summary>
    internal static readonly string[] Options = ["sequences", "length", "states"];

    /// <summary>
    /// Generates the sequences (not timed), takes the seeded start (k-means) from the first
    /// ≤ 100,000 steps (startSeconds), runs one warm-up fit of one iteration from it, then one fit
    /// of exactly --iterations iterations (tolerance 0) from it. An iteration is one M-step and one
    /// E-step (forward-backward over every sequence plus the statistics), timed between
    /// consecutive progress reports of the EM loop; the initial E-step comes before the first
    /// report and is excluded (reported apart). Prints the median seconds per iteration.
    /// </summary>
    /// <param name="a">The parsed options.</param>
    /// <param name="stdout">Results.</param>
    /// <returns>0.</returns>
    public static int Run(Arguments a, TextWriter stdout)
    {
        bool json = a.Flag("json");
        int sequences = a.Int("sequences", 200, minimum: 1);
        int length = a.Int("length", 500, minimum: 1);
        int states = a.Int("states", 8, minimum: 1);
        int d = a.Int("d", 4, minimum: 1);
        int iterations = a.Int("iterations", 10, minimum: 1);
        int seed = a.Int("seed", 0);
        if ((long)sequences * length > int.MaxValue || (long)sequences * length * d > Array.MaxLength)
            throw new UsageException(
                $"--sequences {sequences} × --length {length} × --d {d} values exceed one array; lower one of them");
        if (states > (long)sequences * length)
            throw new UsageException($"--states {states} exceeds the {(long)sequences * length} steps; use --states ≤ steps");
        string covarianceName = a.Text("covariance") ?? "diag";
        CovarianceType covariance = a.Choice("covariance", CovarianceType.Diagonal, BenchRunner.Covariances);
        Backend backend = a.Choice("backend", Backend.Reference, Arguments.Backends);

        var generation = Stopwatch.StartNew();
        (float[,] rows, int[] lengths) = Generate(sequences, length, states, d, seed);
        generation.Stop();

        var stamps = new List<TimeSpan>();
        var progress = new BenchRunner.Reporter(p =>
        {
            // The EM loop's reports only: iteration 0 after the initial E-step, then one per iteration.
            if (p.Warning is null && p.Phase == FitPhase.Iterating)
                stamps.Add(p.Elapsed);
        });
        var options = new HiddenMarkovOptions(states)
        {
            Covariance = covariance,
            Backend = backend,
            Tolerance = 0,
            Seed = seed,
        };
        // The start: the seeded k-means start of the first ≤ 100,000 steps (whole sequences, or the
        // first 100,000 steps of a longer one), so that a 10⁷-step problem does not spend minutes in
        // k-means; the timed iterations do the same work from any start. Then one untimed iteration (JIT, thread pool) and the timed fit.
        var startClock = Stopwatch.StartNew();
        int head = Math.Max(1, Math.Min(sequences, 100_000 / length));
        int[] headLengths = length > 100_000 ? [100_000] : lengths[..head];
        var headData = new float[headLengths.Sum(), d];
        Buffer.BlockCopy(rows, 0, headData, 0, headData.Length * sizeof(float));
        HiddenMarkovModel start = HiddenMarkov.Fit(headData, headLengths, options with { MaxIterations = 0, Backend = Backend.Reference });
        startClock.Stop();
        options = options with { InitialModel = start };
        HiddenMarkov.Fit(rows, lengths, options with { MaxIterations = 1 });
        var total = Stopwatch.StartNew();
        HiddenMarkovModel model = HiddenMarkov.Fit(rows, lengths, options with { MaxIterations = iterations, Progress = progress });
        total.Stop();
        if (model.Iterations != iterations || stamps.Count != iterations + 1)
            throw new InvalidOperationException(
                $"the fit ran {model.Iterations} iterations ({stamps.Count} reports) instead of {iterations}; no timing to report");

        double[] perIteration = stamps.Zip(stamps.Skip(1), (x, y) => (y - x).TotalSeconds).ToArray();
        double[] sorted = perIteration.Order().ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
        double loop = (stamps[^1] - stamps[0]).TotalSeconds;

        var result = new
        {
            model = "hmm",
            covariance = covarianceName,
            sequences,
            length,
            states,
            d,
            iterations = model.Iterations,
            backend = model.Backend.ToString(),
            device = model.DeviceName,
            secondsPerIteration = median,
            meanSecondsPerIteration = loop / iterations,
            iterationSeconds = perIteration,
            initialEStepSeconds = stamps[0].TotalSeconds,
            fitSeconds = total.Elapsed.TotalSeconds,
            summarySeconds = model.Summary.Seconds,
            generateSeconds = generation.Elapsed.TotalSeconds,
            startSeconds = startClock.Elapsed.TotalSeconds,
            logLikelihood = model.LogLikelihood,
            objectiveHistory = model.ObjectiveHistory,
            processors = Environment.ProcessorCount,
            seed,
        };
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(result));
        }
        else
        {
            stdout.WriteLine($"hmm {covarianceName} sequences={sequences} length={length} states={states} d={d} on {result.device}");
            stdout.WriteLine($"  median seconds per iteration (M-step + E-step): {median:F4} over {iterations} iterations (mean {result.meanSecondsPerIteration:F4})");
            stdout.WriteLine($"  whole fit {result.fitSeconds:F3} s (k-means start, initial E-step {result.initialEStepSeconds:F3} s, iterations)");
            stdout.WriteLine($"  log-likelihood: {model.LogLikelihood:G10}");
        }
        return 0;
    }

    /// <summary>
    /// The peer's problem shape (pg_hmm_bench.py, same distributions, not numpy's stream): state
    /// means i.i.d. N(0, 3²); transition rows 0.8·e_i + 0.2·Dirichlet(1, …, 1); each sequence
    /// starts in a uniform random state; each step emits mean + N(0, I).
    /// </summary>
    internal static (float[,] Rows, int[] Lengths) Generate(int sequences, int length, int states, int d, int seed)
    {
        var random = new Random(seed);
        var means = new double[states * d];
        for (int i = 0; i < means.Length; i++)
            means[i] = 3 * StandardNormal(random);
        // Cumulative rows of the transition matrix, for inverse-CDF draws.
        var cumulative = new double[states * states];
        for (int i = 0; i < states; i++)
        {
            Span<double> row = cumulative.AsSpan(i * states, states);
            double sum = 0;
            for (int j = 0; j < states; j++)
            {
                row[j] = -Math.Log(1.0 - random.NextDouble());
                sum += row[j];
            }
            double running = 0;
            for (int j = 0; j < states; j++)
            {
                running += 0.2 * row[j] / sum + (i == j ? 0.8 : 0);
                row[j] = running;
            }
        }
        var rows = new float[(long)sequences * length, d];
        int t = 0;
        for (int s = 0; s < sequences; s++)
        {
            int z = random.Next(states);
            for (int step = 0; step < length; step++, t++)
            {
                for (int j = 0; j < d; j++)
                    rows[t, j] = (float)(means[z * d + j] + StandardNormal(random));
                ReadOnlySpan<double> row = cumulative.AsSpan(z * states, states);
                double u = random.NextDouble() * row[^1];
                int next = 0;
                while (next < states - 1 && u >= row[next])
                    next++;
                z = next;
            }
        }
        var lengths = new int[sequences];
        Array.Fill(lengths, length);
        return (rows, lengths);
    }

    private static double StandardNormal(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
