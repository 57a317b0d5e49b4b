using System.Globalization;

namespace GpuEm.Models;

/// <summary>
/// A model gave a non-finite log-density for a finite row: its parameters are too extreme for
/// float64 (means near ±1e308, a component whose density underflows everywhere). Thrown instead
/// of returning NaN posteriors or scores.
/// </summary>
public sealed class NonFiniteDensityException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="row"/> (0-based, counted from the start of the data).</summary>
    public NonFiniteDensityException(long row, double value)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"The model gives a non-finite log-density ({value}) for row {row}, whose values are finite: the model's parameters are too extreme for float64 (e.g. means near ±1e308, or a point no component can produce). Refit the model on data of a moderate scale."))
    {
        Row = row;
        Value = value;
    }

    /// <summary>The first row (0-based) whose log-density is not finite.</summary>
    public long Row { get; }

    /// <summary>That row's log-density (NaN or ±∞).</summary>
    public double Value { get; }

    /// <summary>The same failure for data whose row 0 is row <paramref name="firstRow"/> of a larger source.</summary>
    internal NonFiniteDensityException Offset(long firstRow) => new(Row + firstRow, Value);
}
