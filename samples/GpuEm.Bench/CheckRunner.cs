using System.Text.Json;
using System.Text.RegularExpressions;
using GpuEm.Cli;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.HiddenMarkov;
using GpuEm.Models.KMeans;

namespace GpuEm.Bench;

/// <summary>
/// `gpuem bench --check`: the accelerator kernels against the reference engine on a seeded
/// mixture, through the public API, for a machine that has a GPU but no test runner (the lent GPU
/// machine runs a published program, not <c>dotnet test</c>). Every covariance type and k-means
/// is fitted on both backends from the same start, then hidden Markov models (diagonal and full
/// over sequences of 500 steps, and one long sequence cut into segments on the device); the
/// parameters must agree within the tolerances of the parity tests.
/// </summary>
/// <remarks>
/// Tolerances, as in AcceleratorParityTests: the kernels form log-densities in float32 and sum in
/// float64, so after one iteration the parameters agree to ~1e-6 relative; they are held to
/// 1e-4 relative + 1e-5 absolute (5e-4 relative after more iterations, where the per-step error
/// accumulates), the mean log-likelihood to 1e-5 absolute. k-means centres and inertia: 1e-5
/// relative (labels agree unless a point is within float32 rounding of a tie).
/// </remarks>
public static class CheckRunner
{
    /// <summary>Runs the check; returns 0 when every case passes, 1 when one does not, 2 for a usage error.</summary>
    /// <param name="args">--backend, --n, --d, --k, --iterations, --seed, --device-memory-limit, --json.</param>
    /// <param name="stdout">One line per case (or one JSON object with --json).</param>
    /// <param name="stderr">Usage errors.</param>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var a = new Arguments(args,
            BenchRunner.Names("backend", "n", "d", "k", "iterations", "seed", "device-memory-limit"), BenchRunner.Names("json"));
        if (a.Flag("help"))
            return BenchRunner.Run(["--help"], stdout, stderr);
        bool json = a.Flag("json");
        (int n, int d, int k, int iterations, int seed) = BenchRunner.Sizes(a, 100000, 33, 5, 1);
        long? memoryLimit = a.DeviceMemoryLimit();
        Backend backend = a.Choice("backend", Backend.Cuda, Arguments.Backends);
        if (backend == Backend.Reference)
            throw new UsageException("the check compares an accelerator with the reference: give --backend cuda, opencl, cpu-accelerator or auto");

        float[] data = BenchRunner.Generate(n, d, k, seed);
        // The start: k distinct seeded rows as means (centres), unit weights.
        var random = new Random(seed + 1);
        int[] rows = Enumerable.Range(0, n).OrderBy(_ => random.Next()).Take(k).ToArray();
        var means = new double[k, d];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
                means[c, j] = data[(long)rows[c] * d + j];
        double relative = iterations == 1 ? 1e-4 : 5e-4;
        var cases = new List<Case>();
        string device = "";

        // The same fit on the reference engine and on the backend under test (with its memory
        // limit, collecting its notices).
        (TModel Reference, TModel Other) Both<TOptions, TModel>(
            TOptions options, Func<TOptions, TModel> fit, List<string> notices, long extraBytes = 0)
            where TOptions : GpuEm.Em.EmOptions =>
            (fit((TOptions)(options with { Backend = Backend.Reference })),
             fit((TOptions)(options with { Backend = backend, DeviceMemoryLimit = memoryLimit + extraBytes, Progress = Collect(notices) })));

        foreach (CovarianceType type in new[] { CovarianceType.Full, CovarianceType.Tied, CovarianceType.Diagonal, CovarianceType.Spherical })
        {
            var notices = new List<string>();
            var mixture = new GaussianMixtureOptions
            {
                ComponentCount = k,
                CovarianceType = type,
                Initialization = GaussianInitialization.Given,
                InitialParameters = new GaussianMixtureStart(Enumerable.Repeat(1.0, k).ToArray(), means),
                MaxIterations = iterations,
                Tolerance = 0,
            };
            (GaussianMixtureModel reference, GaussianMixtureModel other) = Both(mixture, o => new GaussianMixture(o).Fit(data, n, d), notices);
            device = other.DeviceName;
            double worst = Math.Max(Math.Max(
                Worst(reference.Weights, other.Weights, 1e-5, relative),
                Worst(Flatten(reference.Means), Flatten(other.Means), 1e-5, relative)),
                Worst(Flatten(reference.Covariances), Flatten(other.Covariances), 1e-5, relative));
            double logLikelihood = Math.Abs(reference.MeanLogLikelihood - other.MeanLogLikelihood) / 1e-5;
            cases.Add(new Case($"gmm {type}", Math.Max(worst, logLikelihood), Streamed(notices)));
        }

        {
            var notices = new List<string>();
            var clustering = new KMeansOptions
            {
                ClusterCount = k,
                Initialization = KMeansInitialization.Given,
                InitialCentres = means,
                MaxIterations = iterations,
                Tolerance = 0,
            };
            (KMeansModel reference, KMeansModel other) = Both(clustering, o => new KMeans(o).Fit(data, n, d), notices);
            double worst = Math.Max(
                Worst(Flatten(reference.Centres), Flatten(other.Centres), 1e-5, 1e-5),
                Worst([reference.Inertia], [other.Inertia], 1e-6, 1e-5));
            cases.Add(new Case("kmeans", worst, Streamed(notices)));
        }

        // Hidden Markov models: the same seeded start (k-means on the host) on both backends, then the
        // same iterations; sequences of 500 steps (one group each), and one long sequence that the
        // device cuts into segments (≥ 16,384 steps, so parallel in time: n ≥ 81,920).
        // They take a fifth of the rows (at least 400): on ILGPU's CPU accelerator (the rehearsal)
        // each step of a sequence is a few group barriers.
        int hmmRows = Math.Min(n, Math.Max(400, n / 5));
        foreach ((string name, CovarianceType type, int sequences, int length, int states) in new[]
        {
            ("hmm diag", CovarianceType.Diagonal, Math.Max(1, hmmRows / 500), Math.Min(hmmRows, 500), k),
            ("hmm full", CovarianceType.Full, Math.Max(1, hmmRows / 500), Math.Min(hmmRows, 500), k),
            ("hmm long sequence", CovarianceType.Diagonal, 1, Math.Min(hmmRows, 100_000), Math.Min(k, 16)),
        })
        {
            var notices = new List<string>();
            (float[,] sequenceRows, int[] lengths) = HmmBench.Generate(sequences, length, states, d, seed);
            var markov = new HiddenMarkovOptions(states) { Covariance = type, Seed = seed, MaxIterations = iterations, Tolerance = 0 };
            // The limit plus 1 MiB: the HMM engine keeps float64 partials for up to 1,024 groups beside the rows.
            (HiddenMarkovModel reference, HiddenMarkovModel other) = Both(
                markov, o => HiddenMarkov.Fit(sequenceRows, lengths, o), notices, extraBytes: 1L << 20);
            double worst = Math.Max(Math.Max(Math.Max(
                Worst(Flatten(reference.TransitionMatrix), Flatten(other.TransitionMatrix), 1e-5, relative),
                Worst(reference.StartProbabilities, other.StartProbabilities, 1e-5, relative)),
                Worst(Flatten(reference.Means!), Flatten(other.Means!), 1e-5, relative)),
                Worst(Flatten(reference.Covariances!), Flatten(other.Covariances!), 1e-5, relative));
            double perStep = Math.Abs(reference.LogLikelihood - other.LogLikelihood) / reference.ObservedSteps / 1e-5;
            cases.Add(new Case(name, Math.Max(worst, perStep), Streamed(notices)));
        }

        bool passed = cases.All(c => c.Pass);
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(new
            {
                check = "accelerator vs reference",
                backend = backend.ToString(),
                device,
                n,
                d,
                k,
                iterations,
                deviceMemoryLimit = memoryLimit,
                cases = cases.Select(c => new { name = c.Name, worstShareOfTolerance = c.Worst, pass = c.Pass, streamed = c.Streamed }),
                passed,
            }));
        }
        else
        {
            stdout.WriteLine($"{backend} ({device}) vs reference, n={n} d={d} k={k}, {iterations} iteration(s)");
            foreach (Case c in cases)
                stdout.WriteLine($"  {c.Name,-16} worst deviation {c.Worst:P1} of the tolerance{(c.Streamed is null ? "" : $", {c.Streamed}")}: {(c.Pass ? "pass" : "FAIL")}");
            stdout.WriteLine(passed ? "all passed" : "FAILED");
        }
        return passed ? 0 : 1;
    }

    // The largest |actual − expected| / (absolute + relative·|expected|): ≤ 1 is within tolerance.
    private static double Worst(double[] expected, double[] actual, double absolute, double relative)
    {
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double share = Math.Abs(actual[i] - expected[i]) / (absolute + relative * Math.Abs(expected[i]));
            worst = double.IsNaN(share) ? double.PositiveInfinity : Math.Max(worst, share);
        }
        return worst;
    }

    private static double[] Flatten(Array values) => values.Cast<double>().ToArray();

    // A progress sink that keeps the fit's notices (one of them says whether it streamed).
    private static BenchRunner.Reporter Collect(List<string> notices) =>
        new(p =>
        {
            if (p.Warning is not null)
                notices.Add(p.Warning);
        });

    // "streamed in N chunks" from the fit's notice, or null when the data stayed resident.
    private static string? Streamed(List<string> notices)
    {
        foreach (string notice in notices)
        {
            Match match = Regex.Match(notice, @"in (\d+) chunks");
            if (match.Success)
                return $"streamed in {match.Groups[1].Value} chunks";
        }
        return null;
    }

    private sealed record Case(string Name, double Worst, string? Streamed)
    {
        public bool Pass => Worst <= 1;
    }
}
