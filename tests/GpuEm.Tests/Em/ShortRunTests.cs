using GpuEm.Em;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;
using Xunit;

namespace GpuEm.Tests.Em;

/// <summary>
/// Short-run selection (<see cref="RestartStrategy.ShortRuns"/>, emEM): which starts are kept,
/// that a continued run is the run its start makes alone, the work counted, and that with every
/// start continued it is the independent restarts' fit to the bit, for a mixture and for k-means
/// (whose engine keeps per-point labels between E-steps).
/// </summary>
public sealed class ShortRunTests
{
    // Start s climbs from Final[s] − Gap[s] towards Final[s], halving the gap each iteration: the
    // short runs' order (by the objective after a few iterations) differs from the final order.
    private sealed class Climb(double[] final, double[] gap) : ObjectiveChangeSolver<(int Start, int Step), int>
    {
        public List<(int Start, int Step)> Evaluated { get; } = [];

        public override (int Statistics, double Objective) Expect((int Start, int Step) p)
        {
            Evaluated.Add(p);
            return (0, final[p.Start] - gap[p.Start] * Math.Pow(0.5, p.Step));
        }

        public override (int Start, int Step) Maximize(int statistics, (int Start, int Step) current) => (current.Start, current.Step + 1);
    }

    private static readonly double[] Final = [-5, -1, -3, -2, -4, 0.5];
    private static readonly double[] Gap = [1, 40, 2, 1, 0.5, 64];

    [Fact]
    public void TheBestShortRunsGoOnExactlyAsTheyWouldAloneAndTheBestOfThemWins()
    {
        var solver = new Climb(Final, Gap);
        // After 3 iterations: −5.125, −6, −3.25, −2.125, −4.0625, −7.5: starts 3 and 2 lead; 1 and 5 (the best in the end) trail.
        EmRun<(int, int), int> run = EmDriver.Run(
            solver, s => (s, 0), new EmLoopSettings(60, 1e-9, Restarts: 1, new ShortRunPlan(6, 3, 2)), null, CancellationToken.None);
        Assert.Equal((3, run.Iterations), run.Parameters);
        Assert.Equal(3, run.Restart);

        var alone = new Climb(Final, Gap);
        EmRun<(int, int), int> solo = EmDriver.Run(alone, _ => (3, 0), new EmLoopSettings(60, 1e-9, 1), null, CancellationToken.None);
        Assert.Equal(solo.History, run.History);
        Assert.Equal(solo.Iterations, run.Iterations);
        Assert.Equal(solo.Objective, run.Objective);
        Assert.True(run.Converged);
        // Work: 6 short runs of 4 E-steps, start 3 restored by one E-step (start 5 ran last) and
        // run on, then start 2 likewise.
        int continued3 = solo.Iterations - 3, continued2 = solver.Evaluated.Count(p => p.Start == 2) - 4 - 1;
        Assert.Equal(6 * 4 + 1 + continued3 + 1 + continued2, run.EStepsRun);
        Assert.Equal(solver.Evaluated.Count, run.EStepsRun);
        Assert.DoesNotContain(solver.Evaluated, p => p.Start is 0 or 1 or 4 or 5 && p.Step > 3);
    }

    [Fact]
    public void MaxIterationsBoundsEveryRunAndShortRunsThatConvergeAreNotContinued()
    {
        var solver = new Climb(Final, Gap);
        // Tolerance 0.3: start 4 (gap 0.5) converges within its short run; the others stop at 6 iterations in all.
        EmRun<(int, int), int> run = EmDriver.Run(
            solver, s => (s, 0), new EmLoopSettings(6, 0.3, Restarts: 1, new ShortRunPlan(6, 3, 6)), null, CancellationToken.None);
        Assert.All(solver.Evaluated, p => Assert.InRange(p.Step, 0, 6));
        Assert.Equal(5, run.Parameters.Item1);
        Assert.Equal(6, run.Iterations);
        Assert.True(solver.Evaluated.Count(p => p.Start == 4) <= 4);
    }

    private static float[,] Blobs(int seed)
    {
        var random = new Random(seed);
        var x = new float[300, 3];
        for (int i = 0; i < 300; i++)
        {
            int c = i % 5;
            for (int j = 0; j < 3; j++)
                x[i, j] = (float)(c * (j + 1) * 0.8 + random.NextDouble() * 2.5);
        }
        return x;
    }

    [Theory]
    [InlineData(CovarianceType.Full)]
    [InlineData(CovarianceType.Diagonal)]
    public void WithEveryStartContinuedAMixtureIsTheIndependentRestartsFit(CovarianceType covariance)
    {
        float[,] x = Blobs(4);
        var independent = new GaussianMixtureOptions
        {
            ComponentCount = 5,
            CovarianceType = covariance,
            Restarts = 6,
            Seed = 9,
            Backend = Backend.Reference,
            Initialization = GaussianInitialization.RandomPoints,
        };
        GaussianMixtureModel plain = new GaussianMixture(independent).Fit(x);
        GaussianMixtureModel all = new GaussianMixture(independent with
        {
            RestartStrategy = RestartStrategy.ShortRuns,
            ShortRunStarts = 6,
            ShortRunIterations = 2,
            ShortRunsContinued = 6,
        }).Fit(x);
        Assert.Equal(plain.Means, all.Means);
        Assert.Equal(plain.Weights, all.Weights);
        Assert.Equal(plain.LogLikelihood, all.LogLikelihood);
        Assert.Equal(plain.Summary.ObjectiveHistory, all.Summary.ObjectiveHistory);

        // Keeping fewer never beats keeping all, and the result is one start's full run.
        GaussianMixtureModel two = new GaussianMixture(independent with
        {
            RestartStrategy = RestartStrategy.ShortRuns,
            ShortRunStarts = 6,
            ShortRunIterations = 2,
            ShortRunsContinued = 2,
        }).Fit(x);
        Assert.True(two.LogLikelihood <= all.LogLikelihood);
        Assert.True(two.Summary.EStepsRun < all.Summary.EStepsRun);
    }

