using GpuEm.Models.BernoulliMixture;
using GpuEm.Models.CategoricalMixture;
using GpuEm.Models.Discrete;
using GpuEm.Tests.Bernoulli;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.CategoricalMixtures;

/// <summary>Categorical mixture: recovery, closed forms, EM laws, engines, bad input.</summary>
public sealed class CategoricalMixtureTests
{
    private static readonly int[] Levels = { 3, 4, 2, 5, 3, 4, 3, 2, 4, 3 };

    /// <summary>
    /// Component c puts 0.7 on level (c + j) % L_j of feature j and spreads 0.3 evenly over the
    /// other levels, so components disagree on the likely level of most features.
    /// </summary>
    private static (int[,] Data, double[] Weights, double[][][] Theta) Planted(int n, int k, int seed, double missing = 0)
    {
        var random = new Random(seed);
        double[] weights = Enumerable.Range(0, k).Select(c => (k - c) / (k * (k + 1) / 2.0)).ToArray();
        int d = Levels.Length;
        var theta = new double[k][][];
        for (int c = 0; c < k; c++)
        {
            theta[c] = new double[d][];
            for (int j = 0; j < d; j++)
                theta[c][j] = Enumerable.Range(0, Levels[j])
                    .Select(l => l == (c + j) % Levels[j] ? 0.7 : 0.3 / (Levels[j] - 1)).ToArray();
        }
        var data = new int[n, d];
        for (int i = 0; i < n; i++)
        {
            int c = Draw(weights, random);
            int keep = random.Next(d);
            for (int j = 0; j < d; j++)
                data[i, j] = j != keep && random.NextDouble() < missing ? -1 : Draw(theta[c][j], random);
        }
        return (data, weights, theta);
    }

    private static int Draw(double[] probabilities, Random random)
    {
        double u = random.NextDouble();
        int index = 0;
        double cumulative = probabilities[0];
        while (index < probabilities.Length - 1 && u >= cumulative)
            cumulative += probabilities[++index];
        return index;
    }

    // The permutation fitted[perm[c]] ~ true c with the least total absolute difference.
    private static int[] Match(double[][][] theta, double[,,] fitted)
    {
        int k = theta.Length;
        var truth = new double[k, Levels.Sum()];
        var flat = new double[k, Levels.Sum()];
        for (int c = 0; c < k; c++)
        {
            int column = 0;
            for (int j = 0; j < Levels.Length; j++)
                for (int l = 0; l < Levels[j]; l++, column++)
                {
                    truth[c, column] = theta[c][j][l];
                    flat[c, column] = fitted[c, j, l];
                }
        }
        return PlantedBinary.Match(truth, flat);
    }

    [Theory]
    [InlineData(Backend.Reference, 0.0)]
    [InlineData(Backend.Reference, 0.2)]
    public void Planted_mixture_is_recovered_within_four_standard_errors(Backend backend, double missing)
    {
        const int n = 3000, k = 3;
        (int[,] data, double[] weights, double[][][] theta) = Planted(n, k, seed: 31, missing);

        CategoricalMixtureModel model = new CategoricalMixture(new CategoricalMixtureOptions
        {
            ComponentCount = k,
            Backend = backend,
            Tolerance = 1e-8,
            MaxIterations = 500,
            Restarts = 3,
            Seed = 4,
        }).Fit(data, Levels);

        int[] perm = Match(theta, model.Probabilities);
        double[,,] fitted = model.Probabilities;
        double effective = n * (1 - missing);
        for (int c = 0; c < k; c++)
        {
            // Multinomial standard errors from the ~n·w_c (observed) rows of component c.
            Tolerance.Close(weights[c], model.Weights[perm[c]], 4 * Math.Sqrt(weights[c] * (1 - weights[c]) / n), 0, $"w[{c}]");
            for (int j = 0; j < Levels.Length; j++)
                for (int l = 0; l < Levels[j]; l++)
                {
                    double p = theta[c][j][l];
                    double se = Math.Sqrt(p * (1 - p) / (effective * weights[c]));
                    Tolerance.Close(p, fitted[perm[c], j, l], 4 * se, 0, $"θ[{c}, {j}, {l}] missing={missing}");
                }
        }
        Assert.Equal(Levels, model.LevelCounts);
        Assert.True(model.Converged);
    }

