using GpuEm.Models.GaussianMixture;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Gaussian;

/// <summary>
/// Partial labels, known parameters and MAP priors: the vehicle example of the seed notes
/// (../shared/seeds/003, examples 3 and 4), closed forms, and EM's law for the penalized objective.
/// </summary>
public sealed class IncompleteDataTests
{
    private const double CarWeight = 0.6;

    // Lengths of cars ~ N(4.5, 1) and trucks ~ N(9, 4); some with their type known (0 = car,
    // 1 = truck), the rest −1.
    private static (float[,] Lengths, int[] Labels) Vehicles(int cars, int trucks, int unknown, int seed)
    {
        var random = new Random(seed);
        int n = cars + trucks + unknown;
        var lengths = new float[n, 1];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            bool car = i < cars || (i >= cars + trucks && random.NextDouble() < CarWeight);
            lengths[i, 0] = (float)(car ? 4.5 + Synthetic.Normal(random) : 9 + 2 * Synthetic.Normal(random));
            labels[i] = i < cars ? 0 : i < cars + trucks ? 1 : -1;
        }
        return (lengths, labels);
    }

    private static GaussianMixtureOptions VehicleOptions(Backend backend) => new()
    {
        ComponentCount = 2,
        CovarianceType = CovarianceType.Spherical,
        KnownParameters = new GaussianKnownParameters
        {
            Weights = [CarWeight, 1 - CarWeight],
            Covariances = new double[,,] { { { 1 } }, { { 4 } } },
        },
        Tolerance = 0,
        MaxIterations = 300,
        Backend = backend,
    };

    [Fact]
    public void Vehicle_means_with_every_type_known_are_the_sample_means()
    {
        (float[,] lengths, int[] labels) = Vehicles(cars: 40, trucks: 25, unknown: 0, seed: 3);
        GaussianMixtureModel model = new GaussianMixture(VehicleOptions(Backend.Reference)).FitSemiSupervised(lengths, labels);

        double carMean = Enumerable.Range(0, 40).Average(i => (double)lengths[i, 0]);
        double truckMean = Enumerable.Range(40, 25).Average(i => (double)lengths[i, 0]);
        // Example 3: the MLE is the plain average of each labelled group, whatever the ratio.
        Tolerance.Close(carMean, model.Means[0, 0], 1e-12, 0, "car mean");
        Tolerance.Close(truckMean, model.Means[1, 0], 1e-12, 0, "truck mean");
    }

    [Fact]
    public void Vehicle_means_with_unknown_types_satisfy_the_optimality_equations()
    {
        (float[,] lengths, int[] labels) = Vehicles(cars: 30, trucks: 20, unknown: 300, seed: 4);
        GaussianMixtureModel model = new GaussianMixture(VehicleOptions(Backend.Reference)).FitSemiSupervised(lengths, labels);
        double muC = model.Means[0, 0];
        double muT = model.Means[1, 0];

        // Example 4: μ_c = (Σ labelled car y + Σ q(car) y) / (C + Σ q(car)), and the same for trucks,
        // with q from κ_c exp(−(y − μ_c)²/2) and κ_t exp(−(y − μ_t)²/8).
        double kappaC = CarWeight / Math.Sqrt(2 * Math.PI);
        double kappaT = (1 - CarWeight) / Math.Sqrt(8 * Math.PI);
        double carSum = 0, carCount = 0, truckSum = 0, truckCount = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            double y = lengths[i, 0];
            double q = labels[i] switch
            {
                0 => 1,
                1 => 0,
                _ => kappaC * Math.Exp(-0.5 * (y - muC) * (y - muC))
                    / (kappaC * Math.Exp(-0.5 * (y - muC) * (y - muC)) + kappaT * Math.Exp(-0.125 * (y - muT) * (y - muT))),
            };
            carSum += q * y;
            carCount += q;
            truckSum += (1 - q) * y;
            truckCount += 1 - q;
        }
        Tolerance.Close(carSum / carCount, muC, 1e-8, 0, "μ_c fixed point");
        Tolerance.Close(truckSum / truckCount, muT, 1e-8, 0, "μ_t fixed point");
        // Known parameters stay exactly as given.
        Assert.Equal([CarWeight, 1 - CarWeight], model.Weights);
        Assert.Equal(1.0, model.Covariances[0, 0, 0]);
        Assert.Equal(4.0, model.Covariances[1, 0, 0]);
        Assert.True(model.Means[0, 0] is > 3.5 and < 5.5 && model.Means[1, 0] is > 8 and < 10);
    }

    [Fact]
    public void Vehicle_fit_on_the_accelerator_matches_the_reference()
    {
        // float32 kernels: the means agree to ~1e-6 relative (see AcceleratorParityTests).
        (float[,] lengths, int[] labels) = Vehicles(cars: 30, trucks: 20, unknown: 300, seed: 5);
        GaussianMixtureModel reference = new GaussianMixture(VehicleOptions(Backend.Reference)).FitSemiSupervised(lengths, labels);
        GaussianMixtureModel accelerator = new GaussianMixture(VehicleOptions(Backend.CpuAccelerator) with { MaxIterations = 60 })
            .FitSemiSupervised(lengths, labels);
        Tolerance.Close(reference.Means, accelerator.Means, 1e-5, 1e-4, "means");
        Tolerance.Close(reference.MeanLogLikelihood, accelerator.MeanLogLikelihood, 1e-5, 0, "mean log-likelihood");
        Assert.Equal(reference.Weights, accelerator.Weights);
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Tied)]
    [InlineData(CovarianceType.Spherical)]
    public void Labelled_points_keep_their_component_on_both_engines(CovarianceType type)
    {
        (float[,] data, int[] truth, _) = Synthetic.Mixture(240, 3, 3, seed: 21, separation: 2.5);
        // Every fifth point labelled with its true component; the others unknown.
        int[] labels = truth.Select((c, i) => i % 5 == 0 ? c : -1).ToArray();
        foreach (Backend backend in new[] { Backend.Reference, Backend.CpuAccelerator })
        {
            GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
            {
                ComponentCount = 3,
                CovarianceType = type,
                Backend = backend,
                MaxIterations = 50,
            }).FitSemiSupervised(data, labels);
            int[] predicted = model.Predict(data);
            // Components keep the labels' numbering: most labelled points predict their label.
            int agree = labels.Select((l, i) => l < 0 || predicted[i] == l ? 1 : 0).Sum();
            Assert.True(agree >= labels.Length - 3, $"{backend}: {labels.Length - agree} labelled points moved");
            for (int i = 1; i < model.ObjectiveHistory.Count; i++)
                Assert.True(model.ObjectiveHistory[i] >= model.ObjectiveHistory[i - 1] - 1e-6,
                    $"{backend}: the objective fell at iteration {i}");
        }
    }

    [Fact]
    public void Partial_labels_are_validated()
    {
        float[,] data = Synthetic.Gaussian(10, 2, seed: 1);
        var estimator = new GaussianMixture(new GaussianMixtureOptions { ComponentCount = 2, Backend = Backend.Reference });
        Assert.Contains("9 labels for 10 rows", Assert.Throws<ArgumentException>(() => estimator.FitSemiSupervised(data, new int[9])).Message);
        int[] bad = new int[10];
        bad[7] = 2;
        Assert.Contains("row 7", Assert.Throws<ArgumentException>(() => estimator.FitSemiSupervised(data, bad)).Message);
    }

    [Fact]
    public void Known_means_give_the_scatter_around_them()
    {
        float[,] data = Synthetic.Gaussian(500, 2, seed: 8, offset: 1);
        double[] known = [0.5, 1.5];
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 1,
            KnownParameters = new GaussianKnownParameters { Means = new double[,] { { known[0], known[1] } } },
            CovarianceRegularization = 0,
            Backend = Backend.Reference,
        }).Fit(data);

        var expected = new double[2, 2];
        for (int i = 0; i < 500; i++)
            for (int a = 0; a < 2; a++)
                for (int b = 0; b < 2; b++)
                    expected[a, b] += (data[i, a] - known[a]) * (data[i, b] - known[b]) / 500.0;
        Assert.Equal(known, Tolerance.Flatten(model.Means));
        // Sums of 500 float64 products: agreement to ~1e-13 relative; 1e-10 leaves room.
        Tolerance.Close(expected, Slice(model.Covariances, 0), 1e-12, 1e-10, "covariance around the known mean");
    }

    [Fact]
    public void Known_parameters_are_validated()
    {
        float[,] data = Synthetic.Gaussian(20, 2, seed: 2);
        GaussianMixture With(GaussianKnownParameters known, CovarianceType type = CovarianceType.Full) => new(new GaussianMixtureOptions
        {
            ComponentCount = 2,
            CovarianceType = type,
            KnownParameters = known,
            Backend = Backend.Reference,
        });
        Assert.Contains("sum to", Assert.Throws<ArgumentException>(() => With(new() { Weights = [0.5, 0.6] }).Fit(data)).Message);
        Assert.Contains("expected 2 × 2", Assert.Throws<ArgumentException>(() => With(new() { Means = new double[3, 2] }).Fit(data)).Message);
        double[,,] notDiagonal = { { { 1, 0.5 }, { 0.5, 1 } }, { { 1, 0 }, { 0, 1 } } };
        Assert.Contains("off-diagonal", Assert.Throws<ArgumentException>(
            () => With(new() { Covariances = notDiagonal }, CovarianceType.Diagonal).Fit(data)).Message);
        double[,,] indefinite = { { { 1, 2 }, { 2, 1 } }, { { 1, 0 }, { 0, 1 } } };
        Assert.Contains("positive definite", Assert.Throws<ArgumentException>(
            () => With(new() { Covariances = indefinite }).Fit(data)).Message);
    }

    // k = 1 has no hidden variable: one M-step lands on the exact MAP, which the closed forms
    // below give, and which no nearby parameters beat on the penalized objective.
    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Tied)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    public void Map_with_one_component_is_the_closed_form_and_a_maximum(CovarianceType type)
    {
        const int n = 60;
        const int d = 2;
        float[,] data = Synthetic.Gaussian(n, d, seed: 13, offset: 2);
        var prior = new GaussianPrior
        {
            MeanPrecision = 3,
            MeanLocation = [0, 1],
            DegreesOfFreedom = 5,
            Scale = new double[,] { { 2, 0.3 }, { 0.3, 1 } },
        };
        GaussianMixtureOptions options = new()
        {
            ComponentCount = 1,
            CovarianceType = type,
            Prior = prior,
            CovarianceRegularization = 0,
            Tolerance = 0,
            MaxIterations = 3,
            Backend = Backend.Reference,
        };
        GaussianMixtureModel model = new GaussianMixture(options).Fit(data);

        double[] mean = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                mean[j] += data[i, j] / (double)n;
        double[] mu = [(n * mean[0] + 3 * 0) / (n + 3.0), (n * mean[1] + 3 * 1) / (n + 3.0)];
        var scatter = new double[d, d];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++)
                    scatter[a, b] += (data[i, a] - mu[a]) * (data[i, b] - mu[b]);
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
                scatter[a, b] += prior.Scale[a, b] * (type is CovarianceType.Full or CovarianceType.Tied || a == b ? 1 : 0)
                    + 3 * (mu[a] - prior.MeanLocation[a]) * (mu[b] - prior.MeanLocation[b]);
        var expected = new double[d, d];
        switch (type)
        {
            case CovarianceType.Full:
            case CovarianceType.Tied:
                for (int a = 0; a < d; a++)
                    for (int b = 0; b < d; b++)
                        expected[a, b] = scatter[a, b] / (n + 1 + 5 + d + 1);
                break;
            case CovarianceType.Diagonal:
                for (int a = 0; a < d; a++)
                    expected[a, a] = scatter[a, a] / (n + 1 + 5 + 2);
                break;
            default:
                double trace = (scatter[0, 0] - prior.Scale[0, 0] + scatter[1, 1] - prior.Scale[1, 1]) + (prior.Scale[0, 0] + prior.Scale[1, 1]) / d;
                expected[0, 0] = expected[1, 1] = trace / (n * d + d + 5 + 2);
                break;
        }
        // Closed forms evaluated in a different order: agreement to ~1e-14; 1e-11 leaves room.
        Tolerance.Close(mu, Tolerance.Flatten(model.Means), 1e-11, 1e-11, $"{type} MAP mean");
        Tolerance.Close(expected, Slice(model.Covariances, 0), 1e-11, 1e-11, $"{type} MAP covariance");

        // No nearby parameters beat the MAP on the penalized objective (its prior terms included).
        double best = model.Objective;
        double[,,] covariance = model.Covariances;
        foreach ((double dm, double scale) in new[] { (0.02, 1.0), (-0.02, 1.0), (0.0, 1.03), (0.0, 0.97), (0.01, 1.02) })
        {
            var start = new GaussianMixtureStart(
                [1.0], new double[,] { { mu[0] + dm, mu[1] - dm } }, Invert(covariance, scale, type));
            GaussianMixtureModel perturbed = new GaussianMixture(options with
            {
                Initialization = GaussianInitialization.Given,
                InitialParameters = start,
                MaxIterations = 0,
            }).Fit(data);
            Assert.True(perturbed.Objective < best,
                $"{type}: ({dm}, ×{scale}) gives {perturbed.Objective:R} ≥ MAP {best:R}");
        }
    }

    [Fact]
    public void Dirichlet_prior_on_weights_adds_pseudo_counts()
    {
        (float[,] data, int[] truth, _) = Synthetic.Mixture(90, 2, 2, seed: 31, weights: [0.8, 0.2]);
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 2,
            CovarianceType = CovarianceType.Diagonal,
            Prior = new GaussianPrior { WeightConcentration = 4 },
            Backend = Backend.Reference,
            MaxIterations = 5,
        }).FitSemiSupervised(data, truth);
        // Every point labelled: N_k are the label counts and π_k = (N_k + α − 1) / (N + k(α − 1)).
        double n0 = truth.Count(c => c == 0);
        Tolerance.Close((n0 + 3) / (90 + 6.0), model.Weights[0], 1e-12, 0, "π_0");
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Tied)]
    [InlineData(CovarianceType.Diagonal)]
    [InlineData(CovarianceType.Spherical)]
    public void Penalized_objective_never_decreases(CovarianceType type)
    {
        (float[,] data, _, _) = Synthetic.Mixture(400, 3, 3, seed: 41, separation: 2);
        foreach (Backend backend in new[] { Backend.Reference, Backend.CpuAccelerator })
        {
            GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
            {
                ComponentCount = 3,
                CovarianceType = type,
                Prior = new GaussianPrior { WeightConcentration = 2 },
                CovarianceRegularization = 0,
                Tolerance = 0,
                MaxIterations = 30,
                Backend = backend,
                Initialization = GaussianInitialization.RandomResponsibilities,
            }).Fit(data);
            // float64 reference: rounding only (1e-12); float32 kernels: 1e-6 per point.
            double slack = backend == Backend.Reference ? 1e-12 : 1e-6;
            for (int i = 1; i < model.ObjectiveHistory.Count; i++)
                Assert.True(model.ObjectiveHistory[i] >= model.ObjectiveHistory[i - 1] - slack,
                    $"{type} on {backend}: {model.ObjectiveHistory[i - 1]:R} → {model.ObjectiveHistory[i]:R}");
        }
    }

    [Fact]
    public void A_vanishing_prior_gives_the_maximum_likelihood_fit()
    {
        (float[,] data, _, _) = Synthetic.Mixture(3000, 2, 2, seed: 51);
        GaussianMixtureOptions ml = new()
        {
            ComponentCount = 2,
            Backend = Backend.Reference,
            Tolerance = 0,
            MaxIterations = 30,
            CovarianceRegularization = 0,
        };
        GaussianMixtureModel plain = new GaussianMixture(ml).Fit(data);
        GaussianMixtureModel map = new GaussianMixture(ml with
        {
            Prior = new GaussianPrior
            {
                MeanPrecision = 1e-12,
                DegreesOfFreedom = 1.5,
                Scale = new double[,] { { 1e-12, 0 }, { 0, 1e-12 } },
            },
        }).Fit(data);
        // Means and weights: the prior's pull is ~1e-12 / N. Covariances: the denominator
        // N_k + 1 + ν₀ + d + 1 = N_k + 5.5 against N_k ≈ 1500, so 5.5 / 1500 ≈ 4e-3 relative.
        Tolerance.Close(plain.Weights, map.Weights, 1e-9, 0, "weights");
        Tolerance.Close(plain.Means, map.Means, 1e-8, 1e-8, "means");
        Tolerance.Close(plain.Covariances, map.Covariances, 1e-6, 5e-3, "covariances");
    }

    [Fact]
    public void Priors_are_validated()
    {
        float[,] data = Synthetic.Gaussian(20, 2, seed: 2);
        GaussianMixture With(GaussianPrior prior) => new(new GaussianMixtureOptions
        {
            ComponentCount = 2,
            Prior = prior,
            Backend = Backend.Reference,
        });
        Assert.Contains("≥ 1", Assert.Throws<ArgumentException>(() => With(new() { WeightConcentration = 0.5 }).Fit(data)).Message);
        Assert.Contains("> d − 1", Assert.Throws<ArgumentException>(() => With(new() { DegreesOfFreedom = 0.5 }).Fit(data)).Message);
        Assert.Contains("positive definite", Assert.Throws<ArgumentException>(
            () => With(new() { Scale = new double[,] { { 1, 2 }, { 2, 1 } } }).Fit(data)).Message);
        Assert.Contains("2 finite values", Assert.Throws<ArgumentException>(() => With(new() { MeanLocation = [1] }).Fit(data)).Message);
    }

    private static double[,] Slice(double[,,] values, int component)
    {
        int d = values.GetLength(1);
        var slice = new double[d, d];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < d; j++)
                slice[i, j] = values[component, i, j];
        return slice;
    }

    private static double[,,] Invert(double[,,] covariance, double scale, CovarianceType type)
    {
        double a = covariance[0, 0, 0] * scale, b = covariance[0, 0, 1] * scale, c = covariance[0, 1, 1] * scale;
        double det = a * c - b * b;
        return type is CovarianceType.Full or CovarianceType.Tied
            ? new double[,,] { { { c / det, -b / det }, { -b / det, a / det } } }
            : new double[,,] { { { 1 / a, 0 }, { 0, 1 / c } } };
    }
}
