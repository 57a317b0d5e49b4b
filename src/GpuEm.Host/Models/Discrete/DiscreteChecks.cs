namespace GpuEm.Models.Discrete;

/// <summary>Checks shared by the discrete mixtures' solvers.</summary>
internal static class DiscreteChecks
{
    public static double Finite(double objective) =>
        double.IsFinite(objective)
            ? objective
            : throw new InvalidOperationException(
                "A point has probability 0 under every component (a probability reached 0 or 1 with Smoothing = 0); " +
                "set Smoothing > 0 (the default is 1e-3).");
}
