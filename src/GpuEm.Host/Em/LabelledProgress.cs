namespace GpuEm.Em;

/// <summary>Stamps every report with the <see cref="FitProgress.Label"/> of the fit it belongs to
/// (one of several run by one call, as model selection runs).</summary>
internal sealed class LabelledProgress(IProgress<FitProgress> inner, string label) : IProgress<FitProgress>
{
    /// <summary>The labelling sink, or null without one.</summary>
    public static IProgress<FitProgress>? Wrap(IProgress<FitProgress>? inner, string label) =>
        inner is null ? null : new LabelledProgress(inner, label);

    public void Report(FitProgress value) => inner.Report(value with { Label = label });
}