    [Fact]
    public void WithEveryStartContinuedKMeansIsTheIndependentRestartsFitDespiteItsLabelState()
    {
        float[,] x = Blobs(7);
        var independent = new KMeansOptions { ClusterCount = 6, Restarts = 5, Seed = 3, Backend = Backend.Reference, Initialization = KMeansInitialization.RandomPoints };
        KMeansModel plain = new KMeans(independent).Fit(x);
        KMeansModel all = new KMeans(independent with
        {
            RestartStrategy = RestartStrategy.ShortRuns,
            ShortRunStarts = 5,
            ShortRunIterations = 1,
            ShortRunsContinued = 5,
        }).Fit(x);
        Assert.Equal(plain.Centres, all.Centres);
        Assert.Equal(plain.Inertia, all.Inertia);
        Assert.Equal(plain.Iterations, all.Iterations);
        Assert.Equal(plain.Predict(x), all.Predict(x));
        // The same runs, plus at most one restoring E-step per continued start.
        Assert.InRange(all.Summary.EStepsRun, plain.Summary.EStepsRun, plain.Summary.EStepsRun + 5);
    }

    [Fact]
    public void TheDefaultPlanFollowsRestartsAndBadSettingsNameTheirProperty()
    {
        var options = new KMeansOptions { ClusterCount = 2, Restarts = 10, RestartStrategy = RestartStrategy.ShortRuns };
        Assert.Equal(new ShortRunPlan(40, 5, 3), options.ShortRunPlan());
        Assert.Null((options with { RestartStrategy = RestartStrategy.Independent }).ShortRunPlan());
        Assert.Equal("ShortRunsContinued", Assert.Throws<ArgumentOutOfRangeException>(
            () => new KMeans(options with { ShortRunStarts = 3, ShortRunsContinued = 4 })).ParamName);
        Assert.Equal("ShortRunIterations", Assert.Throws<ArgumentOutOfRangeException>(
            () => new KMeans(options with { ShortRunIterations = 0 })).ParamName);
        Assert.Equal("ShortRunStarts", Assert.Throws<ArgumentOutOfRangeException>(
            () => new KMeans(options with { ShortRunStarts = -1 })).ParamName);
        Assert.Equal("RestartStrategy", Assert.Throws<ArgumentOutOfRangeException>(
            () => new KMeans(options with { RestartStrategy = (RestartStrategy)7 })).ParamName);
    }
}

/// <summary>The search strategies decide alike on the reference engine and on an accelerator engine (ILGPU's CPU accelerator).</summary>
public sealed class SearchAcrossBackendsTests
{
    private static float[,] Blobs()
    {
        var random = new Random(21);
        var x = new float[160, 2];
        for (int i = 0; i < 160; i++)
        {
            x[i, 0] = (float)(i % 4 * 6 + random.NextDouble());
            x[i, 1] = (float)(i % 2 * 6 + random.NextDouble());
        }
        return x;
    }

    [Fact]
    public void ShortRunsAndHartiganMovesPickTheSamePartitionOnBothEngines()
    {
        float[,] x = Blobs();
        var options = new KMeansOptions
        {
            ClusterCount = 4,
            Restarts = 3,
            Seed = 6,
            RestartStrategy = RestartStrategy.ShortRuns,
            ShortRunStarts = 5,
            ShortRunIterations = 1,
            ShortRunsContinued = 2,
            HartiganMoves = true,
            Initialization = KMeansInitialization.RandomPoints,
        };
        KMeansModel reference = new KMeans(options with { Backend = Backend.Reference }).Fit(x);
        KMeansModel accelerator = new KMeans(options with { Backend = Backend.CpuAccelerator }).Fit(x);
        Assert.Equal(reference.Labels, accelerator.Labels);
        Assert.Equal(reference.Inertia, accelerator.Inertia, reference.Inertia * 1e-5);
        Assert.Equal(reference.Summary.EStepsRun, accelerator.Summary.EStepsRun);
    }

    [Fact]
    public void SplitMergeAndHierarchicalStartsGiveTheSameMixtureOnBothEngines()
    {
        float[,] x = Blobs();
        var options = new GaussianMixtureOptions
        {
            ComponentCount = 4,
            CovarianceType = CovarianceType.Diagonal,
            Restarts = 2,
            HierarchicalFirstStarts = true,
            SplitMergeTrials = 3,
        };
        GaussianMixtureModel reference = new GaussianMixture(options with { Backend = Backend.Reference }).Fit(x);
        GaussianMixtureModel accelerator = new GaussianMixture(options with { Backend = Backend.CpuAccelerator }).Fit(x);
        Assert.Equal(reference.SplitMergeMoves, accelerator.SplitMergeMoves);
        Assert.Equal(reference.LogLikelihood, accelerator.LogLikelihood, Math.Abs(reference.LogLikelihood) * 1e-5);
        Assert.Equal(reference.Predict(x), accelerator.Predict(x));
    }
}
