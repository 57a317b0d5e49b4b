using GpuEm.Models.BernoulliMixture;
using GpuEm.Models.Discrete;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Bernoulli;

/// <summary>
/// The accelerator (ILGPU's CPU accelerator here) against the float64 reference from the same
/// start: both engines compute the start on the host from the seed.
/// </summary>
/// <remarks>
/// Tolerances: the kernel sums d log-probabilities of size ≤ ~7 in float32 (ε ≈ 6e-8), so a
/// point's log p(x, k) carries an absolute error ~1e-6 and its responsibilities a relative error
/// of that size; the statistics are float64 sums, so one M-step's parameters differ by ~1e-7
/// relative (measured: at most 3.4e-7 relative, 8e-8 absolute over these cases). After 1
/// iteration parameters are held to 1e-5 relative + 1e-6 absolute. Over 10 iterations EM
/// carries the per-step error forward, amplified by up to 1/(1 − ρ) with ρ its contraction rate
/// (measured: 8.3e-6 relative on a probability near 0.02, 2.4e-7 absolute): held to 1e-4
/// relative + 1e-6 absolute. The mean log-likelihood is a float64 sum of float32 per-point
/// values (measured: within 6e-7): held to 5e-6 absolute.
/// </remarks>
public sealed class BernoulliAcceleratorParityTests
{
    private const double OneStepRelative = 1e-5;
    private const double OneStepAbsolute = 1e-6;
    private const double TenStepsRelative = 1e-4;
    private const double TenStepsAbsolute = 1e-6;
    private const double LogLikelihoodAbsolute = 5e-6;

    public static TheoryData<int, int, int, double, bool, int> Cases() => new()
    {
        { 300, 12, 3, 0.0, false, 1 },
        { 300, 12, 3, 0.2, true, 2 },
        { 257, 5, 2, 0.2, false, 3 },
        { 200, 20, 4, 0.4, true, 4 },
        { 40, 3, 1, 0.1, false, 5 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Accelerator_matches_reference_after_1_and_10_iterations(
        int n, int d, int k, double missing, bool weighted, int seed)
    {
        (float[,] data, _, _, _) = PlantedBinary.Sample(n, d, k, seed);
        if (missing > 0)
            data = PlantedBinary.RemoveAtRandom(data, missing, seed + 100);
        float[]? weights = weighted ? Enumerable.Range(0, n).Select(i => 0.5f + (i * 7 % 5) / 4f).ToArray() : null;
        foreach (int iterations in new[] { 1, 10 })
        {
            var options = new BernoulliMixtureOptions
            {
                ComponentCount = k,
                MaxIterations = iterations,
                Tolerance = 0,
                Seed = seed,
                Initialization = DiscreteInitialization.RandomResponsibilities,
            };
            BernoulliMixtureModel reference = new BernoulliMixture(options with { Backend = Backend.Reference }).Fit(data, weights);
            BernoulliMixtureModel accelerator = new BernoulliMixture(options with { Backend = Backend.CpuAccelerator }).Fit(data, weights);

            string what = $"n={n} d={d} k={k} missing={missing} weighted={weighted} iterations={iterations}";
            double relative = iterations == 1 ? OneStepRelative : TenStepsRelative;
            double absolute = iterations == 1 ? OneStepAbsolute : TenStepsAbsolute;
            Assert.Equal(Backend.CpuAccelerator, accelerator.Backend);
            Assert.Equal(iterations, accelerator.Iterations);
            Tolerance.Close(reference.Weights, accelerator.Weights, absolute, relative, $"{what} weights");
            Tolerance.Close(reference.Probabilities, accelerator.Probabilities, absolute, relative, $"{what} probabilities");
            Tolerance.Close(
                reference.ObjectiveHistory.ToArray(), accelerator.ObjectiveHistory.ToArray(),
                LogLikelihoodAbsolute, 0, $"{what} history");
        }
    }

    [Fact]
    public void Log_likelihood_never_decreases_on_the_accelerator()
    {
        (float[,] data, _, _, _) = PlantedBinary.Sample(300, 10, 3, seed: 21);
        float[,] holed = PlantedBinary.RemoveAtRandom(data, 0.2, seed: 22);
        BernoulliMixtureModel model = new BernoulliMixture(new BernoulliMixtureOptions
        {
            ComponentCount = 4,
            Tolerance = 0,
            MaxIterations = 40,
            Backend = Backend.CpuAccelerator,
            Initialization = DiscreteInitialization.RandomResponsibilities,
        }).Fit(holed);
        // Exact in exact arithmetic; the float32 per-point log-likelihoods (error ~1e-6 per point,
        // partly cancelling in the mean) can wobble once EM has converged: 1e-6 slack.
        EmLaws.NeverDecreases(model.ObjectiveHistory, 1e-6, "CPU accelerator");
        Assert.True(model.ObjectiveHistory[^1] > model.ObjectiveHistory[0] + 0.1);
    }
}
