using GpuEm.Models.CoarsenedCategorical;

namespace GpuEm.Tests.CoarsenedCategoricalTests;

/// <summary>
/// The ski-centre table of the worked example (seed 003, examples 1 and 2): temperature t and
/// snow s, each binary, with p(t0,s0) = a, p(t0,s1) = 5a, p(t1,s0) = 3b, p(t1,s1) = b and
/// 6a + 4b = 1. Cells are numbered 2t + s; θ = (a, b).
/// </summary>
internal static class SkiCentre
{
    public const int T0S0 = 0;
    public const int T0S1 = 1;
    public const int T1S0 = 2;
    public const int T1S1 = 3;

    public static readonly double[] Coefficients = [1, 5, 3, 1];
    public static readonly int[] Groups = [0, 0, 1, 1];

    public static CoarsenedCategoricalOptions Options(int maxIterations = 1000, double tolerance = 0) => new()
    {
        Coefficients = Coefficients,
        Groups = Groups,
        MaxIterations = maxIterations,
        Tolerance = tolerance,
    };

    /// <summary>Temperature t0 seen, snow unknown: cells (t0,s0) and (t0,s1).</summary>
    public static CoarsenedObservation T0(double count) => new([T0S0, T0S1], count);

    public static CoarsenedObservation T1(double count) => new([T1S0, T1S1], count);

    /// <summary>Snow s0 seen, temperature unknown: cells (t0,s0) and (t1,s0).</summary>
    public static CoarsenedObservation S0(double count) => new([T0S0, T1S0], count);

    public static CoarsenedObservation S1(double count) => new([T0S1, T1S1], count);

    /// <summary>b on the constraint line 6a + 4b = 1.</summary>
    public static double B(double a) => (1 - 6 * a) / 4;

    /// <summary>Σ_o count_o · ln Σ_{c∈o} p_c at (a, b(a)).</summary>
    public static double LogLikelihood(double a, IEnumerable<CoarsenedObservation> observations)
    {
        double[] theta = [a, B(a)];
        double sum = 0;
        foreach (CoarsenedObservation o in observations)
            if (o.Count > 0)
                sum += o.Count * Math.Log(o.Cells.Sum(c => Coefficients[c] * theta[Groups[c]]));
        return sum;
    }

    /// <summary>
    /// d/da of <see cref="LogLikelihood"/> along the constraint (db/da = −3/2): for each
    /// observation, count · (Σ_{c∈o, g=0} a_c − 3/2 Σ_{c∈o, g=1} a_c) / Σ_{c∈o} p_c.
    /// </summary>
    public static double Derivative(double a, IEnumerable<CoarsenedObservation> observations)
    {
        double[] theta = [a, B(a)];
        double[] slope = [1, -1.5];
        double sum = 0;
        foreach (CoarsenedObservation o in observations)
            if (o.Count > 0)
                sum += o.Count * o.Cells.Sum(c => Coefficients[c] * slope[Groups[c]])
                    / o.Cells.Sum(c => Coefficients[c] * theta[Groups[c]]);
        return sum;
    }

    /// <summary>
    /// The maximizer of the observed-data log-likelihood on 0 &lt; a &lt; 1/6, by a direct
    /// search independent of EM: bisection on the derivative, which decreases strictly (the
    /// log-likelihood is concave) from +∞ to −∞ when both groups are observed. Searching the
    /// derivative's sign, not the value, pins a to the last bit; a golden-section search on the
    /// flat top of the value would stop near √ε ≈ 1e-8.
    /// </summary>
    public static double DirectMaximizer(IReadOnlyList<CoarsenedObservation> observations)
    {
        double low = 0;
        double high = 1.0 / 6;
        while (true)
        {
            double middle = 0.5 * (low + high);
            if (middle <= low || middle >= high)
                return middle;
            if (Derivative(middle, observations) > 0)
                low = middle;
            else
                high = middle;
        }
    }
}
