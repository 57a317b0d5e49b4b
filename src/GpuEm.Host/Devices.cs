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

    /// <summary>
    /// The backend and device a fit with <paramref name="backend"/> runs on, resolved as the fit
    /// resolves it (Auto: the first CUDA, then OpenCL device that opens, else the reference
    /// engine). The device stays open for the fit that follows.
    /// </summary>
    /// <param name="backend">The requested backend.</param>
    /// <returns>The backend and the device's name.</returns>
    /// <exception cref="NotSupportedException">An explicit backend has no device that opens.</exception>
    public static (Backend Backend, string DeviceName) Resolve(Backend backend) =>
        DeviceManager.Resolve(backend, notify: null) is { } handle
            ? (handle.Backend, handle.DeviceName)
            : (Backend.Reference, ReferenceEngine.Name);
}
