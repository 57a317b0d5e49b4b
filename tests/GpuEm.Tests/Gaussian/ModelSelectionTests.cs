using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Gaussian;

public sealed class ModelSelectionTests
{
    private static readonly GaussianMixtureOptions Reference = new() { Backend = Backend.Reference, Restarts = 2 };

    [Fact]
    public void Bic_picks_the_planted_number_of_components()
    {
        (float[,] data, _, _) = Synthetic.Mixture(900, 2, 3, seed: 91, separation: 6);
        ModelSelectionResult result = GaussianMixture.SelectComponents(
            data, Enumerable.Range(1, 6), [CovarianceType.Full, CovarianceType.Diagonal], baseOptions: Reference);
        Assert.Equal(3, result.Best.ComponentCount);
        Assert.Equal(12, result.Candidates.Count);
        Assert.Equal(result.Best.Bic, result.Candidates.Where(c => c.Model is not null).Min(c => c.Bic));
        Assert.Same(result.Best.Model, result.BestModel);
        // The table's BIC is the model's own.
        Tolerance.Close(result.BestModel.Bic(data), result.Best.Bic, 1e-9, 1e-12, "BIC");
    }

    [Fact]
    public void Bic_prefers_full_covariances_for_correlated_components()
    {
        var random = new Random(92);
        var data = new float[1200, 2];
        for (int i = 0; i < 1200; i++)
        {
            double z1 = Synthetic.Normal(random), z2 = Synthetic.Normal(random);
            double shift = i % 2 == 0 ? 0 : 8;
            // Strongly correlated: x2 = 0.95·x1 + small noise.
            data[i, 0] = (float)(shift + z1);
            data[i, 1] = (float)(shift + 0.95 * z1 + 0.2 * z2);
        }
        ModelSelectionResult result = GaussianMixture.SelectComponents(
            data, [1, 2, 3], [CovarianceType.Spherical, CovarianceType.Diagonal, CovarianceType.Full], baseOptions: Reference);
        Assert.Equal(CovarianceType.Full, result.Best.CovarianceType);
        Assert.Equal(2, result.Best.ComponentCount);
    }

    [Fact]
    public void Row_major_overload_gives_the_same_table()
    {
        (float[,] data, _, _) = Synthetic.Mixture(300, 2, 2, seed: 94);
        float[] flat = data.Cast<float>().ToArray();
        ModelSelectionResult a = GaussianMixture.SelectComponents(data, [1, 2, 3], [CovarianceType.Diagonal], baseOptions: Reference);
        ModelSelectionResult b = GaussianMixture.SelectComponents(flat, 300, 2, [1, 2, 3], [CovarianceType.Diagonal], baseOptions: Reference);
        Assert.Equal(a.Candidates.Select(c => c.Bic), b.Candidates.Select(c => c.Bic));
        Assert.Equal(2, b.Best.ComponentCount);
    }

    [Fact]
    public void A_failing_candidate_is_reported_and_the_others_still_run()
    {
        float[,] data = Synthetic.Gaussian(5, 2, seed: 93);
        ModelSelectionResult result = GaussianMixture.SelectComponents(
            data, [1, 8], [CovarianceType.Diagonal], SelectionCriterion.Aic, Reference);
        ModelSelectionCandidate failed = result.Candidates.Single(c => c.ComponentCount == 8);
        Assert.Null(failed.Model);
        Assert.Contains("exceeds the number of points", failed.Error);
        Assert.Equal(1, result.Best.ComponentCount);
        Assert.Equal(SelectionCriterion.Aic, result.Criterion);
        Assert.Throws<InvalidOperationException>(() => GaussianMixture.SelectComponents(data, [8], [CovarianceType.Full]));
    }
}
