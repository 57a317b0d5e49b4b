using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace GpuEm.Engines;

/// <summary>
/// exp(x) for x ≤ 0 on four float64 lanes, for the log-sum-exp of the reference E-steps. .NET's
/// Vector256.Exp for double measured ~45 ns a vector here (about half of a diagonal-mixture
/// iteration); this is range reduction plus a polynomial in FMAs.
/// </summary>
/// <remarks>
/// x = n·ln 2 + r with n = round(x / ln 2) and |r| ≤ ln 2 / 2 (ln 2 split in two parts so r is
/// exact to ~1e-20); e^r by its Taylor series to degree 12 (truncation &lt; 2e-16 relative);
/// 2^n built in the exponent bits. Relative error 3.1e-16 at worst over 2·10⁵ samples (FastExpTests).
/// Below −708 (where 2^n leaves the normal range) the result is exactly 0, as e^x underflows
/// there anyway relative to the largest term (e^0 = 1) of a log-sum-exp.
/// </remarks>
internal static class FastExp
{
    private const double Log2E = 1.4426950408889634;
    private const double Ln2Hi = 0.693147180369123816490;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double Lowest = -708.0;
    // 1.5 · 2^52: adding it rounds to an integer held in the low mantissa bits.
    private const double Shifter = 6755399441055744.0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> NonPositive(Vector256<double> x)
    {
        Vector256<double> underflow = Vector256.LessThan(x, Vector256.Create(Lowest));
        x = Vector256.Max(x, Vector256.Create(Lowest));
        Vector256<double> shifted = Vector256.FusedMultiplyAdd(x, Vector256.Create(Log2E), Vector256.Create(Shifter));
        Vector256<double> n = shifted - Vector256.Create(Shifter);
        Vector256<double> r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Hi), x);
        r = Vector256.FusedMultiplyAdd(n, Vector256.Create(-Ln2Lo), r);
        Vector256<double> p = Vector256.Create(1.0 / 479001600);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 39916800));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 3628800));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 362880));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 40320));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 5040));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 720));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 120));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 24));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(1.0 / 6));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256.Create(0.5));
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<double>.One);
        p = Vector256.FusedMultiplyAdd(p, r, Vector256<double>.One);
        // The low bits of `shifted` hold n; n + 1023 in the exponent field is 2^n.
        Vector256<long> exponent = (shifted.AsInt64() - Vector256.Create(Shifter).AsInt64() + Vector256.Create(1023L)) << 52;
        Vector256<double> result = p * exponent.AsDouble();
        return Vector256.ConditionalSelect(underflow, Vector256<double>.Zero, result);
    }
}
