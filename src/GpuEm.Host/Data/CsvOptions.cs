namespace GpuEm.Data;

/// <summary>Settings of <see cref="CsvDataSource"/>.</summary>
public sealed record CsvOptions
{
    /// <summary>Skip the first non-blank line. Default false.</summary>
    public bool HasHeader { get; init; }

    /// <summary>The cell separator. Default ','.</summary>
    public char Separator { get; init; } = ',';

    /// <summary>Read empty cells as NaN (missing) instead of failing. "NaN" cells are always NaN.
    /// Default false.</summary>
    public bool EmptyAsMissing { get; init; }
}
