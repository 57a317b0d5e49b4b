using Xunit.Sdk;

namespace GpuEm.Tests.Support;

/// <summary>
/// Closeness with explicit bounds: |expected − actual| ≤ absolute + relative·|expected|.
/// Each caller says why its bounds are what they are.
/// </summary>
internal static class Tolerance
{
    public static void Close(double expected, double actual, double absolute, double relative, string what)
    {
        double bound = absolute + relative * Math.Abs(expected);
        double difference = Math.Abs(expected - actual);
        if (!(difference <= bound))
            throw new XunitException(
                $"{what}: expected {expected:R}, got {actual:R}; |difference| {difference:E3} > bound {bound:E3} " +
                $"(absolute {absolute:E1} + relative {relative:E1})");
    }

    public static void Close(double[] expected, double[] actual, double absolute, double relative, string what)
    {
        if (expected.Length != actual.Length)
            throw new XunitException($"{what}: lengths {expected.Length} and {actual.Length} differ");
        for (int i = 0; i < expected.Length; i++)
            Close(expected[i], actual[i], absolute, relative, $"{what}[{i}]");
    }

    public static void Close(Array expected, Array actual, double absolute, double relative, string what) =>
        Close(Flatten(expected), Flatten(actual), absolute, relative, what);

    public static double[] Flatten(Array values) => values.Cast<double>().ToArray();
}
