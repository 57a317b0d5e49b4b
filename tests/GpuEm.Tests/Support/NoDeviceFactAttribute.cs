using GpuEm.Engines;
using Xunit;

namespace GpuEm.Tests.Support;

/// <summary>A fact about what happens without a usable device of one backend: skipped (never
/// passed vacuously) on machines that have one, where that path cannot be exercised.</summary>
public sealed class NoDeviceFactAttribute : FactAttribute
{
    public NoDeviceFactAttribute(Backend backend)
    {
        if (DeviceManager.ListDevices().Any(d => d.Backend == backend && d.Usable))
            Skip = $"This machine has a usable {backend} device: the no-device path cannot be exercised.";
    }
}
