using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuEm.Models.KMeans;

/// <summary>
/// A float32 first pass of the reference k-means assignment: the arg-min over centres of
/// ‖c′‖² − 2 x′·c′, with c′ = c − m and x′ = x − m shifted by the centres' mean m, 8 centres per
/// 256-bit vector (twice the float64 rate), keeping the runner-up. The float32 winner is taken
/// only when its margin over the runner-up exceeds twice a bound on the rounding error of both
/// this pass and the float64 ranking; then the float64 arg-min is the same centre. Other points
/// (near-ties) return −1 and are ranked in float64 by the caller, so the labels are exactly the
/// float64 ones.
/// </summary>
/// <remarks>
/// The bound: each score is a length-d float32 dot product plus a norm, from inputs rounded once
/// to float32; its error is below (d + 8)·u·(2‖x′‖‖c′‖ + 2‖c′‖²) with u = 2⁻²⁴ (the standard
/// γ_d bound, with Cauchy–Schwarz for Σ|x′_j c′_j|). The float64 ranking's own error is the same
/// expression in unshifted coordinates with u = 2⁻⁵³. Both are doubled again for safety; a
/// too-large bound costs only float64 re-ranking, never a different label.
/// </remarks>
internal sealed class KMeansFloat32Prefilter
{
    /// <summary>Centres per vector.</summary>
    public const int Lanes = 8;

    /// <summary>The largest |score| screened: far below float32's 3.4e38, so nothing overflows.</summary>
    private const double MaxMagnitude = 1e36;

    private readonly Vector256<float>[] _coordinates;
    private readonly Vector256<float>[] _norms;
    private readonly float[] _shift;
    private readonly int _blocks;
    private readonly int _d;
    private readonly double _maxShifted;
    private readonly double _maxNorm;
    private readonly double _shiftNorm;
    private readonly double _unit32;
    private readonly double _unit64;

    public KMeansFloat32Prefilter(KMeansParameters p)
    {
        int d = p.D;
        _d = d;
        _blocks = (p.K + Lanes - 1) / Lanes;
        _shift = new float[d];
        for (int j = 0; j < d; j++)
        {
            double sum = 0;
            for (int c = 0; c < p.K; c++)
                sum += p.Centres[c * d + j];
            _shift[j] = (float)(sum / p.K);
        }
        _coordinates = new Vector256<float>[_blocks * d];
        _norms = new Vector256<float>[_blocks];
        Span<float> lane = stackalloc float[Lanes];
        for (int b = 0; b < _blocks; b++)
        {
            for (int j = 0; j < d; j++)
            {
                for (int l = 0; l < Lanes; l++)
                {
                    int c = b * Lanes + l;
                    lane[l] = c < p.K ? (float)(p.Centres[c * d + j] - _shift[j]) : 0f;
                }
                _coordinates[b * d + j] = Vector256.Create<float>(lane);
            }
            for (int l = 0; l < Lanes; l++)
            {
                int c = b * Lanes + l;
                if (c >= p.K)
                {
                    lane[l] = float.PositiveInfinity;
                    continue;
                }
                double shifted = 0, norm = 0;
                for (int j = 0; j < d; j++)
                {
                    double v = (float)(p.Centres[c * d + j] - _shift[j]);
                    shifted += v * v;
                    norm += p.Centres[c * d + j] * p.Centres[c * d + j];
                }
                lane[l] = (float)shifted;
                _maxShifted = Math.Max(_maxShifted, Math.Sqrt(shifted));
                _maxNorm = Math.Max(_maxNorm, Math.Sqrt(norm));
            }
            _norms[b] = Vector256.Create<float>(lane);
        }
        double shiftNorm = 0;
        foreach (float v in _shift)
            shiftNorm += (double)v * v;
        _shiftNorm = Math.Sqrt(shiftNorm);
        _unit32 = 2 * (d + 8) * Math.ScaleB(1, -24);
        _unit64 = 2 * (d + 8) * Math.ScaleB(1, -53);
    }

    /// <summary>
    /// Writes x′ = x − m broadcast per coordinate into <paramref name="broadcast"/> (d vectors) and
    /// returns the bound on the rounding error of any score of this point (both passes); +∞
    /// (always rank in float64) when the float32 scores could overflow.
    /// </summary>
    public double Prepare(ReadOnlySpan<float> x, Span<Vector256<float>> broadcast)
    {
        double shifted = 0;
        for (int j = 0; j < _d; j++)
        {
            float v = x[j] - _shift[j];
            broadcast[j] = Vector256.Create(v);
            shifted += (double)v * v;
        }
        // Every partial dot product is at most ‖x′‖‖c′‖ and every norm at most max ‖c′‖²;
        // ‖x‖ ≤ ‖x′‖ + ‖m‖ (plus rounding, covered by the doubled factors).
        double shiftedNorm = Math.Sqrt(shifted);
        double magnitude = 2 * shiftedNorm * _maxShifted + 2 * _maxShifted * _maxShifted;
        if (!(magnitude < MaxMagnitude))
            return double.PositiveInfinity;
        double norm = shiftedNorm + _shiftNorm;
        return _unit32 * magnitude + _unit64 * (2 * norm * _maxNorm + 2 * _maxNorm * _maxNorm);
    }

