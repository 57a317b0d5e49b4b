namespace GpuEm.Engines;

/// <summary>
/// What every model's reference engine (managed float64 on all cores, the CPU path) shares: its
/// backend, its device name, and nothing to release.
/// </summary>
internal abstract class ReferenceEngine : IEmEngine
{
    /// <summary>The device name every reference fit reports.</summary>
    public static string Name => $"CPU reference (float64, {Environment.ProcessorCount} threads)";

    public Backend Backend => Backend.Reference;

    public string DeviceName => Name;

    public virtual void Dispose()
    {
    }
}
