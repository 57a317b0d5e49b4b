namespace GpuEm.Engines;

/// <summary>
/// Holds an engine's planned launches (its <c>Launches</c>, the same planning its launch code
/// calls) to the device's limits before the engine allocates anything, so that a shape the
/// device cannot launch (one staged row of d + 2 floats beyond CUDA's 48 KiB of shared memory
/// for d &gt; 12,286) is refused at construction with what to do, instead of failing at the first
/// launch.
/// </summary>
internal static class LaunchLimits
{
    /// <summary>
    /// Throws <see cref="LaunchLimitException"/> when a launch needs more threads per group or
    /// more dynamic shared memory per group than <paramref name="limits"/> allow.
    /// </summary>
    /// <param name="launches">The engine's planned launches.</param>
    /// <param name="limits">The device's limits (those the launches were planned against).</param>
    /// <param name="device">The device, for the message (e.g. "Cuda device 'NVIDIA H200'").</param>
    /// <param name="shape">The data's shape, for the message (e.g. "d = 13000 columns").</param>
    public static void Require(IEnumerable<KernelLaunch> launches, DeviceLimits limits, string device, string shape)
    {
        foreach (KernelLaunch launch in launches)
        {
            string? need = null;
            if (launch.GroupSize is int threads && threads > limits.MaxThreadsPerGroup)
                need = $"{threads} threads per group, more than its {limits.MaxThreadsPerGroup}";
            else if (launch.DynamicSharedBytes > limits.MaxSharedBytesPerGroup)
                need = $"{launch.DynamicSharedBytes} B of shared memory per group, more than its "
                    + $"{limits.MaxSharedBytesPerGroup} B ({limits.MaxSharedBytesPerGroup / 1024} KiB)";
            if (need is not null)
                throw new LaunchLimitException(
                    $"The {device} cannot run this fit's kernels at {shape}: kernel '{launch.Key}' needs {need}.");
        }
    }

    /// <summary>As the other overload, for an opened accelerator at its <see cref="AcceleratorHandle.Limits"/>.</summary>
    public static void Require(IEnumerable<KernelLaunch> launches, AcceleratorHandle handle, string shape) =>
        Require(launches, handle.Limits, $"{handle.Backend} device '{handle.DeviceName}'", shape);
}

/// <summary>
/// A fit's planned kernel launches exceed the device's limits (see <see cref="LaunchLimits"/>).
/// With <see cref="Backend.Auto"/> the fit falls back to the reference engine with a notice;
/// with an explicit accelerator backend it reaches the caller as a
/// <see cref="NotSupportedException"/>.
/// </summary>
internal sealed class LaunchLimitException(string reason)
    : NotSupportedException(reason + " " + Advice)
{
    /// <summary>What the caller of an explicit backend is told to do.</summary>
    public const string Advice = "Use Backend.Reference (--backend reference) for data this wide.";

    /// <summary>What exceeds which limit, without the advice (Auto's notice adds its own).</summary>
    public string Reason { get; } = reason;
}
