using System.Reflection;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Engines;

/// <summary>
/// The limits a launcher plans a launch against: threads per group and shared memory per group.
/// </summary>
/// <param name="MaxThreadsPerGroup">The device's most threads per group.</param>
/// <param name="MaxSharedBytesPerGroup">The device's shared memory per group, in bytes.</param>
internal readonly record struct DeviceLimits(int MaxThreadsPerGroup, long MaxSharedBytesPerGroup)
{
    /// <summary>
    /// A CUDA device as ILGPU 1.5.3 launches on it: 1,024 threads per group and 48 KiB of shared
    /// memory per group (more needs an opt-in per kernel that ILGPU never makes).
    /// </summary>
    public static DeviceLimits Cuda { get; } = new(1024, 48 * 1024);

    /// <summary>The limits of an opened accelerator.</summary>
    public static DeviceLimits Of(Accelerator accelerator) =>
        new(accelerator.MaxNumThreadsPerGroup, accelerator.MaxSharedMemoryPerGroup);
}

/// <summary>
/// One kernel a launcher launches and one shape it launches it with: what the offline PTX,
/// ptxas and OpenCL checks compile (tests/…/Ptx). Each launcher's <c>Launches</c> gives these from
/// the same planning functions its launch code calls, so the checks see what a device runs.
/// </summary>
/// <param name="Key">The name the kernel is stored under in <see cref="AcceleratorHandle.Kernel{T}"/>.</param>
/// <param name="Kernel">The kernel method (a public static method of GpuEm.Kernels).</param>
/// <param name="GroupSize">Threads per group of an explicitly grouped launch; null for an
/// implicitly grouped (auto-grouped) kernel, whose group size ILGPU chooses at launch from the
/// device's occupancy calculator.</param>
/// <param name="DynamicSharedBytes">The dynamic shared memory the launcher requests per group.</param>
/// <param name="HotPath">Whether the kernel runs every iteration (k-means++ seeding does not).</param>
internal sealed record KernelLaunch(
    string Key, MethodInfo Kernel, int? GroupSize, long DynamicSharedBytes, bool HotPath = true)
{
    /// <summary>The public static kernel method <paramref name="name"/> of <paramref name="type"/>.</summary>
    public static MethodInfo Method(Type type, string name) =>
        type.GetMethod(name, BindingFlags.Public | BindingFlags.Static)
        ?? throw new ArgumentException($"{type.Name} has no public static kernel {name}.", nameof(name));

    /// <summary>Whether the kernel takes a <see cref="KernelConfig"/> (explicitly grouped).</summary>
    public bool ExplicitlyGrouped => GroupSize is not null;

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Key} ({Kernel.DeclaringType?.Name}.{Kernel.Name}, "
        + (GroupSize is int g ? $"group {g}" : "auto-grouped")
        + (DynamicSharedBytes > 0 ? $", {DynamicSharedBytes} B dynamic shared)" : ")");
}
