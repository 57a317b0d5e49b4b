using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GpuEm;
using GpuEm.Cli;
using GpuEm.Em;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;

namespace GpuEm.Bench;

/// <summary>The benchmark (samples/GpuEm.Bench, and `gpuem bench`): see Run's comments.</summary>
public static class BenchRunner
{
    private const string Usage = """
        usage: gpuem bench --model gmm|kmeans [--covariance full|diag|spherical|tied] --n N --d D --k K
                           --iterations I [--backend auto|cuda|opencl|cpu-accelerator|reference]
                           [--device-memory-limit BYTES] [--peak-gflops G] [--peak-gbs B] [--seed S] [--json]

        Times I EM (or Lloyd) iterations on a seeded mixture (generation and one warm-up fit not
        timed) and prints the median seconds per iteration, GFLOP/s, GB/s and the floor for the
        peaks it assumed; --json prints one JSON object. See docs/BENCHMARKS.md.

        gpuem bench --model hmm --sequences S --length T --states K --d D
                    [--covariance diag|full|spherical|tied] [--iterations I] [--backend B] [--seed S] [--json]
        times I Baum-Welch iterations (M-step + forward-backward E-step; the start and the initial
        E-step not timed) of a Gaussian hidden Markov model on S seeded sequences of T steps, the
        shape of the pomegranate peer's problem, and prints the median seconds per iteration.

        gpuem bench --model lda|plsa --input DIR/docword.txt [--vocab DIR/vocab.txt] --topics K
                    [--iterations I] [--test DIR/test-docword.txt] [--backend B]
                    [--learning-method batch|online] [--batch-size N] [--learning-offset T]
                    [--learning-decay K] [--device-memory-limit BYTES] [--seed S] [--json]
        reads a UCI bag-of-words corpus (readSeconds), runs one untimed warm-up fit of one
        iteration, then times a fit of exactly I iterations (tolerance 0) and prints
        secondsPerIteration (the fit's seconds / I), the median between iterations, the ELBO (LDA)
        or log-likelihood (PLSA) and the training perplexity; --test adds the held-out (document
        completion) and, for LDA, the bound perplexity of a test corpus over the same terms. LDA
        online (online variational Bayes, one iteration = one pass) takes the options of
        gpuem topics fit.

        gpuem bench --check --backend B [--n N --d D --k K --iterations I --seed S
                            --device-memory-limit BYTES --json]
        fits every covariance type and k-means on the backend and on the reference engine from the
        same start and compares the parameters (exit 1 when one is outside the tolerance).
        """;

