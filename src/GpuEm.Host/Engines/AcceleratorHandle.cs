using System.Collections.Concurrent;
using ILGPU.Runtime;

namespace GpuEm.Engines;

/// <summary>
/// One opened ILGPU accelerator, shared by every fit in the process, with its compiled kernels.
/// Kernels are compiled once per accelerator and reused; <see cref="Sync"/> serializes the fits
/// that share it.
/// </summary>
internal sealed class AcceleratorHandle
{
    private readonly ConcurrentDictionary<string, object> _kernels = new();

    public AcceleratorHandle(Accelerator accelerator, Backend backend)
    {
        Accelerator = accelerator;
        Backend = backend;
        Limits = DeviceLimits.Of(accelerator);
    }

    public Accelerator Accelerator { get; }

    public Backend Backend { get; }

    public string DeviceName => Accelerator.Name;

    /// <summary>
    /// The limits launches are planned and checked against: the device's own (tests set CUDA's
    /// on a CPU accelerator to check a refusal without launching).
    /// </summary>
    public DeviceLimits Limits { get; init; }

    public object Sync { get; } = new();

    /// <summary>Returns the kernel stored under <paramref name="key"/>, loading it on first use.</summary>
    public T Kernel<T>(string key, Func<Accelerator, T> load)
        where T : class =>
        (T)_kernels.GetOrAdd(key, _ => load(Accelerator));
}
