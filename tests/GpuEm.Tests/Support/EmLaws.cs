using Xunit;

namespace GpuEm.Tests.Support;

/// <summary>Laws of EM the model tests share.</summary>
internal static class EmLaws
{
    /// <summary>Each entry ≥ the previous one less <paramref name="slack"/> (absolute) and
    /// <paramref name="relative"/> of its size: EM's monotonicity is exact, so the slack covers
    /// only the rounding of the objective's sums.</summary>
    public static void NeverDecreases(IReadOnlyList<double> history, double slack, string what, double relative = 0)
    {
        for (int i = 1; i < history.Count; i++)
            Assert.True(
                history[i] >= history[i - 1] - slack - relative * Math.Abs(history[i - 1]),
                $"{what}: objective fell from {history[i - 1]:R} to {history[i]:R} at iteration {i}");
    }
}