    /// <summary>
    /// Screens four prepared points; labels[i] is the float64 arg-min, or −1 when the margin is
    /// within 2·bounds[i] and the float64 ranking must decide.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Nearest4(
        ReadOnlySpan<Vector256<float>> x0, ReadOnlySpan<Vector256<float>> x1,
        ReadOnlySpan<Vector256<float>> x2, ReadOnlySpan<Vector256<float>> x3,
        ReadOnlySpan<double> bounds, Span<int> labels)
    {
        Vector256<float> inf = Vector256.Create(float.PositiveInfinity);
        Vector256<float> best0 = inf, best1 = inf, best2 = inf, best3 = inf;
        Vector256<float> second0 = inf, second1 = inf, second2 = inf, second3 = inf;
        Vector256<float> index0 = Vector256<float>.Zero, index1 = index0, index2 = index0, index3 = index0;
        ReadOnlySpan<Vector256<float>> c = _coordinates;
        int d = _d;
        int b = 0;
        for (; b + 2 <= _blocks; b += 2)
        {
            Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            Vector256<float> e0 = a0, e1 = a0, e2 = a0, e3 = a0;
            ReadOnlySpan<Vector256<float>> c0 = c.Slice(b * d, d), c1 = c.Slice((b + 1) * d, d);
            for (int j = 0; j < d; j++)
            {
                Vector256<float> u = c0[j], v = c1[j];
                a0 = Vector256.FusedMultiplyAdd(x0[j], u, a0);
                a1 = Vector256.FusedMultiplyAdd(x1[j], u, a1);
                a2 = Vector256.FusedMultiplyAdd(x2[j], u, a2);
                a3 = Vector256.FusedMultiplyAdd(x3[j], u, a3);
                e0 = Vector256.FusedMultiplyAdd(x0[j], v, e0);
                e1 = Vector256.FusedMultiplyAdd(x1[j], v, e1);
                e2 = Vector256.FusedMultiplyAdd(x2[j], v, e2);
                e3 = Vector256.FusedMultiplyAdd(x3[j], v, e3);
            }
            Vector256<float> n0 = _norms[b], n1 = _norms[b + 1];
            Keep(ref best0, ref second0, ref index0, n0 - (a0 + a0), b);
            Keep(ref best1, ref second1, ref index1, n0 - (a1 + a1), b);
            Keep(ref best2, ref second2, ref index2, n0 - (a2 + a2), b);
            Keep(ref best3, ref second3, ref index3, n0 - (a3 + a3), b);
            Keep(ref best0, ref second0, ref index0, n1 - (e0 + e0), b + 1);
            Keep(ref best1, ref second1, ref index1, n1 - (e1 + e1), b + 1);
            Keep(ref best2, ref second2, ref index2, n1 - (e2 + e2), b + 1);
            Keep(ref best3, ref second3, ref index3, n1 - (e3 + e3), b + 1);
        }
        for (; b < _blocks; b++)
        {
            Vector256<float> a0 = Vector256<float>.Zero, a1 = a0, a2 = a0, a3 = a0;
            ReadOnlySpan<Vector256<float>> cb = c.Slice(b * d, d);
            for (int j = 0; j < d; j++)
            {
                a0 = Vector256.FusedMultiplyAdd(x0[j], cb[j], a0);
                a1 = Vector256.FusedMultiplyAdd(x1[j], cb[j], a1);
                a2 = Vector256.FusedMultiplyAdd(x2[j], cb[j], a2);
                a3 = Vector256.FusedMultiplyAdd(x3[j], cb[j], a3);
            }
            Keep(ref best0, ref second0, ref index0, _norms[b] - (a0 + a0), b);
            Keep(ref best1, ref second1, ref index1, _norms[b] - (a1 + a1), b);
            Keep(ref best2, ref second2, ref index2, _norms[b] - (a2 + a2), b);
            Keep(ref best3, ref second3, ref index3, _norms[b] - (a3 + a3), b);
        }
        labels[0] = Decide(best0, second0, index0, bounds[0]);
        labels[1] = Decide(best1, second1, index1, bounds[1]);
        labels[2] = Decide(best2, second2, index2, bounds[2]);
        labels[3] = Decide(best3, second3, index3, bounds[3]);
    }

    // Per lane: the runner-up is the smaller of the old runner-up and the loser of this round.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Keep(
        ref Vector256<float> best, ref Vector256<float> second, ref Vector256<float> index, Vector256<float> score, int block)
    {
        second = Vector256.Min(second, Vector256.Max(best, score));
        Vector256<float> better = Vector256.LessThan(score, best);
        best = Vector256.ConditionalSelect(better, score, best);
        index = Vector256.ConditionalSelect(better, Vector256.Create((float)block), index);
    }

    // Across lanes: the winner and the runner-up overall (the winner's lane contributes its
    // runner-up, the others their best); the winner's label when the margin clears 2·bound, else
    // −1. Two lanes sharing the best score, NaN and overflow all fail the comparison.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Decide(Vector256<float> best, Vector256<float> second, Vector256<float> index, double bound)
    {
        Vector256<float> winner = Min8(best);
        uint lanes = Vector256.Equals(best, winner).ExtractMostSignificantBits();
        if (lanes == 0 || (lanes & (lanes - 1)) != 0)
            return -1;
        Vector256<float> runnerUp = Min8(Vector256.ConditionalSelect(Vector256.Equals(best, winner), second, best));
        double margin = (double)runnerUp.ToScalar() - winner.ToScalar();
        if (!(margin > 2 * bound))
            return -1;
        int lane = System.Numerics.BitOperations.TrailingZeroCount(lanes);
        return (int)index.GetElement(lane) * Lanes + lane;
    }

    // The minimum of the 8 lanes, in every lane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Min8(Vector256<float> v)
    {
        v = Vector256.Min(v, Vector256.Shuffle(v, Vector256.Create(4, 5, 6, 7, 0, 1, 2, 3)));
        v = Vector256.Min(v, Vector256.Shuffle(v, Vector256.Create(2, 3, 0, 1, 6, 7, 4, 5)));
        return Vector256.Min(v, Vector256.Shuffle(v, Vector256.Create(1, 0, 3, 2, 5, 4, 7, 6)));
    }
}
