using GpuEm.Models.BernoulliMixture;
using GpuEm.Models.Discrete;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Bernoulli;

/// <summary>Bernoulli mixture on the reference engine: recovery, closed forms, EM laws, missing data.</summary>
public sealed class BernoulliMixtureTests
{
    private static BernoulliMixtureOptions Options(int k, Backend backend = Backend.Reference) => new()
    {
        ComponentCount = k,
        Backend = backend,
        Tolerance = 1e-8,
        MaxIterations = 500,
        Restarts = 3,
        Seed = 11,
    };

    [Fact]
    public void Planted_mixture_is_recovered_within_four_standard_errors()
    {
        const int n = 3000, d = 20, k = 3;
        (float[,] data, _, double[] weights, double[,] truth) = PlantedBinary.Sample(n, d, k, seed: 5);

        BernoulliMixtureModel model = new BernoulliMixture(Options(k)).Fit(data);

        AssertRecovered(weights, truth, model, n, what: "complete data");
        Assert.True(model.Converged);
    }

    [Fact]
    public void Removing_20_percent_of_entries_at_random_keeps_the_parameters_within_four_standard_errors()
    {
        const int n = 3000, d = 20, k = 3;
        (float[,] data, _, double[] weights, double[,] truth) = PlantedBinary.Sample(n, d, k, seed: 6);
        float[,] holed = PlantedBinary.RemoveAtRandom(data, 0.2, seed: 7);

        BernoulliMixtureModel complete = new BernoulliMixture(Options(k)).Fit(data);
        BernoulliMixtureModel missing = new BernoulliMixture(Options(k)).Fit(holed);

        AssertRecovered(weights, truth, complete, n, what: "complete data");
        // Each p_kj is now estimated from ~0.8 of the rows: its standard error grows by 1/√0.8.
        AssertRecovered(weights, truth, missing, (int)(0.8 * n), what: "20 % missing");
        // The two fits share 80 % of their observations; they differ by the sampling error of the
        // removed 20 %, about SE·√0.2/0.8 ≤ SE: held to 4 standard errors of the complete fit.
        int[] a = PlantedBinary.Match(truth, complete.Probabilities);
        int[] b = PlantedBinary.Match(truth, missing.Probabilities);
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
            {
                double p = truth[c, j];
                double se = Math.Sqrt(p * (1 - p) / (n * weights[c]));
                Tolerance.Close(
                    complete.Probabilities[a[c], j], missing.Probabilities[b[c], j], 4 * se, 0,
                    $"complete vs 20 % missing p[{c}, {j}]");
            }
    }

    [Fact]
    public void One_component_gives_the_smoothed_observed_frequencies_in_one_step()
    {
        // k = 1: every responsibility is 1, so one M-step gives the closed form
        // p_j = (Σ_observed x_ij + α) / (#observed in j + 2α), whatever the start.
        const double alpha = 0.5;
        float n0 = float.NaN;
        float[,] data =
        {
            { 1, 0, n0 },
            { 1, 1, 0 },
            { 0, n0, 0 },
            { 1, 1, 1 },
        };
        float[] weights = { 1, 2, 1, 0.5f };
        BernoulliMixtureModel model = new BernoulliMixture(new BernoulliMixtureOptions
        {
            ComponentCount = 1,
            Smoothing = alpha,
            MaxIterations = 1,
            Backend = Backend.Reference,
        }).Fit(data, weights);

        double[] expected =
        {
            (1 + 2 + 0.5 + alpha) / (4.5 + 2 * alpha),
            (2 + 0.5 + alpha) / (3.5 + 2 * alpha),
            (0.5 + alpha) / (3.5 + 2 * alpha),
        };
        Tolerance.Close(expected, Tolerance.Flatten(model.Probabilities), 1e-15, 1e-14, "p");
        Assert.Equal(new[] { 1.0 }, model.Weights);
    }

    [Fact]
    public void Log_likelihood_of_the_fit_is_the_closed_form_marginal_over_observed_entries()
    {
        (float[,] data, _, _, _) = PlantedBinary.Sample(200, 6, 2, seed: 3);
        float[,] holed = PlantedBinary.RemoveAtRandom(data, 0.3, seed: 4);
        BernoulliMixtureModel model = new BernoulliMixture(Options(2) with { Smoothing = 0.1 }).Fit(holed);

        double[,] p = model.Probabilities;
        double[] w = model.Weights;
        double total = 0;
        for (int i = 0; i < holed.GetLength(0); i++)
        {
            double mixture = 0;
            for (int c = 0; c < 2; c++)
            {
                double product = w[c];
                for (int j = 0; j < 6; j++)
                    if (!float.IsNaN(holed[i, j]))
                        product *= holed[i, j] == 1 ? p[c, j] : 1 - p[c, j];
                mixture += product;
            }
            total += Math.Log(mixture);
        }
        double prior = 0;
        foreach (double v in p)
            prior += 0.1 * (Math.Log(v) + Math.Log(1 - v));
        // Direct products in float64 vs the log-space sums of the engine: rounding only.
        Tolerance.Close(total / 200, model.Score(holed), 1e-12, 1e-12, "mean log-likelihood");
        Tolerance.Close((total + prior) / 200, model.ObjectiveHistory[^1], 1e-12, 1e-12, "penalized objective");
        // The objective and the log-likelihood are named apart: the smoothing term is only in one.
        Assert.Equal(model.ObjectiveHistory[^1], model.Objective);
        Tolerance.Close(total / 200, model.MeanLogLikelihood, 1e-12, 1e-12, "mean log-likelihood of the fit");
        Tolerance.Close(total, model.LogLikelihood, 1e-10, 1e-12, "log-likelihood of the fit");
    }

