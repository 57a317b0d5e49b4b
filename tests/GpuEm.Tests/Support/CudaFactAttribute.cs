using GpuEm.Engines;
using Xunit;

namespace GpuEm.Tests.Support;

/// <summary>A fact that needs a CUDA device: skipped (never failed) on machines without one.</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> HasCuda = new(() =>
        DeviceManager.ListDevices().Any(d => d.Backend == Backend.Cuda && d.Usable));

    public CudaFactAttribute()
    {
        if (!HasCuda.Value)
            Skip = "No usable CUDA device on this machine.";
    }
}
