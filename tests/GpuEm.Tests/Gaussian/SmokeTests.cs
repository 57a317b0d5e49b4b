using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace GpuEm.Tests.Gaussian;

public sealed class SmokeTests(ITestOutputHelper output)
{
    [Fact]
    public void Smoke()
    {
        var (data, _, _) = Synthetic.Mixture(500, 3, 2, seed: 1);
        foreach (var type in Enum.GetValues<CovarianceType>())
        {
            foreach (var backend in new[] { Backend.Reference, Backend.CpuAccelerator })
            {
                var sw = System.Diagnostics.Stopwatch.StartNew();
                var model = new GaussianMixture(new GaussianMixtureOptions
                {
                    ComponentCount = 2, CovarianceType = type, Backend = backend, MaxIterations = 20, Tolerance = 0,
                }).Fit(data);
                output.WriteLine($"{type} {backend} {model.MeanLogLikelihood} it={model.Iterations} {sw.ElapsedMilliseconds}ms w={string.Join(",", model.Weights)}");
            }
        }
    }
}
