using System.Runtime.Intrinsics;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// The reference engine's fused E-step + statistics over a chunk of rows, in float64 with
/// 256-bit SIMD. Diagonal and spherical: components in blocks of 4 lanes (means and precisions
/// transposed, so a broadcast x_j meets 4 components at once and no horizontal sums are needed).
/// Full and tied: y = (x − μ) U with U's rows as vectors, skipping the zero lower blocks.
/// Both use differences (x − μ), never the expanded x² − 2xμ + μ² form, so nothing cancels.
/// </summary>
internal static partial class GaussianChunkPasses
{
    private const int Lanes = 4;

    /// <summary>Rows the diagonal pass takes at a time.</summary>
    private const int Batch = 4;

    [ThreadStatic]
    private static Vector256<double>[]? _scratch;

    /// <summary>A per-thread scratch of at least <paramref name="length"/> vectors, cleared.</summary>
    private static Span<Vector256<double>> Scratch(int length)
    {
        if (_scratch is null || _scratch.Length < length)
            _scratch = new Vector256<double>[length];
        Span<Vector256<double>> span = _scratch.AsSpan(0, length);
        span.Clear();
        return span;
    }
}
