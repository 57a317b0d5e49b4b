namespace GpuEm.Engines;

/// <summary>
/// The bound on scratch buffers put on the stack. A buffer whose length follows the data (d, k)
/// goes on the stack only up to <see cref="MaxBytes"/>; larger ones are heap arrays allocated per
/// chunk of rows (never per row). Unbounded <c>stackalloc</c> overflowed the stack (an
/// uncatchable crash) for d ≳ 33,000 in the k-means engine.
/// </summary>
internal static class StackScratch
{
    /// <summary>Most bytes of one stack buffer (thread-pool threads have about 1.5 MiB of stack).</summary>
    public const int MaxBytes = 16 * 1024;

    /// <summary>Most doubles of one stack buffer.</summary>
    public const int MaxDoubles = MaxBytes / sizeof(double);
}
