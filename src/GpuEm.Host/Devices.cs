using GpuEm.Engines;

namespace GpuEm;

/// <summary>The devices ILGPU sees in this process.</summary>
public static class Devices
{
    /// <summary>
    /// Every device ILGPU lists (CPU accelerator, CUDA, OpenCL), each opened once to tell whether
    /// GpuEm can use it; a device that cannot open carries the reason in its notice.
    /// </summary>
    /// <returns>The devices, in ILGPU's order.</returns>
    public static IReadOnlyList<DeviceInfo> List() => DeviceManager.ListDevices();
}
