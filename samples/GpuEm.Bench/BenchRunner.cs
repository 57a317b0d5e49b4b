using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using GpuEm;
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
        if (args.Contains("--help"))
        {
            stdout.WriteLine(Usage);
            return 0;
        }
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
        Dictionary<string, string>? options = ParseOptions(args, stderr, out bool json);
        if (options is null)
            return 2;

        string Get(string name, string fallback) => options.TryGetValue(name, out string? v) ? v : fallback;
        string model = Get("model", "gmm");
        if (model is not ("gmm" or "kmeans"))
        {
            stderr.WriteLine($"gpuem-bench: unknown model '{model}' (gmm or kmeans)");
            return 2;
        }
        int n = int.Parse(Get("n", "1000000"), CultureInfo.InvariantCulture);
        int d = int.Parse(Get("d", "16"), CultureInfo.InvariantCulture);
        int k = int.Parse(Get("k", "16"), CultureInfo.InvariantCulture);
        int iterations = int.Parse(Get("iterations", "10"), CultureInfo.InvariantCulture);
        int seed = int.Parse(Get("seed", "0"), CultureInfo.InvariantCulture);
        CovarianceType covariance = Get("covariance", "full") switch
        {
            "full" => CovarianceType.Full,
            "tied" => CovarianceType.Tied,
            "diag" => CovarianceType.Diagonal,
            "spherical" => CovarianceType.Spherical,
            string other => throw new ArgumentException($"unknown covariance '{other}'"),
        };
        Backend backend = ParseBackend(Get("backend", "reference"));

        long? memoryLimit = options.TryGetValue("device-memory-limit", out string? limitText)
            ? long.Parse(limitText, CultureInfo.InvariantCulture) : null;
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
        double peakGflops = options.TryGetValue("peak-gflops", out string? g) ? double.Parse(g, CultureInfo.InvariantCulture) : defaultGflops;
        double peakGbs = options.TryGetValue("peak-gbs", out string? b) ? double.Parse(b, CultureInfo.InvariantCulture) : defaultGbs;
        if (!options.ContainsKey("peak-gflops") && !options.ContainsKey("peak-gbs"))
            peakSource += " (override with --peak-gflops/--peak-gbs)";
        else
            peakSource = "given on the command line";

        float[] data = Generate(n, d, k, seed);
        var stamps = new List<TimeSpan>();
        var progress = new Reporter(p =>
        {
            if (p.Warning is null)
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
        double median = perIteration.Length == 0 ? double.NaN
            : perIteration.Length % 2 == 1 ? perIteration[perIteration.Length / 2]
            : 0.5 * (perIteration[perIteration.Length / 2 - 1] + perIteration[perIteration.Length / 2]);

        (double flops, double bytes) = WorkModel(model, covariance, n, d, k, backend == Backend.Reference);
        double floor = Math.Max(flops / (peakGflops * 1e9), bytes / (peakGbs * 1e9));

        var result = new
        {
            model,
            covariance = Get("covariance", "full"),
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

    /// <summary>
    /// The options "--name value" and the flag --json; null, after a message on
    /// <paramref name="stderr"/>, for an argument that is neither.
    /// </summary>
    internal static Dictionary<string, string>? ParseOptions(string[] args, TextWriter stderr, out bool json)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        json = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--json")
                json = true;
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
                options[args[i][2..]] = args[++i];
            else
            {
                stderr.WriteLine($"gpuem-bench: unexpected argument '{args[i]}'");
                return null;
            }
        }
        return options;
    }

    /// <summary>The backend named on the command line.</summary>
    internal static Backend ParseBackend(string name) => name switch
    {
        "auto" => Backend.Auto,
        "cuda" => Backend.Cuda,
        "opencl" => Backend.OpenCL,
        "cpu-accelerator" => Backend.CpuAccelerator,
        "reference" => Backend.Reference,
        string other => throw new ArgumentException($"unknown backend '{other}'"),
    };

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
