using System.Runtime.Intrinsics;
using GpuEm.Engines;
using Xunit;

namespace GpuEm.Tests.Engines;

public sealed class FastExpTests
{
    [Fact]
    public void Fast_exp_matches_Math_Exp_to_a_few_ulps_and_underflows_to_zero()
    {
        var random = new Random(5);
        double worst = 0;
        for (int i = 0; i < 200_000; i++)
        {
            // Dense near 0 (where responsibilities live), then the whole range down to −708.
            double x = i < 100_000 ? -40 * random.NextDouble() : -708 * random.NextDouble();
            double expected = Math.Exp(x);
            double actual = FastExp.NonPositive(Vector256.Create(x)).GetElement(0);
            worst = Math.Max(worst, Math.Abs(actual - expected) / expected);
        }
        // Measured worst 3.1e-16 (about 1.4 ulps); 1e-15 is about 4.5 ulps.
        Assert.True(worst < 1e-15, $"worst relative error {worst:E3}");
        Assert.Equal(1.0, FastExp.NonPositive(Vector256<double>.Zero).GetElement(0));
        Assert.Equal(0.0, FastExp.NonPositive(Vector256.Create(-709.0)).GetElement(0));
        Assert.Equal(0.0, FastExp.NonPositive(Vector256.Create(double.NegativeInfinity)).GetElement(0));
    }
}