    [Theory]
    [InlineData(DiscreteInitialization.KMeansPlusPlus, 0.0)]
    [InlineData(DiscreteInitialization.RandomResponsibilities, 1e-3)]
    [InlineData(DiscreteInitialization.RandomPoints, 1.0)]
    public void Log_likelihood_never_decreases_on_the_reference_engine(DiscreteInitialization start, double smoothing)
    {
        (int[,] data, _, _) = Planted(800, 3, seed: 32, missing: 0.25);
        float[] weights = Enumerable.Range(0, 800).Select(i => 0.5f + i % 3).ToArray();
        CategoricalMixtureModel model = new CategoricalMixture(new CategoricalMixtureOptions
        {
            ComponentCount = 4,
            Initialization = start,
            Smoothing = smoothing,
            Tolerance = 0,
            MaxIterations = 60,
            Backend = Backend.Reference,
            Seed = 3,
        }).Fit(data, Levels, weights);
        // Exact law; float64 rounding of the sums is ~1e-12.
        EmLaws.NeverDecreases(model.ObjectiveHistory, 1e-12, $"{start} α={smoothing}");
    }

    [Fact]
    public void The_log_likelihood_is_the_observed_one_without_the_smoothing_term()
    {
        (int[,] data, _, _) = Planted(800, 3, seed: 33, missing: 0.25);
        float[] weights = Enumerable.Range(0, 800).Select(i => 0.5f + i % 3).ToArray();
        CategoricalMixtureModel model = new CategoricalMixture(new CategoricalMixtureOptions
        {
            ComponentCount = 4,
            Smoothing = 1.0,
            Backend = Backend.Reference,
            Seed = 3,
        }).Fit(data, Levels, weights);
        // The fit's last E-step and Score sum the same float64 terms in another order: ~1e-15.
        Tolerance.Close(model.Score(data, weights), model.MeanLogLikelihood, 1e-12, 1e-12, "mean log-likelihood");
        Assert.Equal(model.ObjectiveHistory[^1], model.Objective);
        Assert.True(model.MeanLogLikelihood - model.Objective > 1e-3,
            $"smoothing 1 lowers the objective {model.Objective:R} below the log-likelihood {model.MeanLogLikelihood:R}");
    }

    [Fact]
    public void Accelerator_matches_reference_after_1_and_10_iterations_and_never_decreases()
    {
        (int[,] data, _, _) = Planted(300, 3, seed: 33, missing: 0.2);
        float[] weights = Enumerable.Range(0, 300).Select(i => 0.5f + (i * 7 % 5) / 4f).ToArray();
        foreach (int iterations in new[] { 1, 10 })
        {
            var options = new CategoricalMixtureOptions
            {
                ComponentCount = 3,
                MaxIterations = iterations,
                Tolerance = 0,
                Seed = 5,
                Initialization = DiscreteInitialization.RandomResponsibilities,
            };
            CategoricalMixtureModel reference = new CategoricalMixture(options with { Backend = Backend.Reference }).Fit(data, Levels, weights);
            CategoricalMixtureModel accelerator = new CategoricalMixture(options with { Backend = Backend.CpuAccelerator }).Fit(data, Levels, weights);
            // The same float32 E-step as the Bernoulli mixture (see BernoulliAcceleratorParityTests):
            // 1e-5 relative after one step, 1e-4 after ten, + 1e-6 absolute; objective within 5e-6.
            double relative = iterations == 1 ? 1e-5 : 1e-4;
            Assert.Equal(Backend.CpuAccelerator, accelerator.Backend);
            Tolerance.Close(reference.Weights, accelerator.Weights, 1e-6, relative, $"weights after {iterations}");
            Tolerance.Close(reference.Probabilities, accelerator.Probabilities, 1e-6, relative, $"θ after {iterations}");
            Tolerance.Close(
                reference.ObjectiveHistory.ToArray(), accelerator.ObjectiveHistory.ToArray(), 5e-6, 0,
                $"history after {iterations}");
            // float32 per-point log-likelihoods: 1e-6 slack, as for the Bernoulli accelerator.
            EmLaws.NeverDecreases(accelerator.ObjectiveHistory, 1e-6, "CPU accelerator");
        }
    }

    [Fact]
    public void Two_level_features_give_the_Bernoulli_mixture()
    {
        (float[,] binary, _, _, _) = PlantedBinary.Sample(400, 8, 3, seed: 34);
        binary = PlantedBinary.RemoveAtRandom(binary, 0.15, seed: 35);
        var levels = new int[400, 8];
        for (int i = 0; i < 400; i++)
            for (int j = 0; j < 8; j++)
                levels[i, j] = float.IsNaN(binary[i, j]) ? -1 : (int)binary[i, j];
        // The same settings for both models.
        static T Settings<T>(T options)
            where T : DiscreteMixtureOptions =>
            (T)(options with
            {
                ComponentCount = 3,
                Smoothing = 0.01,
                MaxIterations = 30,
                Tolerance = 0,
                Backend = Backend.Reference,
                Initialization = DiscreteInitialization.RandomResponsibilities,
            });
        BernoulliMixtureModel bernoulli = new BernoulliMixture(Settings(new BernoulliMixtureOptions())).Fit(binary);
        CategoricalMixtureModel categorical = new CategoricalMixture(Settings(new CategoricalMixtureOptions()))
            .Fit(levels, new[] { 2, 2, 2, 2, 2, 2, 2, 2 });

        // Same model, same start, same M-step ((S + α)/(O + 2α) = (C_1 + α)/(C_0 + C_1 + 2α)); the
        // sums differ only in rounding (log θ_0 + log θ_1 vs log p + log(1 − p)), amplified over
        // 30 iterations: 1e-9.
        Tolerance.Close(bernoulli.Weights, categorical.Weights, 1e-9, 0, "weights");
        double[,,] theta = categorical.Probabilities;
        double[,] p = bernoulli.Probabilities;
        for (int c = 0; c < 3; c++)
            for (int j = 0; j < 8; j++)
                Tolerance.Close(p[c, j], theta[c, j, 1], 1e-9, 0, $"p[{c}, {j}]");
        Tolerance.Close(
            bernoulli.ObjectiveHistory.ToArray(), categorical.ObjectiveHistory.ToArray(), 1e-9, 0, "history");
    }

