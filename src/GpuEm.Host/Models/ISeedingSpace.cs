namespace GpuEm.Models;

/// <summary>
/// Where k-means++ keeps its per-point distances: host arrays (reference) or device buffers
/// (accelerator). A slot holds w·D² for every point.
/// </summary>
internal interface ISeedingSpace
{
    /// <summary>Slot <paramref name="to"/> = min(slot <paramref name="from"/>, w·‖x − x_candidate‖²)
    /// (from −1: no centre yet); returns Σ of the new slot.</summary>
    double Trial(int candidateRow, int from, int to);

    /// <summary>
    /// For each candidate, what <see cref="Trial"/> from slot <paramref name="from"/> would return
    /// (Σ min(slot, w·‖x − x_candidate‖²)); the host space reads the data once for all of them.
    /// </summary>
    double[] Potentials(int[] candidateRows, int from);

    /// <summary>
    /// Slot <paramref name="to"/> = the minima of candidate <paramref name="winner"/> of the last
    /// <see cref="Potentials"/> call (kept from that pass when memory allowed, else recomputed);
    /// returns its potential, the same number Potentials gave.
    /// </summary>
    double Keep(int winner, int to);

    /// <summary>Prefix sums of a slot, in float64, into <paramref name="cumulative"/>.</summary>
    void Prefix(int slot, double[] cumulative);
}
