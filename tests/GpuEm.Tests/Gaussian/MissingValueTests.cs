using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Gaussian;

/// <summary>Missing values marginalized (<see cref="MissingValues.Marginalize"/>).</summary>
public sealed class MissingValueTests
{
    private static float[,] RemoveAtRandom(float[,] data, double fraction, int seed)
    {
        var random = new Random(seed);
        var copy = (float[,])data.Clone();
        int d = data.GetLength(1);
        for (int i = 0; i < data.GetLength(0); i++)
        {
            for (int j = 0; j < d; j++)
                if (random.NextDouble() < fraction)
                    copy[i, j] = float.NaN;
            // Keep one coordinate observed: an all-missing row is an error by default.
            bool any = false;
            for (int j = 0; j < d; j++)
                any |= !float.IsNaN(copy[i, j]);
            if (!any)
                copy[i, random.Next(d)] = data[i, 0];
        }
        return copy;
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void Marginalize_with_nothing_missing_equals_the_plain_fit(CovarianceType type)
    {
        (float[,] data, _, _) = Synthetic.Mixture(300, 3, 2, seed: 61);
        var options = new GaussianMixtureOptions { ComponentCount = 2, CovarianceType = type, Backend = Backend.Reference };
        GaussianMixtureModel plain = new GaussianMixture(options).Fit(data);
        GaussianMixtureModel marginal = new GaussianMixture(options with { MissingValues = MissingValues.Marginalize }).Fit(data);
        Assert.Equal(plain.Means, marginal.Means);
        Assert.Equal(plain.Covariances, marginal.Covariances);
        Assert.Equal(plain.ObjectiveHistory, marginal.ObjectiveHistory);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    [InlineData(CovarianceType.Tied)]
    public void Twenty_percent_missing_recovers_a_known_mixture(CovarianceType type)
    {
        const int n = 4000;
        (float[,] data, _, double[,] trueMeans) = Synthetic.Mixture(n, 3, 2, seed: 62);
        float[,] holes = RemoveAtRandom(data, 0.2, seed: 63);
        var options = new GaussianMixtureOptions
        {
            ComponentCount = 2,
            CovarianceType = type,
            MissingValues = MissingValues.Marginalize,
            Backend = Backend.Reference,
        };
        GaussianMixtureModel model = new GaussianMixture(options).Fit(holes);
        GaussianMixtureModel complete = new GaussianMixture(options).Fit(data);
        double[,] means = model.Means;
        double[,] completeMeans = complete.Means;
        int Match(double[,] fitted, int c) =>
            Math.Abs(fitted[0, 0] - trueMeans[c, 0]) < Math.Abs(fitted[1, 0] - trueMeans[c, 0]) ? 0 : 1;
        for (int c = 0; c < 2; c++)
            for (int j = 0; j < 3; j++)
            {
                // ~1600 observed values per mean with σ ≤ 0.75: the standard error is ~0.02;
                // 0.1 is five of them. Against the complete-data fit, only the 20 % lost counts.
                Tolerance.Close(trueMeans[c, j], means[Match(means, c), j], 0.1, 0, $"mean[{c}, {j}]");
                Tolerance.Close(completeMeans[Match(completeMeans, c), j], means[Match(means, c), j], 0.06, 0,
                    $"mean[{c}, {j}] against the complete-data fit");
            }
        Assert.True(model.Converged);
        for (int i = 1; i < model.ObjectiveHistory.Count; i++)
            Assert.True(model.ObjectiveHistory[i] >= model.ObjectiveHistory[i - 1] - 1e-12, $"fell at {i}");
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void Accelerator_matches_reference_with_missing_values(CovarianceType type)
    {
        (float[,] data, _, _) = Synthetic.Mixture(300, 4, 3, seed: 64, separation: 3);
        float[,] holes = RemoveAtRandom(data, 0.2, seed: 65);
        var means = new double[3, 4];
        for (int c = 0; c < 3; c++)
            for (int j = 0; j < 4; j++)
                means[c, j] = data[c * 50, j];
        GaussianMixtureModel Fit(Backend backend) => new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 3,
            CovarianceType = type,
            MissingValues = MissingValues.Marginalize,
            Initialization = GaussianInitialization.Given,
            InitialParameters = new GaussianMixtureStart([1.0, 1.0, 1.0], means),
            Tolerance = 0,
            MaxIterations = 10,
            Backend = backend,
        }).Fit(holes);
        GaussianMixtureModel reference = Fit(Backend.Reference);
        GaussianMixtureModel accelerator = Fit(Backend.CpuAccelerator);
        // As AcceleratorParityTests: float32 kernels on the complete rows, ~1e-6 per step.
        Tolerance.Close(reference.Means, accelerator.Means, 1e-5, 5e-4, "means");
        Tolerance.Close(reference.Covariances, accelerator.Covariances, 1e-5, 5e-4, "covariances");
        Tolerance.Close(reference.MeanLogLikelihood, accelerator.MeanLogLikelihood, 1e-5, 0, "mean log-likelihood");
    }

    [Fact]
    public void One_step_uses_the_conditional_mean_and_covariance()
    {
        // k = 1, d = 2, the second coordinate missing in some rows: one EM step from (μ, Σ) gives
        // μ' = mean of the completed rows, Σ' = mean of (x̂ − μ')(x̂ − μ')ᵀ + C, with
        // x̂₂ = μ₂ + Σ₂₁/Σ₁₁ (x₁ − μ₁) and C = Σ₂₂ − Σ₂₁²/Σ₁₁ for the incomplete rows.
        float[,] data = Synthetic.Gaussian(50, 2, seed: 66, offset: 1);
        for (int i = 0; i < 50; i += 3)
            data[i, 1] = float.NaN;
        double[] mu = [0.5, 1.5];
        double s11 = 2, s12 = 0.6, s22 = 1.5;
        double det = s11 * s22 - s12 * s12;
        var precision = new double[,,] { { { s22 / det, -s12 / det }, { -s12 / det, s11 / det } } };
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 1,
            MissingValues = MissingValues.Marginalize,
            Initialization = GaussianInitialization.Given,
            InitialParameters = new GaussianMixtureStart([1.0], new double[,] { { mu[0], mu[1] } }, precision),
            CovarianceRegularization = 0,
            MaxIterations = 1,
            Tolerance = 0,
            Backend = Backend.Reference,
        }).Fit(data);