    /// <summary>Runs the benchmark with the given arguments; returns the exit code.</summary>
    /// <param name="args">The options (see the comment at the top of the method).</param>
    /// <param name="stdout">Results.</param>
    /// <param name="stderr">Usage errors.</param>
    /// <returns>0, or 2 for a usage error.</returns>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Contains("--check"))
            return CheckRunner.Run(args.Where(a => a != "--check").ToArray(), stdout, stderr);
        // Times EM iterations of a Gaussian mixture (or Lloyd iterations of k-means) on a seeded synthetic
        // mixture (generation not timed): one warm-up fit of one iteration, then one fit of --iterations
        // iterations with tolerance 0; the time of each iteration (M-step + E-step) comes from the progress
        // reports, and the median is reported. Usage:
        //   dotnet run -c Release --project samples/GpuEm.Bench -- --model gmm|kmeans --covariance diag
        //       --n 1000000 --d 16 --k 16 --iterations 10 --backend reference [--device-memory-limit BYTES]
        //       [--peak-gflops G] [--peak-gbs B] [--json]
        // It also reports the work model of one iteration (FLOPs, bytes), the achieved GFLOP/s and GB/s,
        // and the floor max(FLOPs / peak, bytes / bandwidth) for the peaks it assumed (printed with them).
        // Options parse as the other commands' do (GpuEm.Cli.Arguments): a bad or unknown one is a
        // one-line usage error (exit 2).
        var a = new Arguments(args,
            Names(["model", "covariance", "n", "d", "k", "iterations", "backend", "device-memory-limit", "peak-gflops", "peak-gbs", "seed",
                .. HmmBench.Options, .. TopicBench.Options]),
            Names("json"));
        if (a.Flag("help"))
        {
            stdout.WriteLine(Usage);
            return 0;
        }
        bool json = a.Flag("json");
        string model = a.Choice("model", "gmm", new Dictionary<string, string>
        {
            ["gmm"] = "gmm",
            ["kmeans"] = "kmeans",
            ["hmm"] = "hmm",
            ["lda"] = "lda",
            ["plsa"] = "plsa",
        });
        if (model is "lda" or "plsa")
        {
            if (((string[])["n", "d", "k", "covariance", "peak-gflops", "peak-gbs", .. HmmBench.Options]).FirstOrDefault(o => a.Text(o) is not null) is { } other)
                throw new UsageException($"--{other} is not an option of --model {model} (it takes --input, --vocab, --topics, --test)");
            return TopicBench.Run(a, model, stdout);
        }
        if (TopicBench.Options.FirstOrDefault(o => a.Text(o) is not null) is { } topicOnly)
            throw new UsageException($"--{topicOnly} is an option of --model lda|plsa only");
        if (model == "hmm")
        {
            if (new[] { "n", "k", "device-memory-limit", "peak-gflops", "peak-gbs" }.FirstOrDefault(o => a.Text(o) is not null) is { } mixtureOnly)
                throw new UsageException($"--{mixtureOnly} is not an option of --model hmm (it takes --sequences, --length, --states, --d)");
            return HmmBench.Run(a, stdout);
        }
        if (HmmBench.Options.FirstOrDefault(o => a.Text(o) is not null) is { } hmmOnly)
            throw new UsageException($"--{hmmOnly} is an option of --model hmm only");
        (int n, int d, int k, int iterations, int seed) = Sizes(a, 1000000, 16, 16, 10);
        string covarianceName = a.Text("covariance") ?? "full";
        CovarianceType covariance = a.Choice("covariance", CovarianceType.Full, Covariances);
        Backend backend = a.Choice("backend", Backend.Reference, Arguments.Backends);
        long? memoryLimit = a.DeviceMemoryLimit();
        (double defaultGflops, double defaultGbs, string peakSource) = backend switch
        {
            // H100 SXM: 66.9 TFLOP/s fp32 (non-tensor), 3.35 TB/s HBM3; override for PCIe (51.2, 2.0).
            Backend.Cuda or Backend.Auto => (66900.0, 3350.0, "NVIDIA H100 SXM datasheet (fp32 non-tensor, HBM3)"),
            // Reference engine: float64 with 256-bit vectors, 2 FMA units × 4 lanes × 2 FLOPs per cycle
            // per core at the clock /proc/cpuinfo reports (3 GHz if it says nothing); DRAM bandwidth
            // ~20 GB/s for a 2-core share.
            _ => (Environment.ProcessorCount * CpuGhz() * 16, 20.0,
                $"assumed CPU: {Environment.ProcessorCount} cores × {CpuGhz():F2} GHz × 16 float64 FLOPs/cycle, 20 GB/s"),
        };
        double peakGflops = a.Positive("peak-gflops", defaultGflops);
        double peakGbs = a.Positive("peak-gbs", defaultGbs);
        if (a.Text("peak-gflops") is null && a.Text("peak-gbs") is null)
            peakSource += " (override with --peak-gflops/--peak-gbs)";
        else
            peakSource = "given on the command line";

