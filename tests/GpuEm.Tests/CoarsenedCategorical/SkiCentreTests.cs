using GpuEm.Models.CoarsenedCategorical;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.CoarsenedCategoricalTests;

/// <summary>The worked ski-centre example: complete counts (example 1) and marginals (example 2).</summary>
public sealed class SkiCentreTests
{
    [Theory]
    [InlineData(12, 58, 22, 8)]
    [InlineData(3, 17, 40, 9)]
    [InlineData(0.5, 7.25, 1.75, 0.125)]
    public void Complete_counts_give_the_closed_form_a_and_b(double n00, double n01, double n10, double n11)
    {
        CoarsenedObservation[] observations =
        [
            CoarsenedObservation.Cell(SkiCentre.T0S0, n00),
            CoarsenedObservation.Cell(SkiCentre.T0S1, n01),
            CoarsenedObservation.Cell(SkiCentre.T1S0, n10),
            CoarsenedObservation.Cell(SkiCentre.T1S1, n11),
        ];
        CoarsenedCategoricalModel model =
            new CoarsenedCategorical(SkiCentre.Options(tolerance: 1e-12)).Fit(observations);

        double n = n00 + n01 + n10 + n11;
        double[] theta = model.GroupParameters;
        // Complete data: every count lands in its own cell (p_c / p_c = 1 exactly), so one
        // M-step is the closed form up to the rounding of a few sums and one division.
        Tolerance.Close((n00 + n01) / (6 * n), theta[0], 1e-12, 0, "a");
        Tolerance.Close((n10 + n11) / (4 * n), theta[1], 1e-12, 0, "b");
        Tolerance.Close([n00, n01, n10, n11], model.ExpectedCellCounts, 1e-12, 0, "expected counts");
        Tolerance.Close(1, model.CellProbabilities.Sum(), 1e-15, 0, "Σ p");
        Assert.True(model.Converged);
        Assert.Equal(n, model.TotalCount);
    }

    [Fact]
    public void The_default_start_is_uniform_theta_on_the_constraint()
    {
        CoarsenedCategoricalModel model = new CoarsenedCategorical(SkiCentre.Options(maxIterations: 0))
            .Fit([SkiCentre.T0(1)]);
        // θ_g = 1 / Σ_c a_c = 1/10 for both groups: 6a + 4b = 1.
        Assert.Equal([0.1, 0.1], model.GroupParameters);
        Assert.Equal(0, model.Iterations);
    }

    [Fact]
    public void One_iteration_from_marginals_is_the_hand_written_E_and_M_step()
    {
        const double t0 = 40, t1 = 20, s0 = 30, s1 = 50;
        const double a = 0.12, b = 0.07;
        CoarsenedCategoricalModel model = new CoarsenedCategorical(SkiCentre.Options(maxIterations: 1) with
        {
            InitialGroupParameters = [a, b],
        }).Fit([SkiCentre.T0(t0), SkiCentre.T1(t1), SkiCentre.S0(s0), SkiCentre.S1(s1)]);

        // The seed's "思路三": fill in the missing half of each observation, then example 1's MLE.
        double n00 = t0 / 6 + s0 * a / (a + 3 * b);
        double n01 = t0 * 5 / 6 + s1 * 5 * a / (5 * a + b);
        double n10 = t1 * 3 / 4 + s0 * 3 * b / (a + 3 * b);
        double n11 = t1 / 4 + s1 * b / (5 * a + b);
        double n = n00 + n01 + n10 + n11;
        double[] theta = model.GroupParameters;
        // A handful of float64 operations in a different order: a few ulps.
        Tolerance.Close((n00 + n01) / (6 * n), theta[0], 0, 1e-14, "a'");
        Tolerance.Close((n10 + n11) / (4 * n), theta[1], 0, 1e-14, "b'");
        Assert.Equal(1, model.Iterations);
    }

    [Theory]
    [InlineData(40, 20, 30, 50)]
    [InlineData(13, 29, 31, 11)]
    [InlineData(1000, 1, 2, 3)]
    public void Marginal_counts_reach_the_maximizer_of_the_observed_log_likelihood(
        double t0, double t1, double s0, double s1)
    {
        CoarsenedObservation[] observations =
            [SkiCentre.T0(t0), SkiCentre.T1(t1), SkiCentre.S0(s0), SkiCentre.S1(s1)];
        CoarsenedCategoricalModel model = new CoarsenedCategorical(SkiCentre.Options(maxIterations: 5000))
            .Fit(observations);

        double a = SkiCentre.DirectMaximizer(observations);
        double[] theta = model.GroupParameters;
        // EM converges linearly; with tolerance 0 it runs until the iterates stop moving in
        // float64, far inside the 1e-8 asked for.
        Tolerance.Close(a, theta[0], 1e-8, 0, "a");
        Tolerance.Close(SkiCentre.B(a), theta[1], 1e-8, 0, "b");
        Tolerance.Close(1, 6 * theta[0] + 4 * theta[1], 1e-15, 0, "6a + 4b");
        // The reported value is the observed-data log-likelihood at the fitted θ, and no lower
        // than at the direct maximizer. Bound: terms count · ln(mass) of size up to N·|ln p| cancel
        // to a small total, so the rounding is relative to N, not to the total.
        double n = t0 + t1 + s0 + s1;
        Tolerance.Close(SkiCentre.LogLikelihood(theta[0], observations), model.LogLikelihood, 1e-13 * n, 0, "log-likelihood");
        Assert.True(model.LogLikelihood >= SkiCentre.LogLikelihood(a, observations) - 1e-13 * n);
    }

    [Fact]
    public void Full_cells_and_marginals_mixed_reach_the_direct_maximizer()
    {
        CoarsenedObservation[] observations =
        [
            CoarsenedObservation.Cell(SkiCentre.T0S0, 4),
            CoarsenedObservation.Cell(SkiCentre.T0S1, 21),
            CoarsenedObservation.Cell(SkiCentre.T1S0, 9),
            CoarsenedObservation.Cell(SkiCentre.T1S1, 2.5),
            SkiCentre.T0(17),
            SkiCentre.T1(6),
            SkiCentre.S0(11.5),
            SkiCentre.S1(30),
            // "anything but (t1,s1)": a three-cell coarsening.
            new CoarsenedObservation([SkiCentre.T0S0, SkiCentre.T0S1, SkiCentre.T1S0], 5),
        ];
        CoarsenedCategoricalModel model = new CoarsenedCategorical(SkiCentre.Options(maxIterations: 5000))
            .Fit(observations);

        double a = SkiCentre.DirectMaximizer(observations);
        double[] theta = model.GroupParameters;
        Tolerance.Close(a, theta[0], 1e-8, 0, "a");
        Tolerance.Close(SkiCentre.B(a), theta[1], 1e-8, 0, "b");
        Tolerance.Close(observations.Sum(o => o.Count), model.ExpectedCellCounts.Sum(), 0, 1e-14, "Σ n_c = N");
        EmLaws.NeverDecreases(model.LogLikelihoodHistory, 0, "log-likelihood", relative: 1e-12);
    }
}