        var completed = new double[50, 2];
        var extra = new double[50];
        for (int i = 0; i < 50; i++)
        {
            completed[i, 0] = data[i, 0];
            if (float.IsNaN(data[i, 1]))
            {
                completed[i, 1] = mu[1] + s12 / s11 * (data[i, 0] - mu[0]);
                extra[i] = s22 - s12 * s12 / s11;
            }
            else
            {
                completed[i, 1] = data[i, 1];
            }
        }
        double m0 = 0, m1 = 0;
        for (int i = 0; i < 50; i++)
        {
            m0 += completed[i, 0] / 50;
            m1 += completed[i, 1] / 50;
        }
        double c00 = 0, c01 = 0, c11 = 0;
        for (int i = 0; i < 50; i++)
        {
            c00 += (completed[i, 0] - m0) * (completed[i, 0] - m0) / 50;
            c01 += (completed[i, 0] - m0) * (completed[i, 1] - m1) / 50;
            c11 += ((completed[i, 1] - m1) * (completed[i, 1] - m1) + extra[i]) / 50;
        }
        // Float64 sums of 50 terms in different orders: 1e-12.
        Tolerance.Close(new[] { m0, m1 }, Tolerance.Flatten(model.Means), 1e-12, 1e-12, "μ'");
        Tolerance.Close(new[] { c00, c01, c01, c11 }, Tolerance.Flatten(model.Covariances), 1e-12, 1e-12, "Σ'");
    }

    [Fact]
    public void Scores_and_imputations_use_the_marginal_and_the_conditional_mean()
    {
        (float[,] data, _, _) = Synthetic.Mixture(500, 2, 2, seed: 67);
        GaussianMixtureModel model = Synthetic.FitReference(data, 2);
        float[,] query = { { 1.5f, float.NaN }, { float.NaN, 0.25f }, { 1f, 2f } };
        double[] scores = model.ScoreSamples(query);
        double[] w = model.Weights;
        double[,] mu = model.Means;
        double[,,] sigma = model.Covariances;
        double Marginal(int j, double x) => Math.Log(
            Enumerable.Range(0, 2).Sum(c => w[c] * Math.Exp(-0.5 * (x - mu[c, j]) * (x - mu[c, j]) / sigma[c, j, j])
                / Math.Sqrt(2 * Math.PI * sigma[c, j, j])));
        // Float64 throughout: 1e-10.
        Tolerance.Close(Marginal(0, 1.5), scores[0], 1e-10, 1e-10, "log p(x₁)");
        Tolerance.Close(Marginal(1, 0.25), scores[1], 1e-10, 1e-10, "log p(x₂)");

        float[,] imputed = model.Impute(query);
        double[] post = Enumerable.Range(0, 2).Select(c => w[c] * Math.Exp(-0.5 * (1.5 - mu[c, 0]) * (1.5 - mu[c, 0]) / sigma[c, 0, 0])
            / Math.Sqrt(sigma[c, 0, 0])).ToArray();
        double expected = Enumerable.Range(0, 2).Sum(c => post[c] / post.Sum() * (mu[c, 1] + sigma[c, 1, 0] / sigma[c, 0, 0] * (1.5 - mu[c, 0])));
        // The imputation is returned as float32: 1e-6 relative.
        Tolerance.Close(expected, imputed[0, 1], 1e-6, 1e-6, "E[x₂ | x₁]");
        Assert.Equal(1.5f, imputed[0, 0]);
        Assert.Equal(1f, imputed[2, 0]);
        Assert.Equal(2f, imputed[2, 1]);
        Assert.True(float.IsNaN(query[0, 1]), "the input was modified");
        Assert.Equal(2, model.PredictProba(query).GetLength(1));
    }

    [Fact]
    public void Rows_with_every_entry_missing_fail_unless_skipped()
    {
        float[,] data = Synthetic.Gaussian(40, 2, seed: 68);
        data[5, 0] = data[5, 1] = float.NaN;
        data[7, 1] = float.NaN;
        var options = new GaussianMixtureOptions { ComponentCount = 2, MissingValues = MissingValues.Marginalize, Backend = Backend.Reference };
        var error = Assert.Throws<ArgumentException>(() => new GaussianMixture(options).Fit(data));
        Assert.Contains("Row 5", error.Message);
        Assert.Contains("SkipEmptyRows", error.Message);
        GaussianMixtureModel model = new GaussianMixture(options with { SkipEmptyRows = true }).Fit(data);
        Assert.Equal(39, model.TrainingWeight);
        // Without Marginalize a NaN is still an error naming its place.
        Assert.Contains("row 5", Assert.Throws<ArgumentException>(
            () => new GaussianMixture(options with { MissingValues = MissingValues.Error }).Fit(data)).Message);
        data[9, 0] = float.PositiveInfinity;
        Assert.Contains("only NaN", Assert.Throws<ArgumentException>(() => new GaussianMixture(options with { SkipEmptyRows = true }).Fit(data)).Message);
    }
}
