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
    private readonly AcceleratorHandle _handle;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _total;
    private readonly double[] _host = new double[1];
    private readonly int _groupSize;

    public SumLauncher(AcceleratorHandle handle)
    {
        _handle = handle;
        _groupSize = Math.Min(128, handle.Accelerator.MaxNumThreadsPerGroup);
        _partials = handle.Accelerator.Allocate1D<double>(Groups);
        _total = handle.Accelerator.Allocate1D<double>(1);
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
        var kernel = _handle.Kernel("sum", a => a.LoadStreamKernel<ArrayView<float>, ArrayView<double>>(
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
