using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace GpuEm.Engines;

/// <summary>
/// Opens ILGPU accelerators once per process and hands them to fits. Auto tries CUDA, then
/// OpenCL, then the reference engine; a device that cannot be opened (Debian's PoCL, for one,
/// lacks the generic address space ILGPU needs) is skipped with a notice, never a crash.
/// </summary>
internal static class DeviceManager
{
    private static readonly object Gate = new();
    private static readonly Dictionary<Backend, AcceleratorHandle?> Opened = new();
    private static readonly Dictionary<Backend, string> Failures = new();
    private static Context? _context;

    private static Context Context
    {
        get
        {
            if (_context is null)
            {
                // Every device, supported or not: one that cannot open is then skipped with a
                // notice that names it, instead of being invisible.
                _context = Context.Create(builder => CompilerSettings(builder
                    .DefaultCPU()
                    .Cuda(_ => true)
                    .OpenCL(_ => true)));
                AppDomain.CurrentDomain.ProcessExit += (_, _) => DisposeAll();
            }
            return _context;
        }
    }

    /// <summary>
    /// The compiler settings of every kernel GpuEm compiles, here and in the offline PTX and
    /// OpenCL checks (tests/…/Ptx): ILGPU.Algorithms (group reductions, XMath) and the default
    /// math mode (float stays float32; XMath's float functions map to the hardware's approximate
    /// ex2/lg2).
    /// </summary>
    internal static Context.Builder CompilerSettings(Context.Builder builder) =>
        builder.EnableAlgorithms().Math(MathMode.Default);

    /// <summary>Lists every device ILGPU sees, opening each to tell whether it can be used.</summary>
    public static IReadOnlyList<DeviceInfo> ListDevices()
    {
        lock (Gate)
        {
            var result = new List<DeviceInfo>();
            foreach (Device device in Context.Devices)
            {
                Backend backend = ToBackend(device.AcceleratorType);
                string? notice = null;
                bool usable = backend == Backend.CpuAccelerator
                    || TryOpenLocked(backend, out _, out notice);
                result.Add(new DeviceInfo(backend, device.Name, device.MemorySize, usable, notice));
            }
            return result;
        }
    }

    /// <summary>
    /// Resolves <paramref name="requested"/> to an opened accelerator, or null for the reference
    /// engine. Auto falls back silently past missing backends and with a notice past devices that
    /// fail to open; an explicit backend that cannot open throws.
    /// </summary>
    public static AcceleratorHandle? Resolve(Backend requested, Action<string>? notify)
    {
        if (!Enum.IsDefined(requested))
            throw new ArgumentOutOfRangeException(nameof(requested), requested, "Unknown backend.");
        if (requested == Backend.Reference)
            return null;
        lock (Gate)
        {
            if (requested == Backend.Auto)
            {
                foreach (Backend candidate in new[] { Backend.Cuda, Backend.OpenCL })
                {
                    if (TryOpenLocked(candidate, out AcceleratorHandle? handle, out string? notice))
                        return handle;
                    if (notice is not null)
                        notify?.Invoke(notice);
                }
                return null;
            }
            if (TryOpenLocked(requested, out AcceleratorHandle? opened, out string? why))
                return opened;
            throw new NotSupportedException(
                (why ?? $"No {requested} device was found.") + " Use Backend.Auto or Backend.Reference.");
        }
    }

    private static bool TryOpenLocked(Backend backend, out AcceleratorHandle? handle, out string? notice)
    {
        if (Opened.TryGetValue(backend, out handle))
        {
            Failures.TryGetValue(backend, out notice);
            return handle is not null;
        }
        notice = null;
        handle = null;
        AcceleratorType type = backend switch
        {
            Backend.Cuda => AcceleratorType.Cuda,
            Backend.OpenCL => AcceleratorType.OpenCL,
            _ => AcceleratorType.CPU,
        };
        try
        {
            foreach (Device device in Context.Devices.Where(d => d.AcceleratorType == type))
            {
                try
                {
                    Accelerator accelerator = device.CreateAccelerator(Context);
                    handle = new AcceleratorHandle(accelerator, backend);
                    break;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // A listed device that cannot open is skipped; the reason travels as a notice.
                    notice = $"Skipping {backend} device '{device.Name}': {ex.Message}";
                }
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            notice = $"Could not enumerate {backend} devices: {ex.Message}";
        }
        Opened[backend] = handle;
        if (notice is not null)
            Failures[backend] = notice;
        return handle is not null;
    }

    private static Backend ToBackend(AcceleratorType type) => type switch
    {
        AcceleratorType.Cuda => Backend.Cuda,
        AcceleratorType.OpenCL => Backend.OpenCL,
        _ => Backend.CpuAccelerator,
    };

    private static void DisposeAll()
    {
        lock (Gate)
        {
            foreach (AcceleratorHandle? handle in Opened.Values)
                handle?.Accelerator.Dispose();
            Opened.Clear();
            _context?.Dispose();
            _context = null;
        }
    }
}
