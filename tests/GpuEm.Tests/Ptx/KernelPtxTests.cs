using GpuEm.Engines;
using ILGPU.Runtime.Cuda;
using Xunit;
using Xunit.Abstractions;

namespace GpuEm.Tests.Ptx;

/// <summary>
/// Every kernel the engines launch, at every shape their launchers plan, compiled offline as a
/// GPU compiles it: to PTX for sm_75, sm_80, sm_86 and sm_90 (checked for CUDA's limits and for
/// software math or local memory on the hot path), through ptxas (registers, spills), and to
/// OpenCL C through clang. The launches come from the launchers themselves (<see cref="LaunchCatalog"/>).
/// </summary>
public sealed class KernelPtxTests(ITestOutputHelper output)
{
    public static TheoryData<int> Architectures() => new() { 75, 80, 86, 90 };

    public static TheoryData<string> Kernels() =>
        new(LaunchCatalog.Cuda.Select(l => l.Key).Distinct());

    [Fact]
    public void Every_kernel_of_GpuEm_Kernels_is_described_by_a_launcher()
    {
        var described = LaunchCatalog.Cuda.Select(l => l.Kernel).ToHashSet();
        var missing = LaunchCatalog.DefinedKernels().Where(m => !described.Contains(m))
            .Select(m => $"{m.DeclaringType?.Name}.{m.Name}").ToList();
        Assert.True(missing.Count == 0, "Kernels no launcher describes (add them to its Launches): " + string.Join(", ", missing));
        Assert.True(described.Count >= 9, $"Only {described.Count} kernels were described.");
    }

    [Fact]
    public void Launch_shapes_stay_within_cuda_group_and_shared_memory_limits()
    {
        var problems = LaunchCatalog.Cuda
            .Where(l => l.GroupSize > KernelChecks.MaxThreadsPerGroup || l.DynamicSharedBytes > KernelChecks.SharedLimitBytes)
            .Select(l => l.ToString()).ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(Architectures))]
    public void Every_launched_kernel_compiles_to_ptx_within_cuda_limits(int sm)
    {
        var problems = new List<string>();
        foreach (KernelLaunch launch in LaunchCatalog.Cuda)
        {
            string ptx = OfflineCompiler.Ptx(launch, Architecture(sm));
            Assert.Contains(".entry", ptx, StringComparison.Ordinal);
            foreach (string problem in KernelChecks.CheckPtx(launch, ptx))
                problems.Add($"sm_{sm} {launch}: {problem}");
            output.WriteLine($"sm_{sm} {launch}: {KernelChecks.StaticSharedBytes(ptx)} B static shared");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [PtxasTheory]
    [MemberData(nameof(Architectures))]
    public void Every_launched_kernel_passes_ptxas_without_spills_and_within_the_register_file(int sm)
    {
        var problems = new List<string>();
        // Specialized to the group size (.maxntid), and unspecialized as the engines load it.
        foreach (KernelLaunch launch in LaunchCatalog.Cuda)
            foreach (bool specialized in launch.ExplicitlyGrouped ? new[] { true, false } : [false])
            {
                string ptx = OfflineCompiler.Ptx(launch, Architecture(sm), specialized);
                PtxasReport report = OfflineTools.RunPtxas(ptx, sm);
                // GPUEM_PTX_KEEP=folder keeps every PTX this test assembles, to read a spill's cause.
                if (Environment.GetEnvironmentVariable("GPUEM_PTX_KEEP") is { Length: > 0 } keep)
                {
                    Directory.CreateDirectory(keep);
                    File.WriteAllText(
                        Path.Combine(keep, $"sm{sm}-{launch.Key}-{launch.GroupSize ?? 0}{(specialized ? "-specialized" : "")}.ptx"), ptx);
                }
                // An auto-grouped kernel gets its group size from the occupancy calculator, which
                // only picks sizes the registers allow: one warp must fit.
                int groupSize = launch.GroupSize ?? 32;
                string what = $"sm_{sm} {launch}{(specialized ? " specialized" : "")}";
                foreach (string problem in KernelChecks.CheckPtxas(report, groupSize, launch.DynamicSharedBytes))
                    problems.Add($"{what}: {problem}");
                output.WriteLine($"{what}: {report.Registers} registers, {report.SharedBytes} B smem, "
                    + $"{report.StackBytes} B stack, spills {report.SpillStoreBytes}/{report.SpillLoadBytes} B");
            }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [ClangTheory]
    [MemberData(nameof(Kernels))]
    public void Every_launched_kernel_compiles_as_opencl_c(string key)
    {
        foreach (KernelLaunch launch in LaunchCatalog.Cuda.Where(l => l.Key == key))
        {
            string source = OfflineCompiler.OpenCl(launch);
            (int code, string messages) = OfflineTools.RunClang(source);
            Assert.True(code == 0, $"{launch}: clang exited with {code}:\n{messages}");
        }
    }

    private static CudaArchitecture Architecture(int sm) => sm switch
    {
        75 => CudaArchitecture.SM_75,
        80 => CudaArchitecture.SM_80,
        86 => CudaArchitecture.SM_86,
        90 => CudaArchitecture.SM_90,
        _ => throw new ArgumentOutOfRangeException(nameof(sm), sm, "Not a checked architecture."),
    };
}
