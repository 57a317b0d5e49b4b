using GpuEm.Kernels.Common;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Engines;

/// <summary>
/// Sums a device vector of floats in float64: a fixed grid of groups (so the order of additions
/// does not depend on the device), one partial per group, added on the host in group order.
/// </summary>
internal sealed class SumLauncher : IDisposable
{
    private const int Groups = 64;
    private readonly AcceleratorHandle _handle;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private readonly double[] _host = new double[Groups];
    private readonly int _groupSize;

    public SumLauncher(AcceleratorHandle handle)
    {
        _handle = handle;
        _groupSize = Math.Min(128, handle.Accelerator.MaxNumThreadsPerGroup);
        _partials = handle.Accelerator.Allocate1D<double>(Groups);
    }

    public double Sum(ArrayView<float> values)
    {
        var kernel = _handle.Kernel("sum", a => a.LoadStreamKernel<ArrayView<float>, ArrayView<double>>(
            MomentsKernels.SumKernel));
        kernel(new KernelConfig(Groups, _groupSize), values, _partials.View);
        _partials.View.CopyToCPU(_host);
        double total = 0;
        foreach (double partial in _host)
            total += partial;
        return total;
    }

    public void Dispose() => _partials.Dispose();
}
