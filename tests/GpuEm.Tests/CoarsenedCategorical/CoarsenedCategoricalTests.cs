using GpuEm.Em;
using GpuEm.Models.CoarsenedCategorical;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.CoarsenedCategoricalTests;

/// <summary>The model's laws on random tables and coarsenings, and the fit's bookkeeping.</summary>
public sealed class CoarsenedCategoricalTests
{
    /// <summary>
    /// C = 12 cells in G = 4 groups (cell c in group c mod 4), coefficients in [0, 3) with cell 5
    /// at 0; 25 observations, each a random set of 1 to 5 distinct cells, counts in [0, 50), and
    /// one fully observed cell per group (count in [1, 5)), so that every θ_g > 0 at the maximum
    /// (a maximum on the boundary θ_g = 0 satisfies only an inequality, and EM nears it slowly).
    /// </summary>
    private static (CoarsenedCategoricalOptions Options, CoarsenedObservation[] Observations) RandomProblem(int seed)
    {
        var random = new Random(seed);
        double[] coefficients = Enumerable.Range(0, 12).Select(c => c == 5 ? 0 : 0.1 + 2.9 * random.NextDouble()).ToArray();
        int[] groups = Enumerable.Range(0, 12).Select(c => c % 4).ToArray();
        var observations = new List<CoarsenedObservation>();
        while (observations.Count < 25)
        {
            int[] cells = Enumerable.Range(0, 12).OrderBy(_ => random.Next()).Take(1 + random.Next(5)).ToArray();
            if (cells.Any(c => coefficients[c] > 0))
                observations.Add(new CoarsenedObservation(cells, 50 * random.NextDouble()));
        }
        for (int group = 0; group < 4; group++)
            observations.Add(CoarsenedObservation.Cell(8 + group, 1 + 4 * random.NextDouble()));
        return (new CoarsenedCategoricalOptions { Coefficients = coefficients, Groups = groups }, observations.ToArray());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_log_likelihood_never_decreases_on_random_coarsenings(int seed)
    {
        (CoarsenedCategoricalOptions options, CoarsenedObservation[] observations) = RandomProblem(seed);
        CoarsenedCategoricalModel model = new CoarsenedCategorical(options with { Tolerance = 0, MaxIterations = 300 })
            .Fit(observations);
        Assert.Equal(301, model.LogLikelihoodHistory.Count);
        EmLaws.NeverDecreases(model.LogLikelihoodHistory, 0, "log-likelihood", relative: 1e-12);
        Assert.True(model.LogLikelihoodHistory[^1] > model.LogLikelihoodHistory[0]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_fit_satisfies_the_optimality_conditions_of_the_observed_likelihood(int seed)
    {
        (CoarsenedCategoricalOptions options, CoarsenedObservation[] observations) = RandomProblem(seed);
        CoarsenedCategoricalModel model = new CoarsenedCategorical(options with { Tolerance = 0, MaxIterations = 20000 })
            .Fit(observations);

        // Lagrange conditions of max Σ_o n_o ln Σ_{c∈o} a_c θ_g(c) under Σ_g A_g θ_g = 1:
        // for every θ_g > 0, ∂ℓ/∂θ_g = Σ_o n_o (Σ_{c∈o, g(c)=g} a_c) / Σ_{c∈o} p_c = N · A_g.
        double[] a = [.. options.Coefficients];
        int[] g = [.. options.Groups];
        double[] theta = model.GroupParameters;
        double n = observations.Sum(o => o.Count);
        for (int group = 0; group < 4; group++)
        {
            Assert.True(theta[group] > 0);
            double gradient = observations.Sum(o =>
                o.Count * o.Cells.Where(c => g[c] == group).Sum(c => a[c]) / o.Cells.Sum(c => a[c] * theta[g[c]]));
            double groupSum = Enumerable.Range(0, 12).Where(c => g[c] == group).Sum(c => a[c]);
            // Linear convergence run to its float64 fixed point; the bound leaves room for a
            // slowly converging direction.
            Tolerance.Close(n * groupSum, gradient, 0, 1e-9, $"∂ℓ/∂θ_{group}");
        }
        Tolerance.Close(1, model.CellProbabilities.Sum(), 1e-14, 0, "Σ p");
        Tolerance.Close(n, model.ExpectedCellCounts.Sum(), 0, 1e-13, "Σ n_c");
        Assert.Equal(0, model.CellProbabilities[5]);
    }

    [Fact]
    public void Progress_reports_every_iteration_with_the_history_as_objective()
    {
        var reports = new List<FitProgress>();
        CoarsenedCategoricalOptions options = SkiCentre.Options(maxIterations: 7) with
        {
            Progress = new SynchronousProgress<FitProgress>(reports.Add),
        };
        CoarsenedCategoricalModel model = new CoarsenedCategorical(options)
            .Fit([SkiCentre.T0(40), SkiCentre.T1(20), SkiCentre.S0(30), SkiCentre.S1(50)]);

        FitProgress[] iterations = reports.Where(r => r.Warning is null && r.Phase == FitPhase.Iterating).ToArray();
        Assert.Equal(model.LogLikelihoodHistory, iterations.Select(r => r.Objective));
        Assert.Equal(Enumerable.Range(0, 8), iterations.Select(r => r.Iteration));
        Assert.False(model.Converged);
        Assert.Contains(reports, r => r.Warning is not null && r.Warning.Contains("Did not converge", StringComparison.Ordinal));
    }

    [Fact]
    public void The_default_tolerance_converges_close_to_the_maximizer()
    {
        CoarsenedObservation[] observations = [SkiCentre.T0(40), SkiCentre.T1(20), SkiCentre.S0(30), SkiCentre.S1(50)];
        CoarsenedCategoricalModel model = new CoarsenedCategorical(new CoarsenedCategoricalOptions
        {
            Coefficients = SkiCentre.Coefficients,
            Groups = SkiCentre.Groups,
        }).Fit(observations);
        Assert.True(model.Converged);
        Assert.True(model.Iterations < CoarsenedCategoricalOptions.Defaults.MaxIterations);
        // Tolerance 1e-10 per unit count leaves θ of order √1e-10 = 1e-5 from the maximizer.
        Tolerance.Close(SkiCentre.DirectMaximizer(observations), model.GroupParameters[0], 1e-5, 0, "a");
    }

    [Fact]
    public void Zero_counts_contribute_nothing_even_on_cells_of_probability_zero()
    {
        var options = new CoarsenedCategoricalOptions { Coefficients = [1, 5, 3, 0], Groups = SkiCentre.Groups };
        CoarsenedObservation[] data = [SkiCentre.T0(40), SkiCentre.T1(20), SkiCentre.S0(30)];
        CoarsenedCategoricalModel with = new CoarsenedCategorical(options)
            .Fit([.. data, CoarsenedObservation.Cell(SkiCentre.T1S1, 0), SkiCentre.S1(0)]);
        CoarsenedCategoricalModel without = new CoarsenedCategorical(options).Fit(data);
        Assert.Equal(without.GroupParameters, with.GroupParameters);
        Assert.Equal(without.LogLikelihoodHistory, with.LogLikelihoodHistory);
        Assert.True(double.IsFinite(with.LogLikelihood));
    }

    [Fact]
    public void A_cancelled_fit_returns_the_start_flagged_cancelled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        CoarsenedCategoricalModel model = new CoarsenedCategorical(SkiCentre.Options())
            .Fit([SkiCentre.T0(40), SkiCentre.S1(50)], cancelled.Token);
        Assert.True(model.Cancelled);
        Assert.False(model.Converged);
        Assert.Equal(0, model.Iterations);
    }

    [Fact]
    public void The_fitted_model_and_the_observation_do_not_share_arrays_with_the_caller()
    {
        int[] cells = [SkiCentre.T0S0, SkiCentre.T0S1];
        var observation = new CoarsenedObservation(cells, 3);
        cells[0] = 99;
        Assert.Equal([SkiCentre.T0S0, SkiCentre.T0S1], observation.Cells);

        CoarsenedCategoricalModel model = new CoarsenedCategorical(SkiCentre.Options()).Fit([observation, SkiCentre.T1(1)]);
        model.GroupParameters[0] = -1;
        model.CellProbabilities[0] = -1;
        Assert.True(model.GroupParameters[0] > 0);
        Assert.True(model.CellProbabilities[0] > 0);
    }
}
