using System.Collections.ObjectModel;

namespace GpuEm.Models.CoarsenedCategorical;

/// <summary>
/// One coarsened observation of a categorical table: the set of cells it could be, with how
/// many times it was seen. A fully observed outcome is a one-cell set; a marginal such as
/// "temperature t0, snow unknown" lists every cell consistent with it. Immutable; the cells are
/// copied. Values are checked when a fit starts, where the message can name the observation.
/// </summary>
public sealed class CoarsenedObservation
{
    /// <summary>Creates an observation of the cells <paramref name="cells"/>, seen
    /// <paramref name="count"/> times.</summary>
    /// <param name="cells">Zero-based cell indices, distinct, at least one.</param>
    /// <param name="count">How many times it was seen: finite and ≥ 0 (need not be an
    /// integer; 0 contributes nothing).</param>
    public CoarsenedObservation(IEnumerable<int> cells, double count)
    {
        ArgumentNullException.ThrowIfNull(cells);
        Cells = new ReadOnlyCollection<int>(cells.ToArray());
        Count = count;
    }

    /// <summary>The cells this observation could be (zero-based indices into the table).</summary>
    public IReadOnlyList<int> Cells { get; }

    /// <summary>How many times it was seen.</summary>
    public double Count { get; }

    /// <summary>A fully observed cell, seen <paramref name="count"/> times.</summary>
    /// <param name="cell">Zero-based cell index.</param>
    /// <param name="count">Finite and ≥ 0.</param>
    /// <returns>The one-cell observation.</returns>
    public static CoarsenedObservation Cell(int cell, double count) => new([cell], count);
}