        float[] data = Generate(n, d, k, seed);
        var stamps = new List<TimeSpan>();
        var progress = new Reporter(p =>
        {
            // Iterations only: the other phases (preparing, seeding, finished) report too.
            if (p.Warning is null && p.Phase == FitPhase.Iterating)
                stamps.Add(p.Elapsed);
        });
        var total = Stopwatch.StartNew();
        int done;
        string deviceName;
        string backendName;
        double objective;
        if (model == "kmeans")
        {
            KMeansModel clusters = Timed(new KMeansOptions
            {
                ClusterCount = k,
                Backend = backend,
                Tolerance = 0,
                Seed = seed,
                DeviceMemoryLimit = memoryLimit,
                Initialization = KMeansInitialization.RandomPoints,
            }, o => new KMeans(o).Fit(data, n, d));
            (done, deviceName, backendName, objective) = (clusters.Iterations, clusters.DeviceName, clusters.Backend.ToString(), clusters.Inertia);
        }
        else
        {
            GaussianMixtureModel fitted = Timed(new GaussianMixtureOptions
            {
                ComponentCount = k,
                CovarianceType = covariance,
                Backend = backend,
                Tolerance = 0,
                Seed = seed,
                DeviceMemoryLimit = memoryLimit,
                Initialization = GaussianInitialization.RandomPoints,
            }, o => new GaussianMixture(o).Fit(data, n, d));
            (done, deviceName, backendName, objective) = (fitted.Iterations, fitted.DeviceName, fitted.Backend.ToString(), fitted.MeanLogLikelihood);
        }

        // One untimed iteration (device selection, kernel compilation, upload), then the timed fit.
        TModel Timed<TOptions, TModel>(TOptions options, Func<TOptions, TModel> fit)
            where TOptions : GpuEm.Em.EmOptions
        {
            fit((TOptions)(options with { MaxIterations = 1 }));
            total.Restart();
            TModel fitted = fit((TOptions)(options with { MaxIterations = iterations, Progress = progress }));
            total.Stop();
            return fitted;
        }

        double[] perIteration = stamps.Zip(stamps.Skip(1), (a, b) => (b - a).TotalSeconds).OrderBy(s => s).ToArray();
        if (perIteration.Length == 0)
            throw new InvalidOperationException($"the fit stopped before one iteration was timed ({done} iterations); no timing to report");
        double median = perIteration.Length % 2 == 1 ? perIteration[perIteration.Length / 2]
            : 0.5 * (perIteration[perIteration.Length / 2 - 1] + perIteration[perIteration.Length / 2]);

        (double flops, double bytes) = WorkModel(model, covariance, n, d, k, backend == Backend.Reference);
        double floor = Math.Max(flops / (peakGflops * 1e9), bytes / (peakGbs * 1e9));

