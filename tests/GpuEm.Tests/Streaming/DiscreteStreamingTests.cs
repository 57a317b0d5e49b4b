using GpuEm.Em;
using GpuEm.Models.BernoulliMixture;
using GpuEm.Models.CategoricalMixture;
using GpuEm.Models.Discrete;
using GpuEm.Tests.Bernoulli;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Streaming;

/// <summary>
/// The discrete mixtures stream whole rows through the device beyond DeviceMemoryLimit (forced
/// here on ILGPU's CPU accelerator) and give the resident result to rounding.
/// </summary>
/// <remarks>
/// Tolerance: the per-point kernel is the same; only the float64 block partials are added in
/// another order across chunks (~1e-15 relative per sum), so after 6 iterations parameters and
/// the objective agree to 1e-9.
/// </remarks>
public sealed class DiscreteStreamingTests
{
    private const int Rows = 600;
    private const int ChunkRows = 150;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Streamed_bernoulli_mixture_equals_the_resident_fit(bool missing, bool weighted)
    {
        (float[,] data, _, _, _) = PlantedBinary.Sample(Rows, 7, 2, 31);
        if (missing)
            data = PlantedBinary.RemoveAtRandom(data, 0.15, 32);
        float[]? weights = weighted ? Enumerable.Range(0, Rows).Select(i => 0.5f + i % 3).ToArray() : null;
        (long perRow, long fixedBytes) = AcceleratorBernoulliEngine.Footprint(7, 2, missing, streamed: true);
        (BernoulliMixtureModel resident, BernoulliMixtureModel streamed) = ResidentAndStreamed(
            new BernoulliMixtureOptions { Seed = 3, Initialization = DiscreteInitialization.RandomResponsibilities },
            fixedBytes + ChunkRows * perRow,
            o => new BernoulliMixture(o).Fit(data, weights));
        Tolerance.Close(resident.Probabilities, streamed.Probabilities, 1e-9, 1e-9, "probabilities");
        Tolerance.Close(resident.Weights, streamed.Weights, 1e-9, 1e-9, "weights");
        Tolerance.Close(resident.Summary.Objective, streamed.Summary.Objective, 1e-9, 0, "objective");
    }

    [Fact]
    public void Streamed_categorical_mixture_equals_the_resident_fit()
    {
        var random = new Random(41);
        var data = new int[Rows, 3];
        for (int i = 0; i < Rows; i++)
            for (int j = 0; j < 3; j++)
                data[i, j] = random.NextDouble() < 0.05 ? -1 : random.NextDouble() < 0.7 ? (i % 2 + j) % 3 : random.Next(3);
        (long perRow, long fixedBytes) = AcceleratorBernoulliEngine.Footprint(9, 2, masked: false, streamed: true);
        (CategoricalMixtureModel resident, CategoricalMixtureModel streamed) = ResidentAndStreamed(
            new CategoricalMixtureOptions { Seed = 4 }, fixedBytes + ChunkRows * perRow, o => new CategoricalMixture(o).Fit(data));
        Tolerance.Close(resident.Probabilities, streamed.Probabilities, 1e-9, 1e-9, "probabilities");
        Tolerance.Close(resident.Summary.Objective, streamed.Summary.Objective, 1e-9, 0, "objective");
    }

    // The same 2-component, 6-iteration fit on the CPU accelerator, resident and within a device
    // budget of `limit` bytes (which must make it stream in 4 chunks).
    private static (TModel Resident, TModel Streamed) ResidentAndStreamed<TOptions, TModel>(
        TOptions options, long limit, Func<TOptions, TModel> fit)
        where TOptions : DiscreteMixtureOptions
    {
        var notices = new List<string>();
        var resident = (TOptions)(options with { ComponentCount = 2, Backend = Backend.CpuAccelerator, Tolerance = 0, MaxIterations = 6 });
        TModel streamed = fit((TOptions)(resident with
        {
            DeviceMemoryLimit = limit,
            Progress = new SynchronousProgress<FitProgress>(p => notices.Add(p.Warning ?? "")),
        }));
        Assert.Contains(notices, n => n.Contains("in 4 chunks"));
        return (fit(resident), streamed);
    }
}