    [Theory]
    [InlineData(DiscreteInitialization.KMeansPlusPlus)]
    [InlineData(DiscreteInitialization.RandomPoints)]
    [InlineData(DiscreteInitialization.RandomResponsibilities)]
    public void Log_likelihood_never_decreases_on_the_reference_engine(DiscreteInitialization start)
    {
        (float[,] data, _, _, _) = PlantedBinary.Sample(600, 12, 4, seed: 8);
        float[,] holed = PlantedBinary.RemoveAtRandom(data, 0.2, seed: 9);
        float[] weights = Enumerable.Range(0, 600).Select(i => 0.25f + i % 4).ToArray();
        foreach (double smoothing in new[] { 0.0, 1e-3, 1.0 })
        {
            BernoulliMixtureModel model = new BernoulliMixture(new BernoulliMixtureOptions
            {
                ComponentCount = 5,
                Initialization = start,
                Smoothing = smoothing,
                Tolerance = 0,
                MaxIterations = 60,
                Backend = Backend.Reference,
                Seed = 2,
            }).Fit(holed, weights);
            // EM's monotonicity is exact; float64 rounding of sums of ~600 terms of size ~10 is ~1e-12.
            EmLaws.NeverDecreases(model.ObjectiveHistory, 1e-12, $"{start} α={smoothing}");
        }
    }

    [Fact]
    public void The_same_seed_gives_the_identical_model()
    {
        (float[,] data, _, _, _) = PlantedBinary.Sample(500, 10, 3, seed: 12);
        float[,] holed = PlantedBinary.RemoveAtRandom(data, 0.1, seed: 13);
        BernoulliMixtureOptions options = Options(3) with { Seed = 99, Restarts = 2 };
        BernoulliMixtureModel a = new BernoulliMixture(options).Fit(holed);
        BernoulliMixtureModel b = new BernoulliMixture(options).Fit(holed);
        Assert.Equal(a.Weights, b.Weights);
        Assert.Equal(a.Probabilities, b.Probabilities);
        Assert.Equal(a.ObjectiveHistory, b.ObjectiveHistory);
    }

    [Fact]
    public void Predictions_agree_with_the_fit_and_criteria_use_the_parameter_count()
    {
        (float[,] data, int[] labels, _, double[,] truth) = PlantedBinary.Sample(900, 20, 3, seed: 14);
        BernoulliMixtureModel model = new BernoulliMixture(Options(3)).Fit(data);
        int[] perm = PlantedBinary.Match(truth, model.Probabilities);
        int[] predicted = model.Predict(data);
        double agreement = labels.Zip(predicted).Count(pair => perm[pair.First] == pair.Second) / 900.0;
        // Components differ on ~13 columns by 0.7: the Bayes error is far below 1 %.
        Assert.True(agreement > 0.98, $"agreement {agreement}");

        double[,] proba = model.PredictProba(data);
        for (int i = 0; i < 900; i++)
            Tolerance.Close(1, proba[i, 0] + proba[i, 1] + proba[i, 2], 1e-12, 0, $"row {i} sums");
        double logLikelihood = model.ScoreSamples(data).Sum();
        Assert.Equal(3 * 20 + 2, model.ParameterCount);
        Tolerance.Close(-2 * logLikelihood + 62 * Math.Log(900), model.Bic(data), 1e-9, 1e-12, "BIC");
        Tolerance.Close(-2 * logLikelihood + 2 * 62, model.Aic(data), 1e-9, 1e-12, "AIC");
        Tolerance.Close(logLikelihood / 900, model.Score(data), 1e-12, 1e-12, "Score");
    }

    internal static void AssertRecovered(double[] weights, double[,] truth, BernoulliMixtureModel model, int n, string what)
    {
        int k = weights.Length;
        int d = truth.GetLength(1);
        int[] perm = PlantedBinary.Match(truth, model.Probabilities);
        double[,] fitted = model.Probabilities;
        double[] fittedWeights = model.Weights;
        for (int c = 0; c < k; c++)
        {
            // Binomial standard errors: the fit sees ~n·w_c rows of component c (and n rows for the weights).
            double weightSe = Math.Sqrt(weights[c] * (1 - weights[c]) / n);
            Tolerance.Close(weights[c], fittedWeights[perm[c]], 4 * weightSe, 0, $"{what} weight {c}");
            for (int j = 0; j < d; j++)
            {
                double p = truth[c, j];
                double se = Math.Sqrt(p * (1 - p) / (n * weights[c]));
                Tolerance.Close(p, fitted[perm[c], j], 4 * se, 0, $"{what} p[{c}, {j}]");
            }
        }
    }
}
