using GpuEm.Engines;
using ILGPU;
using ILGPU.Runtime.CPU;

namespace GpuEm.Tests.Support;

/// <summary>
/// ILGPU's CPU accelerator shaped like a GPU: warps of 32 threads, 8 warps (groups of up to 256
/// threads; the default CPU device has warps of 4 and groups of 16), one multiprocessor, compiled
/// with the production compiler settings. One per test process: the engines serialize on its
/// <see cref="AcceleratorHandle.Sync"/>.
/// </summary>
internal static class GpuShapedDevice
{
    private static readonly Lazy<AcceleratorHandle> Shared = new(() =>
    {
        var context = Context.Create(builder => DeviceManager.CompilerSettings(builder.CPU(new CPUDevice(32, 8, 1))));
        return new AcceleratorHandle(context.CreateCPUAccelerator(0), Backend.CpuAccelerator);
    });

    /// <summary>The device (opened on first use).</summary>
    public static AcceleratorHandle Handle => Shared.Value;
}