        var result = new
        {
            model,
            covariance = covarianceName,
            n,
            d,
            k,
            iterations = done,
            backend = backendName,
            device = deviceName,
            secondsPerIteration = median,
            iterationSeconds = perIteration,
            fitSeconds = total.Elapsed.TotalSeconds,
            objective,
            processors = Environment.ProcessorCount,
            flopsPerIteration = flops,
            bytesPerIteration = bytes,
            gflops = flops / median / 1e9,
            gbs = bytes / median / 1e9,
            peakGflops,
            peakGbs,
            peakSource,
            floorSeconds = floor,
            fractionOfFloor = floor / median,
            deviceMemoryLimit = memoryLimit,
        };
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(result));
        }
        else
        {
            stdout.WriteLine($"{model} {(model == "gmm" ? result.covariance : "")} n={n} d={d} k={k} on {result.device}");
            stdout.WriteLine($"  median seconds per iteration: {median:F4} over {perIteration.Length} iterations");
            stdout.WriteLine($"  objective ({(model == "gmm" ? "mean log-likelihood" : "inertia")}): {objective:G10}");
            stdout.WriteLine($"  {result.gflops:F1} GFLOP/s, {result.gbs:F1} GB/s; floor {floor:F4} s ({result.fractionOfFloor:P0} of it reached)");
            stdout.WriteLine($"  peaks assumed: {peakGflops} GFLOP/s, {peakGbs} GB/s ({peakSource})");
        }
        return 0;

        // The work of one iteration, counted as the kernels do it (an FMA is 2 FLOPs; exp and log count
        // as 20 FLOPs each). Bytes: the reference engine reads the float32 data once per iteration (fused
        // E-step and statistics), and so does the accelerator's fused diagonal pass (when a group's
        // k·(2d + 1) float64 accumulators and an 8-point tile fit 48 KiB of shared memory, as
        // FusedDiagonalLauncher decides); otherwise the accelerator reads the data twice and writes
        // and reads n·k responsibilities (k-means: labels, distances and flags instead).
        static (double Flops, double Bytes) WorkModel(string model, CovarianceType type, long n, long d, long k, bool reference)
        {
            double perPointComponent = model == "kmeans"
                ? 2.0 * d + 2
                : type is CovarianceType.Full or CovarianceType.Tied
                    ? d * (d + 1) + 3.0 * d + 20 + d * (d + 1) + 2.0 * d
                    : 4.0 * d + 20 + 4.0 * d;
            double flops = n * k * perPointComponent + (model == "kmeans" ? 2.0 * n * d : 20.0 * n);
            bool fusedDiagonal = model == "gmm" && type is CovarianceType.Diagonal or CovarianceType.Spherical
                && 8 * k * (2 * d + 1) + 8 * 4 * ((d | 1) + k + 2) <= 48 * 1024;
            double bytes = model == "kmeans"
                ? n * (reference ? 4.0 * d : 8.0 * d + 16)
                : n * (reference || fusedDiagonal ? 4.0 * d : 8.0 * d + 8.0 * k + 4);
            return (flops, bytes);
        }

        // The clock /proc/cpuinfo reports, in GHz (3 when unknown).
        static double CpuGhz()
        {
            try
            {
                string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal));
                if (line is not null && double.TryParse(line[(line.IndexOf(':') + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double mhz))
                    return mhz / 1000;
            }
            catch (IOException)
            {
            }
            return 3.0;
        }


    }

    internal static HashSet<string> Names(params string[] names) => new(names, StringComparer.Ordinal);

    internal static readonly IReadOnlyDictionary<string, CovarianceType> Covariances = new Dictionary<string, CovarianceType>
    {
        ["full"] = CovarianceType.Full,
        ["tied"] = CovarianceType.Tied,
        ["diag"] = CovarianceType.Diagonal,
        ["spherical"] = CovarianceType.Spherical,
    };

    /// <summary>
    /// --n, --d, --k, --iterations (each ≥ 1, k ≤ n, n·d values in one array) and --seed, with
    /// the given defaults; a bad value is a usage error that names the option.
    /// </summary>
    internal static (int N, int D, int K, int Iterations, int Seed) Sizes(Arguments a, int n, int d, int k, int iterations)
    {
        n = a.Int("n", n, minimum: 1);
        d = a.Int("d", d, minimum: 1);
        k = a.Int("k", k, minimum: 1);
        iterations = a.Int("iterations", iterations, minimum: 1);
        int seed = a.Int("seed", 0);
        if (k > n)
            throw new UsageException($"--k {k} exceeds --n {n}: a mixture of k components needs k ≤ n points");
        if ((long)n * d > Array.MaxLength)
            throw new UsageException($"--n {n} × --d {d} values exceed one array ({Array.MaxLength}); lower --n or --d");
        return (n, d, k, iterations, seed);
    }

    // A seeded mixture of k Gaussians with means uniform in [−10, 10]^d and unit-scale noise.
    internal static float[] Generate(int n, int d, int k, int seed)
    {
        var random = new Random(seed);
        var means = new double[k * d];
        for (int i = 0; i < means.Length; i++)
            means[i] = random.NextDouble() * 20 - 10;
        var data = new float[(long)n * d];
        for (int i = 0; i < n; i++)
        {
            int c = random.Next(k);
            for (int j = 0; j < d; j++)
            {
                double u1 = 1.0 - random.NextDouble();
                double u2 = random.NextDouble();
                double z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
                data[(long)i * d + j] = (float)(means[c * d + j] + z);
            }
        }
        return data;
    }

    internal sealed class Reporter(Action<FitProgress> report) : IProgress<FitProgress>
    {
        public void Report(FitProgress value) => report(value);
    }
}
