using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Gaussian;

/// <summary>
/// The accelerator kernels (here on ILGPU's CPU accelerator; on CUDA when a session has one)
/// against the float64 reference, from the same initial parameters.
/// </summary>
/// <remarks>
/// Tolerances: the kernels compute log-densities in float32 (ε ≈ 6e-8) from terms of size up to
/// ~d·10, so responsibilities carry relative errors ~1e-6; the sums are float64, so one M-step's
/// parameters differ by ~1e-6 relative: after 1 iteration parameters are held to 1e-4 relative
/// (+1e-5 absolute, for values near zero). Over 20 iterations the per-step error ε adds up to
/// about ε/(1 − ρ), where ρ is EM's contraction rate; with overlapping components ρ is close to 1
/// (the worst case here, d = 1 and k = 3, measured 1.8e-4 relative), so after 20 iterations
/// parameters are held to 5e-4 relative. The mean log-likelihood is flat at the optimum, so it
/// stays within 1e-5 absolute throughout.
/// </remarks>
public sealed class AcceleratorParityTests
{
    private const double ParameterRelativeOneStep = 1e-4;
    private const double ParameterRelativeTwentySteps = 5e-4;
    private const double ParameterAbsolute = 1e-5;
    private const double LogLikelihoodAbsolute = 1e-5;

    public static TheoryData<CovarianceType, int, int, int, int> Cases()
    {
        var cases = new TheoryData<CovarianceType, int, int, int, int>();
        (int N, int D, int K)[] shapes = { (300, 1, 1), (257, 1, 3), (400, 3, 2), (333, 5, 4), (12, 2, 3), (150, 7, 1) };
        int seed = 100;
        foreach (CovarianceType type in Enum.GetValues<CovarianceType>())
            foreach ((int n, int d, int k) in shapes)
                cases.Add(type, n, d, k, seed++);
        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Accelerator_matches_reference_after_1_and_20_iterations(CovarianceType type, int n, int d, int k, int seed)
    {
        (float[,] data, _, _) = Synthetic.Mixture(n, d, k, seed, separation: 3);
        float[] weights = Enumerable.Range(0, n).Select(i => 0.5f + (i * 7 % 5) / 4f).ToArray();
        var random = new Random(seed);
        var means = new double[k, d];
        for (int c = 0; c < k; c++)
        {
            int row = random.Next(n);
            for (int j = 0; j < d; j++)
                means[c, j] = data[row, j] + 0.1 * c;
        }
        var options = new GaussianMixtureOptions
        {
            ComponentCount = k,
            CovarianceType = type,
            Initialization = GaussianInitialization.Given,
            InitialParameters = new GaussianMixtureStart(Enumerable.Repeat(1.0, k).ToArray(), means),
            Tolerance = 0,
            CovarianceRegularization = 1e-3,
        };
        foreach (int iterations in new[] { 1, 20 })
        {
            foreach (float[]? w in new[] { null, weights })
            {
                string what = $"{type} n={n} d={d} k={k} iterations={iterations} weighted={w is not null}";
                double relative = iterations == 1 ? ParameterRelativeOneStep : ParameterRelativeTwentySteps;
                GaussianMixtureModel reference = new GaussianMixture(options with
                {
                    MaxIterations = iterations,
                    Backend = Backend.Reference,
                }).Fit(data, w);
                GaussianMixtureModel accelerator = new GaussianMixture(options with
                {
                    MaxIterations = iterations,
                    Backend = Backend.CpuAccelerator,
                }).Fit(data, w);

                Assert.Equal(Backend.CpuAccelerator, accelerator.Backend);
                Assert.Equal(iterations, accelerator.Iterations);
                Tolerance.Close(reference.Weights, accelerator.Weights, ParameterAbsolute, relative, $"{what} weights");
                Tolerance.Close(reference.Means, accelerator.Means, ParameterAbsolute, relative, $"{what} means");
                Tolerance.Close(reference.Covariances, accelerator.Covariances, ParameterAbsolute, relative, $"{what} covariances");
                Tolerance.Close(reference.MeanLogLikelihood, accelerator.MeanLogLikelihood, LogLikelihoodAbsolute, 0, $"{what} mean log-likelihood");
            }
        }
    }
}
