using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Engines;
using GpuEm.Models.BernoulliMixture;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Engines;

/// <summary>
/// Engines refuse, at construction, launches their device cannot make: on CUDA (48 KiB of shared
/// memory per group without an opt-in) the moments reduction stages at least one row of d + 2
/// floats, so d ≤ 12,286; k-means' assignment stages at least one centre of d floats. The CPU
/// accelerator has no such limit, so these tests hold the launches to <see cref="DeviceLimits.Cuda"/>
/// (and a CPU accelerator handle given CUDA's limits) instead of running the emulator at d = 13,000.
/// </summary>
public sealed class LaunchLimitTests
{
    // 4 · (12,286 + 2) = 49,152 B: the widest data whose staged row fits 48 KiB exactly.
    private const int WidestOnCuda = 12286;

    public static TheoryData<string> Models() => new() { "kmeans", "bernoulli", "gaussian-diagonal" };

    private static IEnumerable<KernelLaunch> Launches(string model, int d) => model switch
    {
        "kmeans" => AcceleratorKMeansEngine.Launches(DeviceLimits.Cuda, d, 3),
        "bernoulli" => AcceleratorBernoulliEngine.Launches(DeviceLimits.Cuda, d),
        _ => AcceleratorGaussianEngine.Launches(DeviceLimits.Cuda, d, 3, CovarianceType.Diagonal),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Launches_fit_cuda_up_to_d_12286_and_are_refused_beyond_naming_d_and_the_limit(string model)
    {
        LaunchLimits.Require(Launches(model, WidestOnCuda), DeviceLimits.Cuda, "Cuda device 'test'", $"d = {WidestOnCuda}");

        var refused = Assert.Throws<LaunchLimitException>(() =>
            LaunchLimits.Require(Launches(model, WidestOnCuda + 1), DeviceLimits.Cuda, "Cuda device 'test'", $"d = {WidestOnCuda + 1}"));
        Assert.IsAssignableFrom<NotSupportedException>(refused);
        Assert.Contains("d = 12287", refused.Message, StringComparison.Ordinal);
        Assert.Contains("49156 B of shared memory per group, more than its 49152 B (48 KiB)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("--backend reference", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Launches_over_the_threads_per_group_are_refused()
    {
        var refused = Assert.Throws<LaunchLimitException>(() => LaunchLimits.Require(
            AcceleratorKMeansEngine.Launches(DeviceLimits.Cuda, 4, 2), new DeviceLimits(64, 48 * 1024), "device", "d = 4"));
        Assert.Contains("128 threads per group, more than its 64", refused.Message, StringComparison.Ordinal);
    }

    private static AcceleratorHandle CpuWithCudaLimits()
    {
        AcceleratorHandle cpu = DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
        return new AcceleratorHandle(cpu.Accelerator, Backend.CpuAccelerator) { Limits = DeviceLimits.Cuda };
    }

    [Fact]
    public void Accelerator_engines_refuse_d_13000_at_construction_on_a_device_with_48_KiB()
    {
        AcceleratorHandle handle = CpuWithCudaLimits();
        var x = new float[2, 13000];
        x[1, 0] = 1;
        var kmeans = Assert.Throws<LaunchLimitException>(() => new AcceleratorKMeansEngine(handle, DataMatrix.From(x, null), 1));
        Assert.Contains("d = 13000 columns", kmeans.Message, StringComparison.Ordinal);
        var bernoulli = Assert.Throws<LaunchLimitException>(() => new AcceleratorBernoulliEngine(handle, BinaryData.From(x, null), 1, null));
        Assert.Contains("d = 13000 indicator columns", bernoulli.Message, StringComparison.Ordinal);
        var gaussian = Assert.Throws<LaunchLimitException>(
            () => new AcceleratorGaussianEngine(handle, DataMatrix.From(x, null), 1, CovarianceType.Diagonal));
        Assert.Contains("49152 B (48 KiB)", gaussian.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Auto_falls_back_to_the_reference_engine_with_a_notice_and_an_explicit_backend_throws()
    {
        AcceleratorHandle handle = CpuWithCudaLimits();
        var x = new float[2, 13000];
        DataMatrix data = DataMatrix.From(x, null);
        Func<AcceleratorHandle?, IKMeansEngine> create = h =>
            h is null ? new ReferenceKMeansEngine(data) : new AcceleratorKMeansEngine(h, data, 1);
        var notices = new List<string>();
        var progress = new SynchronousProgress<FitProgress>(p =>
        {
            if (p.Warning is not null)
                notices.Add(p.Warning);
        });

        using (IKMeansEngine engine = EmFit.CreateEngine(Backend.Auto, handle, create, progress))
            Assert.Equal(Backend.Reference, engine.Backend);
        string notice = Assert.Single(notices);
        Assert.Contains("d = 13000", notice, StringComparison.Ordinal);
        Assert.Contains("49152 B", notice, StringComparison.Ordinal);
        Assert.EndsWith("Falling back to the reference engine.", notice, StringComparison.Ordinal);

        var explicitBackend = Assert.Throws<LaunchLimitException>(() => EmFit.CreateEngine(Backend.Cuda, handle, create, progress));
        Assert.Contains("--backend reference", explicitBackend.Message, StringComparison.Ordinal);
        Assert.Single(notices);
    }
}
