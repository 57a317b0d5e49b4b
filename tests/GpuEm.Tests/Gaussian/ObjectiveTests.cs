using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Gaussian;

/// <summary>
/// The objective EM maximizes and the log-likelihood are kept apart: with a prior (penalized) or
/// partial labels (complete-data terms for labelled points) they differ, and
/// <see cref="GaussianMixtureModel.MeanLogLikelihood"/> is the observed-data one.
/// </summary>
/// <remarks>
/// Tolerance: MeanLogLikelihood is computed by the same float64 scoring as Score, over the same
/// rows in the same order, so they agree to rounding (1e-12 relative leaves ~1000 ulps).
/// </remarks>
public sealed class ObjectiveTests
{
    private static readonly GaussianMixtureOptions Options = new()
    {
        ComponentCount = 3,
        Backend = Backend.Reference,
        MaxIterations = 20,
        Seed = 5,
    };

    private static (float[,] Data, int[] Truth, float[] Weights) Data()
    {
        (float[,] data, int[] truth, _) = Synthetic.Mixture(500, 2, 3, seed: 91, separation: 2);
        float[] weights = Enumerable.Range(0, 500).Select(i => 0.5f + i % 3).ToArray();
        return (data, truth, weights);
    }

    [Fact]
    public void Without_prior_or_labels_the_log_likelihood_is_the_objective()
    {
        (float[,] data, _, float[] weights) = Data();
        GaussianMixtureModel model = new GaussianMixture(Options).Fit(data, weights);

        Assert.Equal(model.ObjectiveHistory[^1], model.Objective);
        Assert.Equal(BitConverter.DoubleToInt64Bits(model.Objective), BitConverter.DoubleToInt64Bits(model.MeanLogLikelihood));
        Assert.Equal(model.MeanLogLikelihood * model.TrainingWeight, model.LogLikelihood);
    }

    [Fact]
    public void With_a_prior_the_log_likelihood_is_the_observed_one_not_the_penalized_objective()
    {
        (float[,] data, _, float[] weights) = Data();
        GaussianMixtureModel model = new GaussianMixture(Options with
        {
            Prior = new GaussianPrior { WeightConcentration = 50 },
        }).Fit(data, weights);

        Tolerance.Close(model.Score(data, weights), model.MeanLogLikelihood, 0, 1e-12, "mean log-likelihood");
        Assert.True(Math.Abs(model.Objective - model.MeanLogLikelihood) > 1e-3,
            $"objective {model.Objective:R} and log-likelihood {model.MeanLogLikelihood:R} should differ by log p(θ) / W");
        Assert.Equal(model.ObjectiveHistory[^1], model.Objective);
        Assert.Equal(model.MeanLogLikelihood * model.TrainingWeight, model.LogLikelihood);
    }

    [Fact]
    public void With_labels_the_log_likelihood_is_the_observed_one_not_the_labelled_objective()
    {
        (float[,] data, int[] truth, _) = Data();
        // Every third point labelled, a tenth of those with a wrong label, so that the complete-data
        // terms differ clearly from the marginal ones.
        int[] labels = truth.Select((c, i) => i % 3 != 0 ? -1 : i % 30 == 0 ? (c + 1) % 3 : c).ToArray();
        GaussianMixtureModel model = new GaussianMixture(Options).FitSemiSupervised(data, labels);

        Tolerance.Close(model.Score(data), model.MeanLogLikelihood, 0, 1e-12, "mean log-likelihood");
        Assert.True(model.MeanLogLikelihood > model.Objective + 1e-3,
            $"log-likelihood {model.MeanLogLikelihood:R} should exceed the labelled objective {model.Objective:R}");
    }
}
