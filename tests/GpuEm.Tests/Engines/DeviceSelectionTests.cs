using GpuEm.Em;
using GpuEm.Engines;
using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Engines;

/// <summary>Backend choice: Auto never crashes and never picks the CPU emulator; explicit
/// backends that cannot open fail clearly.</summary>
public sealed class DeviceSelectionTests
{
    private static bool HasDevice(Backend backend) =>
        DeviceManager.ListDevices().Any(d => d.Backend == backend && d.Usable);

    [Fact]
    public void Auto_uses_a_gpu_or_falls_back_to_the_reference_engine()
    {
        var notices = new List<string>();
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 2,
            Progress = new SynchronousProgress<FitProgress>(p =>
            {
                if (p.Warning is not null)
                    notices.Add(p.Warning);
            }),
        }).Fit(Synthetic.Gaussian(100, 2, seed: 1));

        Backend expected = HasDevice(Backend.Cuda) ? Backend.Cuda
            : HasDevice(Backend.OpenCL) ? Backend.OpenCL
            : Backend.Reference;
        Assert.Equal(expected, model.Backend);
        Assert.NotEqual(Backend.CpuAccelerator, model.Backend);
        // Every device that is listed but unusable was reported, by name, as skipped.
        foreach (DeviceInfo device in DeviceManager.ListDevices().Where(d => !d.Usable && d.Backend != Backend.CpuAccelerator))
            Assert.Contains(notices, n => n.Contains(device.Name, StringComparison.Ordinal));
    }

    [NoDeviceFact(Backend.Cuda)]
    public void Cuda_without_a_usable_device_fails_with_a_clear_message() =>
        AssertExplicitBackendFailsClearly(Backend.Cuda);

    [NoDeviceFact(Backend.OpenCL)]
    public void OpenCL_without_a_usable_device_fails_with_a_clear_message() =>
        AssertExplicitBackendFailsClearly(Backend.OpenCL);

    private static void AssertExplicitBackendFailsClearly(Backend backend)
    {
        var error = Assert.Throws<NotSupportedException>(() => new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 1,
            Backend = backend,
        }).Fit(Synthetic.Gaussian(10, 2, seed: 1)));
        Assert.Contains(backend.ToString(), error.Message);
    }

    [Fact]
    public void Listing_devices_never_throws_and_includes_the_cpu_accelerator()
    {
        IReadOnlyList<DeviceInfo> devices = DeviceManager.ListDevices();
        Assert.Contains(devices, d => d.Backend == Backend.CpuAccelerator && d.Usable);
        Assert.All(devices.Where(d => !d.Usable), d => Assert.False(string.IsNullOrWhiteSpace(d.Notice)));
    }

    [Fact]
    public void The_reference_backend_is_reported_as_used()
    {
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 1,
            Backend = Backend.Reference,
        }).Fit(Synthetic.Gaussian(10, 2, seed: 1));
        Assert.Equal(Backend.Reference, model.Backend);
        Assert.Contains("reference", model.DeviceName, StringComparison.OrdinalIgnoreCase);
    }
}
