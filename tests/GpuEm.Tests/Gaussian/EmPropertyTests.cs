using GpuEm.Em;
using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Gaussian;

/// <summary>Laws of EM and of the fitted model on the reference engine.</summary>
public sealed class EmPropertyTests
{
    public static TheoryData<CovarianceType, GaussianInitialization> TypesAndStarts()
    {
        var data = new TheoryData<CovarianceType, GaussianInitialization>();
        foreach (CovarianceType type in Enum.GetValues<CovarianceType>())
            foreach (GaussianInitialization init in new[]
            {
                GaussianInitialization.KMeansPlusPlus,
                GaussianInitialization.RandomPoints,
                GaussianInitialization.RandomResponsibilities,
            })
                data.Add(type, init);
        return data;
    }

    [Theory]
    [MemberData(nameof(TypesAndStarts))]
    public void Log_likelihood_never_decreases_from_one_iteration_to_the_next(
        CovarianceType type, GaussianInitialization init)
    {
        (float[,] data, _, _) = Synthetic.Mixture(1500, 3, 4, seed: 5, separation: 2.5);
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 4,
            CovarianceType = type,
            Initialization = init,
            MaxIterations = 60,
            Tolerance = 0,
            Backend = Backend.Reference,
            Seed = 3,
        }).Fit(data);

        IReadOnlyList<double> history = model.ObjectiveHistory;
        Assert.Equal(61, history.Count);
        for (int i = 1; i < history.Count; i++)
        {
            // EM's guarantee is exact; float64 rounding of a sum of 1500 terms of size ~5 allows
            // ~1e-12 of noise in the mean once the fit has converged.
            Assert.True(history[i] >= history[i - 1] - 1e-12,
                $"iteration {i}: {history[i]:R} < {history[i - 1]:R}");
        }
        Assert.True(history[^1] > history[0]);
    }

    [Fact]
    public void A_planted_mixture_is_recovered_within_a_few_standard_errors()
    {
        double[] trueWeights = { 0.5, 0.3, 0.2 };
        const int n = 20000;
        (float[,] data, int[] labels, double[,] trueMeans) =
            Synthetic.Mixture(n, 2, 3, seed: 21, separation: 8, weights: trueWeights);
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 3,
            Restarts = 3,
            Backend = Backend.Reference,
            Seed = 1,
        }).Fit(data);

        Assert.True(model.Converged);
        double[] weights = model.Weights;
        double[,] means = model.Means;
        for (int truth = 0; truth < 3; truth++)
        {
            int c = Nearest(means, trueMeans, truth);
            double se = Math.Sqrt(trueWeights[truth] * (1 - trueWeights[truth]) / n);
            Tolerance.Close(trueWeights[truth], weights[c], 5 * se, 0, $"weight of component {truth}");
            double sigma = 0.5 + 0.25 * truth % 3;
            double meanSe = sigma / Math.Sqrt(n * trueWeights[truth]);
            for (int j = 0; j < 2; j++)
            {
                // The planted means are the sample's true means; 5 standard errors of the
                // component mean (σ/√(n·w)) is a bound a correct fit misses with probability ~1e-6.
                double sampleMean = SampleMean(data, labels, truth, j);
                Tolerance.Close(trueMeans[truth, j], means[c, j], 5 * meanSe, 0, $"mean[{truth},{j}]");
                Tolerance.Close(sampleMean, means[c, j], 5 * meanSe, 0, $"mean[{truth},{j}] vs sample");
            }
        }
    }

    [Theory]
    [InlineData(Backend.Reference)]
    [InlineData(Backend.CpuAccelerator)]
    public void The_same_seed_gives_a_bit_identical_model(Backend backend)
    {
        (float[,] data, _, _) = Synthetic.Mixture(800, 3, 3, seed: 8);
        var options = new GaussianMixtureOptions
        {
            ComponentCount = 3,
            Backend = backend,
            Seed = 42,
            Restarts = 2,
            MaxIterations = 15,
        };
        GaussianMixtureModel first = new GaussianMixture(options).Fit(data);
        GaussianMixtureModel second = new GaussianMixture(options).Fit(data);
        Assert.Equal(first.Weights, second.Weights);
        Assert.Equal(Tolerance.Flatten(first.Means), Tolerance.Flatten(second.Means));
        Assert.Equal(Tolerance.Flatten(first.Covariances), Tolerance.Flatten(second.Covariances));
        Assert.Equal(first.ObjectiveHistory, second.ObjectiveHistory);
        Assert.Equal(backend, first.Backend);
    }

    [Fact]
    public void Score_of_the_training_data_equals_the_last_history_entry()
    {
        (float[,] data, _, _) = Synthetic.Mixture(1000, 2, 3, seed: 2);
        GaussianMixtureModel model = Synthetic.FitReference(data, 3);
        // Both are the same float64 sum over the same points, in a different order.
        Tolerance.Close(model.MeanLogLikelihood, model.Score(data), 1e-12, 1e-12, "score");
        Tolerance.Close(model.LogLikelihood, model.ScoreSamples(data).Sum(), 1e-9, 1e-12, "total log-likelihood");
    }

    [Fact]
    public void Predict_is_the_argmax_of_probabilities_that_sum_to_one()
    {
        (float[,] data, _, _) = Synthetic.Mixture(500, 2, 3, seed: 4, separation: 3);
        GaussianMixtureModel model = Synthetic.FitReference(data, 3);
        int[] labels = model.Predict(data);
        double[,] proba = model.PredictProba(data);
        for (int i = 0; i < 500; i++)
        {
            double sum = 0;
            int best = 0;
            for (int c = 0; c < 3; c++)
            {
                sum += proba[i, c];
                if (proba[i, c] > proba[i, best])
                    best = c;
            }
            Assert.Equal(1.0, sum, 12);
            Assert.Equal(best, labels[i]);
        }
    }

    [Fact]
    public void Bic_and_aic_follow_their_definitions()
    {
        (float[,] data, _, _) = Synthetic.Mixture(400, 3, 2, seed: 6);
        GaussianMixtureModel model = Synthetic.FitReference(data, 2, CovarianceType.Diagonal);
        double logLikelihood = model.ScoreSamples(data).Sum();
        long p = 2 * 3 + 2 * 3 + 1;
        Assert.Equal(p, model.ParameterCount);
        Tolerance.Close(-2 * logLikelihood + p * Math.Log(400), model.Bic(data), 1e-9, 1e-12, "BIC");
        Tolerance.Close(-2 * logLikelihood + 2 * p, model.Aic(data), 1e-9, 1e-12, "AIC");
    }

    [Fact]
    public void More_restarts_never_give_a_worse_log_likelihood()
    {
        (float[,] data, _, _) = Synthetic.Mixture(900, 2, 5, seed: 13, separation: 2);
        double Fit(int restarts) => new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 5,
            Restarts = restarts,
            Seed = 9,
            Backend = Backend.Reference,
            Initialization = GaussianInitialization.RandomPoints,
        }).Fit(data).MeanLogLikelihood;
        // Restart 0 is the same start in both fits, so the best of four is at least as good.
        Assert.True(Fit(4) >= Fit(1));
    }

    [Fact]
    public void The_default_start_is_one_m_step_on_the_labels_of_kmeans()
    {
        (float[,] data, _, _) = Synthetic.Mixture(900, 2, 3, seed: 15, separation: 5);
        GaussianMixtureModel start = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 3,
            MaxIterations = 0,
            Backend = Backend.Reference,
            Seed = 4,
        }).Fit(data);
        var clusters = new GpuEm.Models.KMeans.KMeans(new GpuEm.Models.KMeans.KMeansOptions
        {
            ClusterCount = 3,
            Backend = Backend.Reference,
            Seed = GpuEm.Em.RestartSeed.Of(4, 0),
        }).Fit(data);
        // K-means' converged centres are the means of its clusters, which one M-step reproduces.
        Tolerance.Close(clusters.Centres, start.Means, 1e-9, 1e-9, "means");
        int[] labels = clusters.Labels;
        for (int c = 0; c < 3; c++)
            Assert.Equal(labels.Count(l => l == c) / 900.0, start.Weights[c], 12);
    }

    [Fact]
    public void A_given_start_is_used_as_given()
    {
        (float[,] data, _, _) = Synthetic.Mixture(300, 2, 2, seed: 7);
        var start = new GaussianMixtureStart(
            new[] { 1.0, 3.0 },
            new double[,] { { 0, 0 }, { 6, 0 } },
            new double[,,] { { { 2, 0.5 }, { 0.5, 1 } }, { { 4, 0 }, { 0, 4 } } });
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 2,
            Initialization = GaussianInitialization.Given,
            InitialParameters = start,
            MaxIterations = 0,
            Backend = Backend.Reference,
        }).Fit(data);

        Assert.Equal(new[] { 0.25, 0.75 }, model.Weights);
        Assert.Equal(new double[] { 0, 0, 6, 0 }, Tolerance.Flatten(model.Means));
        // Covariance = precision⁻¹: [[2, .5], [.5, 1]]⁻¹ = [[1, −.5], [−.5, 2]] / 1.75.
        double[,,] covariances = model.Covariances;
        Tolerance.Close(1 / 1.75, covariances[0, 0, 0], 1e-14, 1e-12, "Σ00");
        Tolerance.Close(-0.5 / 1.75, covariances[0, 0, 1], 1e-14, 1e-12, "Σ01");
        Tolerance.Close(2 / 1.75, covariances[0, 1, 1], 1e-14, 1e-12, "Σ11");
        Tolerance.Close(0.25, covariances[1, 0, 0], 1e-14, 1e-12, "Σ'00");
        Assert.Equal(0, model.Iterations);
    }

    [Fact]
    public void A_warm_start_continues_from_the_fitted_model()
    {
        (float[,] data, _, _) = Synthetic.Mixture(600, 2, 3, seed: 10);
        var options = new GaussianMixtureOptions { ComponentCount = 3, Backend = Backend.Reference, MaxIterations = 3, Tolerance = 0 };
        GaussianMixtureModel first = new GaussianMixture(options).Fit(data);
        GaussianMixtureModel same = new GaussianMixture(options with { WarmStart = first, MaxIterations = 0 }).Fit(data);
        Assert.Equal(first.Weights, same.Weights);
        Assert.Equal(Tolerance.Flatten(first.Means), Tolerance.Flatten(same.Means));

        GaussianMixtureModel longer = new GaussianMixture(options with { WarmStart = first }).Fit(data);
        Assert.Equal(first.MeanLogLikelihood, longer.ObjectiveHistory[0], 12);
        Assert.True(longer.MeanLogLikelihood >= first.MeanLogLikelihood);
    }

    [Fact]
    public void Progress_reports_every_iteration_and_warns_when_not_converged()
    {
        (float[,] data, _, _) = Synthetic.Mixture(400, 2, 3, seed: 3, separation: 1.5);
        var reports = new List<FitProgress>();
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 3,
            MaxIterations = 2,
            Tolerance = 0,
            Backend = Backend.Reference,
            Progress = new SynchronousProgress<FitProgress>(reports.Add),
        }).Fit(data);

        Assert.False(model.Converged);
        FitProgress[] iterations = reports.Where(r => r.Warning is null && r.Phase == FitPhase.Iterating).ToArray();
        Assert.Equal(new[] { 0, 1, 2 }, iterations.Select(r => r.Iteration));
        Assert.Equal(model.MeanLogLikelihood, iterations[^1].Objective);
        FitProgress warning = Assert.Single(reports, r => r.Warning is not null && r.Phase == FitPhase.Iterating);
        Assert.Contains("Did not converge in 2 iterations", warning.Warning);
    }

    [Fact]
    public void A_cancelled_fit_returns_the_last_completed_model_flagged_not_converged()
    {
        (float[,] data, _, _) = Synthetic.Mixture(400, 2, 2, seed: 3);
        using var source = new CancellationTokenSource();
        var options = new GaussianMixtureOptions
        {
            ComponentCount = 2,
            Backend = Backend.Reference,
            Tolerance = 0,
            MaxIterations = 50,
            Progress = new SynchronousProgress<FitProgress>(r =>
            {
                if (r.Phase == FitPhase.Iterating && r.Iteration == 3)
                    source.Cancel();
            }),
        };
        GaussianMixtureModel model = new GaussianMixture(options).Fit(data, cancellationToken: source.Token);
        Assert.True(model.Cancelled);
        Assert.False(model.Converged);
        Assert.Equal(3, model.Iterations);
        Assert.Equal(model.MeanLogLikelihood, model.Score(data), 10);
    }

    [Fact]
    public void Sampling_is_reproducible_and_follows_the_model()
    {
        (float[,] data, _, _) = Synthetic.Mixture(2000, 2, 2, seed: 12, separation: 8);
        GaussianMixtureModel model = Synthetic.FitReference(data, 2);
        (float[,] points, int[] labels) = model.Sample(20000, seed: 5);
        (float[,] again, _) = model.Sample(20000, seed: 5);
        Assert.Equal(Tolerance.Flatten(ToDouble(points)), Tolerance.Flatten(ToDouble(again)));
        double[,] means = model.Means;
        for (int c = 0; c < 2; c++)
        {
            int count = labels.Count(l => l == c);
            // Binomial standard error of the fraction is below 0.004 at 20 000 draws.
            Tolerance.Close(model.Weights[c], count / 20000.0, 0.02, 0, "sampled fraction");
            for (int j = 0; j < 2; j++)
            {
                double mean = Enumerable.Range(0, 20000).Where(i => labels[i] == c).Average(i => (double)points[i, j]);
                Tolerance.Close(means[c, j], mean, 0.05, 0, "sampled mean");
            }
        }
    }

    [Fact]
    public void Fitting_never_modifies_the_callers_arrays()
    {
        (float[,] data, _, _) = Synthetic.Mixture(300, 2, 2, seed: 1);
        float[,] copy = (float[,])data.Clone();
        float[] weights = Enumerable.Repeat(2f, 300).ToArray();
        new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 2, Backend = Backend.CpuAccelerator })
            .Fit(data, weights);
        Assert.Equal(copy, data);
        Assert.All(weights, w => Assert.Equal(2f, w));
    }

    [Fact]
    public void Integer_weights_act_as_repeated_points()
    {
        (float[,] data, _, _) = Synthetic.Mixture(200, 2, 2, seed: 14);
        float[] weights = Enumerable.Range(0, 200).Select(i => (float)(i % 3)).ToArray();
        var repeated = new List<float[]>();
        for (int i = 0; i < 200; i++)
            for (int r = 0; r < weights[i]; r++)
                repeated.Add(new[] { data[i, 0], data[i, 1] });
        var expanded = new float[repeated.Count, 2];
        for (int i = 0; i < repeated.Count; i++)
        {
            expanded[i, 0] = repeated[i][0];
            expanded[i, 1] = repeated[i][1];
        }
        var start = new GaussianMixtureStart(new[] { 0.5, 0.5 }, new double[,] { { 0, 0 }, { 6, 0 } });
        var options = new GaussianMixtureOptions
        {
            ComponentCount = 2,
            Initialization = GaussianInitialization.Given,
            InitialParameters = start,
            Backend = Backend.Reference,
            MaxIterations = 10,
            Tolerance = 0,
        };
        GaussianMixtureModel weighted = new GaussianMixture(options with
        {
            // The start's covariance comes from the data: give both fits the same one.
            InitialParameters = start with { Precisions = new double[,,] { { { 1, 0 }, { 0, 1 } }, { { 1, 0 }, { 0, 1 } } } },
        }).Fit(data, weights);
        GaussianMixtureModel plain = new GaussianMixture(options with
        {
            InitialParameters = start with { Precisions = new double[,,] { { { 1, 0 }, { 0, 1 } }, { { 1, 0 }, { 0, 1 } } } },
        }).Fit(expanded);
        // The same sums in a different order: float64 rounding only.
        Tolerance.Close(plain.Means, weighted.Means, 1e-10, 1e-10, "means");
        Tolerance.Close(plain.Covariances, weighted.Covariances, 1e-10, 1e-10, "covariances");
        Tolerance.Close(plain.MeanLogLikelihood, weighted.MeanLogLikelihood, 1e-10, 1e-10, "mean log-likelihood");
    }

    private static int Nearest(double[,] means, double[,] truth, int row)
    {
        int best = 0;
        double bestDistance = double.PositiveInfinity;
        for (int c = 0; c < means.GetLength(0); c++)
        {
            double distance = 0;
            for (int j = 0; j < means.GetLength(1); j++)
                distance += Math.Pow(means[c, j] - truth[row, j], 2);
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = c;
            }
        }
        return best;
    }

    private static double SampleMean(float[,] data, int[] labels, int component, int dim) =>
        Enumerable.Range(0, labels.Length).Where(i => labels[i] == component).Average(i => (double)data[i, dim]);

    private static double[,] ToDouble(float[,] values)
    {
        var result = new double[values.GetLength(0), values.GetLength(1)];
        for (int i = 0; i < values.GetLength(0); i++)
            for (int j = 0; j < values.GetLength(1); j++)
                result[i, j] = values[i, j];
        return result;
    }
}
