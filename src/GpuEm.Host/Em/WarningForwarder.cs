namespace GpuEm.Em;

/// <summary>
/// Forwards only the reports that carry a warning, with a prefix: an inner fit (the k-means that
/// starts a mixture) then shows its notices without mixing its iterations into the outer fit's.
/// </summary>
internal sealed class WarningForwarder(IProgress<FitProgress>? inner, string prefix) : IProgress<FitProgress>
{
    public static IProgress<FitProgress>? Wrap(IProgress<FitProgress>? inner, string prefix) =>
        inner is null ? null : new WarningForwarder(inner, prefix);

    public void Report(FitProgress value)
    {
        if (value.Warning is not null)
            inner?.Report(value with { Warning = prefix + value.Warning });
    }
}
