namespace GpuEm.Engines;

/// <summary>Describes one device ILGPU lists, and whether GpuEm can open it.</summary>
/// <param name="Backend">The backend the device belongs to.</param>
/// <param name="Name">The device's name.</param>
/// <param name="MemoryBytes">Device memory in bytes.</param>
/// <param name="Usable">Whether an accelerator could be opened on it.</param>
/// <param name="Notice">Why it cannot be used, when it cannot.</param>
public sealed record DeviceInfo(Backend Backend, string Name, long MemoryBytes, bool Usable, string? Notice);
