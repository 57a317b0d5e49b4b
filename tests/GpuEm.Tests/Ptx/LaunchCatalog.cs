using System.Reflection;
using GpuEm.Engines;
using GpuEm.Kernels.Common;
using GpuEm.Models.BernoulliMixture;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;

namespace GpuEm.Tests.Ptx;

/// <summary>
/// Every kernel the engines launch on a CUDA device, with every shape they plan, read from the
/// launchers' own <c>Launches</c> over a grid of problem shapes: every d up to 80 and every k up
/// to 1,024 (where the fused kernel's shared memory comes closest to 48 KiB), larger d up to
/// 12,286 (tile edges ± 1 included), every covariance type.
/// </summary>
/// <remarks>
/// 12,286 is the largest d the moments kernel can stage one row of ((d + 2) floats) in 48 KiB, and
/// k-means's assignment one centre (d floats): beyond it both would need a column-tiled kernel.
/// </remarks>
internal static class LaunchCatalog
{
    private static readonly int[] Dimensions =
        [.. Enumerable.Range(1, 80), 95, 96, 97, 127, 128, 129, 255, 256, 257, 512, 1000, 1024, 2048, 4094, 4095, 4096, 8192, 12286];

    private static readonly int[] Components = [.. Enumerable.Range(1, 1024)];

    private static readonly int[] FewComponents = [1, 2, 3, 8, 16, 64, 256, 1024];

    /// <summary>All launches for <paramref name="limits"/> over the grid (with repeats).</summary>
    public static IEnumerable<KernelLaunch> All(DeviceLimits limits)
    {
        foreach (int d in Dimensions)
        {
            foreach (int k in d <= 80 ? Components : FewComponents)
            {
                foreach (CovarianceType type in Enum.GetValues<CovarianceType>())
                    foreach (KernelLaunch launch in AcceleratorGaussianEngine.Launches(limits, d, k, type))
                        yield return launch;
                foreach (KernelLaunch launch in AcceleratorKMeansEngine.Launches(limits, d, k))
                    yield return launch;
            }
            foreach (KernelLaunch launch in AcceleratorBernoulliEngine.Launches(limits, d))
                yield return launch;
        }
        // Hidden Markov models: the emission kernels and forward-backward depend on K only.
        foreach (int k in Components)
            foreach (KernelLaunch launch in HmmLauncher.Launches(limits, k))
                yield return launch;
        // Topic models: the E-steps' group size and shared memory depend on K only, up to the
        // most topics the kernels hold.
        foreach (int k in Components.Concat([2048, TopicLauncher.MaxTopics]))
            foreach (KernelLaunch launch in TopicLauncher.Launches(limits, k))
                yield return launch;
    }

    private static readonly Lazy<IReadOnlyList<KernelLaunch>> CudaSpecializations =
        new(() => Specializations(DeviceLimits.Cuda));

    /// <summary><see cref="Specializations"/> for <see cref="DeviceLimits.Cuda"/>, computed once.</summary>
    public static IReadOnlyList<KernelLaunch> Cuda => CudaSpecializations.Value;

    /// <summary>
    /// One entry per kernel and group size (the PTX depends on nothing else), with the largest
    /// dynamic shared memory any launch of that specialization plans.
    /// </summary>
    public static IReadOnlyList<KernelLaunch> Specializations(DeviceLimits limits) =>
        All(limits)
            .GroupBy(l => (l.Kernel, l.GroupSize))
            .Select(g => g.MaxBy(l => l.DynamicSharedBytes)! with { HotPath = g.Any(l => l.HotPath) })
            .OrderBy(l => l.Key, StringComparer.Ordinal)
            .ThenBy(l => l.GroupSize ?? 0)
            .ToList();

    /// <summary>Every kernel method GpuEm.Kernels defines: public static void methods named *Kernel.</summary>
    public static IReadOnlyList<MethodInfo> DefinedKernels() =>
        typeof(MomentsKernels).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.ReturnType == typeof(void) && m.Name.EndsWith("Kernel", StringComparison.Ordinal))
            .ToList();
}
