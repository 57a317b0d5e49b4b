using GpuEm.Data;

namespace GpuEm.Cli;

/// <summary>
/// A binary source whose every value must be finite: the CLI's <c>--missing error</c> (the
/// default) for predict and score, where the library would read NaN as missing. Checked as rows
/// are read, so the file is still read only in chunks.
/// </summary>
internal sealed class FiniteDataSource(IDataSource inner) : IDataSource
{
    /// <inheritdoc/>
    public long RowCount => inner.RowCount;

    /// <inheritdoc/>
    public int ColumnCount => inner.ColumnCount;

    /// <inheritdoc/>
    public string Description => inner.Description;

    /// <inheritdoc/>
    public void ReadRows(long firstRow, int rowCount, Span<float> destination)
    {
        inner.ReadRows(firstRow, rowCount, destination);
        int d = ColumnCount;
        for (int i = 0; i < rowCount * d; i++)
        {
            if (!float.IsFinite(destination[i]))
                throw new InvalidDataException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{Description} holds {destination[i]} at row {firstRow + i / d}, column {i % d} (zero-based); values must be finite (for missing values use --missing marginalize)."));
        }
    }

    /// <inheritdoc/>
    public void Dispose() => inner.Dispose();
}
