using System.Globalization;
using System.Text.RegularExpressions;
using GpuEm.Engines;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;
using ILGPU.Runtime.Cuda;
using Xunit;

namespace GpuEm.Tests.Ptx;

/// <summary>
/// The PTX behind docs/BENCHMARKS.md's "GPU performance model": every hot kernel the engines
/// launch for the benchmark problems, as the engines compile it for sm_90 (unspecialized: ILGPU's
/// LoadStreamKernel passes the group size at launch). With GPUEM_PTX_REPORT set to a folder the
/// test leaves the PTX there with launches.tsv (problem, key, kernel, group size, dynamic shared
/// bytes); docs/perf-model.sh runs ptxas and cuobjdump on them.
/// </summary>
public sealed class PerfModelPtxTests
{
    /// <summary>The benchmark table's GPU problems: name, d, k, covariance (null: k-means).</summary>
    internal static readonly (string Name, int D, int K, CovarianceType? Type)[] Problems =
    [
        ("d64k64-full", 64, 64, CovarianceType.Full),
        ("d64k64-diag", 64, 64, CovarianceType.Diagonal),
        ("d32k64-full", 32, 64, CovarianceType.Full),
        ("d32k64-diag", 32, 64, CovarianceType.Diagonal),
        ("d32k64-kmeans", 32, 64, null),
    ];

    /// <summary>The hot launches of each problem, as its engine plans them for a CUDA device (each once).</summary>
    internal static IEnumerable<(string Problem, KernelLaunch Launch)> HotLaunches() =>
        (from problem in Problems
         from launch in problem.Type is CovarianceType type
             ? AcceleratorGaussianEngine.Launches(DeviceLimits.Cuda, problem.D, problem.K, type)
             : AcceleratorKMeansEngine.Launches(DeviceLimits.Cuda, problem.D, problem.K)
         where launch.HotPath
         select (problem.Name, launch)).Distinct();

    [Fact]
    public void The_benchmark_problems_hot_kernels_compile_to_sm_90_ptx_for_the_performance_model()
    {
        string? requested = Environment.GetEnvironmentVariable("GPUEM_PTX_REPORT");
        string folder = string.IsNullOrEmpty(requested)
            ? Directory.CreateTempSubdirectory("gpuem-perf-").FullName
            : Directory.CreateDirectory(requested).FullName;
        try
        {
            var rows = new List<string> { "problem\tkey\tkernel\tgroup\tdynamic_shared_bytes\tfile" };
            foreach ((string problem, KernelLaunch launch) in HotLaunches())
            {
                string ptx = OfflineCompiler.Ptx(launch, CudaArchitecture.SM_90, specialized: false);
                Assert.Contains(".entry", ptx, StringComparison.Ordinal);
                string file = $"{problem}.{launch.Key}.ptx";
                File.WriteAllText(Path.Combine(folder, file), ptx);
                rows.Add(string.Join('\t', problem, launch.Key, $"{launch.Kernel.DeclaringType?.Name}.{launch.Kernel.Name}",
                    (launch.GroupSize ?? 0).ToString(CultureInfo.InvariantCulture),
                    launch.DynamicSharedBytes.ToString(CultureInfo.InvariantCulture), file));
            }
            File.WriteAllLines(Path.Combine(folder, "launches.tsv"), rows);

            // Every kernel the model names is among them, at the shapes the model assumes.
            string[] keys = rows.Skip(1).Select(r => r.Split('\t')[0] + "." + r.Split('\t')[1]).ToArray();
            foreach (string expected in new[]
            {
                "d64k64-full.gmm-estep-full", "d64k64-diag.gmm-estep-diag", "d64k64-diag.moments",
                "d32k64-full.gmm-estep-full", "d32k64-diag.gmm-fused-diag", "d32k64-kmeans.kmeans-assign",
                "d32k64-kmeans.moments", "d32k64-full.sum",
            })
                Assert.Contains(expected, keys);
            Assert.All(rows.Skip(1).Where(r => r.Contains("gmm-estep-full", StringComparison.Ordinal)),
                r => Assert.Equal("256", r.Split('\t')[3]));
        }
        finally
        {
            if (string.IsNullOrEmpty(requested))
                Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void The_full_e_step_divides_by_a_runtime_value_only_once_per_thread_not_per_staged_element()
    {
        // tx = thread % width and ty = thread / width at the start; the staging loops use them
        // (each integer division by a register costs ~20 SASS instructions per staged element).
        (string _, KernelLaunch full) = HotLaunches().First(l => l.Launch.Key == "gmm-estep-full");
        string ptx = OfflineCompiler.Ptx(full, CudaArchitecture.SM_90, specialized: false);
        string[] divisions = Regex.Matches(ptx, @"\b(?:div|rem)\.[su]32\s+%r\d+, %r\d+, %r\d+;")
            .Select(m => m.Value).ToArray();
        Assert.True(divisions.Length <= 2, "Divisions by a register: " + string.Join(" ", divisions));
    }
}
