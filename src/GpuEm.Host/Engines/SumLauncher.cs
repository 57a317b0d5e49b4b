using GpuEm.Kernels.Common;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Engines;

/// <summary>
/// Sums a device vector of floats in float64: a fixed grid of groups (so the order of additions
/// does not depend on the device), one partial per group, added on the device in group order
/// into a total that successive chunks can add to before the host reads it once.
/// </summary>
internal sealed class SumLauncher : IDisposable
{
    private const int Groups = 64;

    /// <summary>Threads per group (fewer on a device that has fewer).</summary>
    private const int MaxGroupSize = 128;

    private const string SumKey = "sum";
    private readonly AcceleratorHandle _handle;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _total;
    private readonly double[] _host = new double[1];
    private readonly int _groupSize;

    public SumLauncher(AcceleratorHandle handle)
    {
        _handle = handle;
        _groupSize = GroupSize(handle.Limits);
        _partials = handle.Accelerator.Allocate1D<double>(Groups);
        _total = handle.Accelerator.Allocate1D<double>(1);
    }

    private static int GroupSize(DeviceLimits limits) => Math.Min(MaxGroupSize, limits.MaxThreadsPerGroup);

    /// <summary>The kernels this launcher launches: the sum (no dynamic shared memory) and the combine.</summary>
    internal static IEnumerable<KernelLaunch> Launches(DeviceLimits limits)
    {
        yield return new KernelLaunch(
            SumKey, KernelLaunch.Method(typeof(MomentsKernels), nameof(MomentsKernels.SumKernel)), GroupSize(limits), 0);
        yield return MomentsLauncher.CombineLaunch;
    }

    /// <summary>Σ values in float64, read back at once.</summary>
    public double Sum(ArrayView<float> values)
    {
        Accumulate(values, first: true);
        return Read();
    }

    /// <summary>
    /// Adds Σ values to the total kept on the device (<paramref name="first"/>: replaces it);
    /// nothing is read back.
    /// </summary>
    public void Accumulate(ArrayView<float> values, bool first)
    {
        var kernel = _handle.Kernel(SumKey, a => a.LoadStreamKernel<ArrayView<float>, ArrayView<double>>(
            MomentsKernels.SumKernel));
        kernel(new KernelConfig(Groups, _groupSize), values, _partials.View);
        MomentsLauncher.Combine(_handle, _partials.View, _total.View, Groups, first);
    }

    /// <summary>Reads the device's total back.</summary>
    public double Read()
    {
        _total.View.CopyToCPU(_host);
        return _host[0];
    }

    public void Dispose()
    {
        _partials.Dispose();
        _total.Dispose();
    }
}