    [Fact]
    public void One_component_gives_the_smoothed_observed_level_frequencies()
    {
        int[,] data = { { 0, 2 }, { 1, -1 }, { 0, 1 }, { -1, 2 } };
        CategoricalMixtureModel model = new CategoricalMixture(new CategoricalMixtureOptions
        {
            ComponentCount = 1,
            Smoothing = 1,
            MaxIterations = 1,
            Backend = Backend.Reference,
        }).Fit(data, new[] { 2, 3 });
        // Feature 0: levels (0, 1, 0) observed → ((2 + 1)/5, (1 + 1)/5); feature 1: (2, 1, 2) → (1/6, 2/6, 3/6).
        Tolerance.Close(new[] { 0.6, 0.4, 0 }, new[] { model.Probabilities[0, 0, 0], model.Probabilities[0, 0, 1], model.Probabilities[0, 0, 2] }, 1e-15, 1e-14, "feature 0");
        Tolerance.Close(new[] { 1 / 6.0, 2 / 6.0, 3 / 6.0 }, new[] { model.Probabilities[0, 1, 0], model.Probabilities[0, 1, 1], model.Probabilities[0, 1, 2] }, 1e-15, 1e-14, "feature 1");
        Assert.Equal(1 + 1 * (1 + 2) - 1, model.ParameterCount);
    }

    [Fact]
    public void The_same_seed_gives_the_identical_model()
    {
        (int[,] data, _, _) = Planted(500, 3, seed: 36, missing: 0.1);
        var options = new CategoricalMixtureOptions { ComponentCount = 3, Restarts = 2, Seed = 17, Backend = Backend.Reference };
        CategoricalMixtureModel a = new CategoricalMixture(options).Fit(data);
        CategoricalMixtureModel b = new CategoricalMixture(options).Fit(data);
        Assert.Equal(a.Weights, b.Weights);
        Assert.Equal(a.Probabilities, b.Probabilities);
        Assert.Equal(a.ObjectiveHistory, b.ObjectiveHistory);
    }

    [Fact]
    public void Bad_input_is_rejected_with_where_and_what_to_do()
    {
        var estimator = new CategoricalMixture(new CategoricalMixtureOptions { ComponentCount = 2, Backend = Backend.Reference });
        var error = Assert.Throws<ArgumentException>(() => estimator.Fit(new[,] { { 0, 1 }, { 2, 3 } }, new[] { 3, 3 }));
        Assert.Contains("row 1, column 1", error.Message);
        error = Assert.Throws<ArgumentException>(() => estimator.Fit(new[,] { { 0, -2 }, { 1, 0 } }));
        Assert.Contains("row 0, column 1", error.Message);
        error = Assert.Throws<ArgumentException>(() => estimator.Fit(new[,] { { 0, 1 }, { -1, -1 }, { 1, 0 } }));
        Assert.Contains("Row 1", error.Message);
        error = Assert.Throws<ArgumentException>(() => estimator.Fit(new[,] { { 0, 1 } }));
        Assert.Contains("k = 2", error.Message);
        error = Assert.Throws<ArgumentException>(() => estimator.Fit(new[,] { { 0, 1 }, { 1, 0 } }, new[] { 2 }));
        Assert.Contains("1 level counts for 2 columns", error.Message);

        (int[,] data, _, _) = Planted(50, 2, seed: 37);
        CategoricalMixtureModel model = estimator.Fit(data, Levels);
        error = Assert.Throws<ArgumentException>(() => model.Predict(new int[3, 4]));
        Assert.Contains("fitted on 10", error.Message);
        Assert.Throws<ArgumentException>(() => model.ScoreSamples(new[,] { { 0, 0, 0, 0, 0, 0, 0, 0, 0, 9 } }));
    }
}
