using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Progress;

/// <summary>What a fit reports as it runs: its phases in order, for every restart, and nothing
/// that changes the fitted model.</summary>
public sealed class FitProgressTests
{
    private static (float[,] Data, int[] Labels, double[,] Means) Blobs() =>
        Synthetic.Mixture(600, 2, 3, seed: 21, separation: 4);

    // The phases in the order reported, consecutive repeats collapsed, with their restart.
    private static List<(FitPhase Phase, int Restart)> Sequence(IEnumerable<FitProgress> reports)
    {
        var sequence = new List<(FitPhase, int)>();
        foreach (FitProgress r in reports.Where(r => r.Warning is null))
            if (sequence.Count == 0 || sequence[^1] != (r.Phase, r.Restart))
                sequence.Add((r.Phase, r.Restart));
        return sequence;
    }

    [Fact]
    public void A_gaussian_fit_with_restarts_and_a_kmeans_start_reports_every_phase_in_order()
    {
        var reports = new List<FitProgress>();
        (float[,] data, _, _) = Blobs();
        GaussianMixtureModel model = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 3,
            Restarts = 3,
            Initialization = GaussianInitialization.KMeans,
            Backend = Backend.Reference,
            Progress = new SynchronousProgress<FitProgress>(reports.Add),
        }).Fit(data);

        var expected = new List<(FitPhase, int)> { (FitPhase.Validating, 0), (FitPhase.Preparing, 0) };
        for (int restart = 0; restart < 3; restart++)
            expected.AddRange([(FitPhase.Seeding, restart), (FitPhase.KMeansStart, restart), (FitPhase.Iterating, restart)]);
        expected.Add((FitPhase.Finished, reports[^1].Restart));
        Assert.Equal(expected, Sequence(reports));

        // Each phase of fractions begins at 0 and ends at 1; seeding (k-means++ in the k-means
        // start) is throttled: at most its two ends and one report per 100 ms between.
        foreach (FitPhase phase in new[] { FitPhase.Validating, FitPhase.Preparing, FitPhase.Seeding })
        {
            FitProgress[] ofPhase = reports.Where(r => r.Phase == phase && r.Warning is null).ToArray();
            Assert.Equal(0, ofPhase[0].Fraction);
            Assert.Equal(1, ofPhase[^1].Fraction);
            // Each end once per restart (k-means++ reports its last centre as the phase's end).
            Assert.Equal(phase == FitPhase.Seeding ? 3 : 1, ofPhase.Count(r => r.Fraction == 1));
        }
        Assert.All(reports.Where(r => r.Phase is FitPhase.Seeding or FitPhase.KMeansStart or FitPhase.Iterating),
            r => Assert.Equal(3, r.Restarts));

        // Every restart's iterations count 0, 1, … up; the winner's end at the model's count,
        // with its objective, and the finished report says so.
        FitProgress finished = Assert.Single(reports, r => r.Phase == FitPhase.Finished);
        for (int restart = 0; restart < 3; restart++)
        {
            int[] iterations = reports.Where(r => r.Phase == FitPhase.Iterating && r.Warning is null && r.Restart == restart)
                .Select(r => r.Iteration).ToArray();
            Assert.Equal(Enumerable.Range(0, iterations.Length), iterations);
            int[] start = reports.Where(r => r.Phase == FitPhase.KMeansStart && r.Warning is null && r.Restart == restart)
                .Select(r => r.Iteration).ToArray();
            Assert.Equal(Enumerable.Range(0, start.Length), start);
        }
        FitProgress last = reports.Last(r => r.Phase == FitPhase.Iterating && r.Restart == finished.Restart);
        Assert.Equal(model.Iterations, last.Iteration);
        Assert.Equal(model.Iterations, finished.Iteration);
        Assert.Equal(model.MeanLogLikelihood, last.Objective);
        Assert.Equal(model.MeanLogLikelihood, finished.Objective);
        Assert.Equal("mean log-likelihood", last.ObjectiveName);
        Assert.Equal(100, last.MaxIterations);
        // The k-means start reports its inertia: positive.
        Assert.All(reports.Where(r => r.Phase == FitPhase.KMeansStart && r.Warning is null), r =>
        {
            Assert.Equal("inertia", r.ObjectiveName);
            Assert.True(r.Objective > 0);
        });
    }

    [Fact]
    public void A_kmeans_fit_reports_its_seeding_and_a_positive_inertia_that_ends_at_the_models()
    {
        var reports = new List<FitProgress>();
        (float[,] data, _, _) = Blobs();
        KMeansModel model = new KMeans(new KMeansOptions
        {
            ClusterCount = 3,
            Restarts = 2,
            Backend = Backend.Reference,
            Progress = new SynchronousProgress<FitProgress>(reports.Add),
        }).Fit(data);

        Assert.Equal(
            [(FitPhase.Validating, 0), (FitPhase.Preparing, 0), (FitPhase.Seeding, 0), (FitPhase.Iterating, 0),
             (FitPhase.Seeding, 1), (FitPhase.Iterating, 1), (FitPhase.Finished, reports[^1].Restart)],
            Sequence(reports));
        FitProgress[] iterations = reports.Where(r => r.Phase == FitPhase.Iterating && r.Warning is null).ToArray();
        Assert.All(iterations, r => Assert.True(r.Objective > 0));
        FitProgress finished = reports[^1];
        Assert.Equal(model.Inertia, finished.Objective);
        Assert.Equal(model.Inertia, iterations.Last(r => r.Restart == finished.Restart).Objective);
        Assert.Equal(model.Iterations, finished.Iteration);
        Assert.Equal("inertia", finished.ObjectiveName);
    }

    [Fact]
    public void A_phase_reports_its_ends_once_and_throttles_what_lies_between()
    {
        var reports = new List<FitProgress>();
        PhaseProgress phase = PhaseProgress.Begin(new SynchronousProgress<FitProgress>(reports.Add), FitPhase.Seeding)!;
        phase.Report(0.1);
        phase.Report(0.2);
        // Past the interval a report goes through, but the end is Done's alone.
        Thread.Sleep(PhaseProgress.Interval + TimeSpan.FromMilliseconds(20));
        phase.Report(1);
        phase.Done();
        Assert.Equal([0.0, 1.0], reports.Select(r => r.Fraction));
        Assert.All(reports, r => Assert.Equal(FitPhase.Seeding, r.Phase));
    }

    [Fact]
    public void Reporting_progress_leaves_the_fitted_models_bit_identical()
    {
        (float[,] data, _, _) = Blobs();
        var sink = new SynchronousProgress<FitProgress>(_ => { });
        var mixture = new GaussianMixtureOptions { ComponentCount = 3, Restarts = 2, Backend = Backend.Reference };
        GaussianMixtureModel quiet = new GaussianMixture(mixture).Fit(data);
        GaussianMixtureModel reported = new GaussianMixture(mixture with { Progress = sink }).Fit(data);
        Assert.Equal(quiet.Weights, reported.Weights);
        Assert.Equal(Tolerance.Flatten(quiet.Means), Tolerance.Flatten(reported.Means));
        Assert.Equal(quiet.Covariances.Cast<double>(), reported.Covariances.Cast<double>());
        Assert.Equal(quiet.ObjectiveHistory, reported.ObjectiveHistory);
        Assert.Equal(quiet.Iterations, reported.Iterations);

        var clusters = new KMeansOptions { ClusterCount = 3, Restarts = 2, Backend = Backend.Reference };
        KMeansModel plain = new KMeans(clusters).Fit(data);
        KMeansModel watched = new KMeans(clusters with { Progress = sink }).Fit(data);
        Assert.Equal(Tolerance.Flatten(plain.Centres), Tolerance.Flatten(watched.Centres));
        Assert.Equal(plain.Labels, watched.Labels);
        Assert.Equal(plain.InertiaHistory, watched.InertiaHistory);
    }

    [Fact]
    public void A_source_read_into_memory_reports_reading_then_validating()
    {
        string path = Path.Combine(Path.GetTempPath(), $"gpuem-progress-{Guid.NewGuid():N}.csv");
        File.WriteAllLines(path, Enumerable.Range(0, 300).Select(i => $"{i % 7},{i % 5 * 2}"));
        try
        {
            var reports = new List<FitProgress>();
            using CsvDataSource source = CsvDataSource.Open(path);
            new KMeans(new KMeansOptions
            {
                ClusterCount = 2,
                Backend = Backend.Reference,
                Progress = new SynchronousProgress<FitProgress>(reports.Add),
            }).Fit(source);
            Assert.Equal([FitPhase.Reading, FitPhase.Validating, FitPhase.Preparing],
                Sequence(reports).Select(s => s.Phase).Take(3));
            Assert.Equal(1, reports.Last(r => r.Phase == FitPhase.Reading).Fraction);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Model_selection_labels_every_report_with_its_k_and_covariance_type()
    {
        var reports = new List<FitProgress>();
        (float[,] data, _, _) = Blobs();
        GaussianMixture.SelectComponents(data, [1, 2], [CovarianceType.Full, CovarianceType.Diagonal],
            baseOptions: new GaussianMixtureOptions
            {
                Backend = Backend.Reference,
                Progress = new SynchronousProgress<FitProgress>(reports.Add),
            });
        string[] labels = reports.Where(r => r.Phase == FitPhase.Iterating).Select(r => r.Label ?? "").Distinct().ToArray();
        Assert.Equal(
            ["k = 1, Full (1 of 4)", "k = 2, Full (2 of 4)", "k = 1, Diagonal (3 of 4)", "k = 2, Diagonal (4 of 4)"],
            labels);
    }
}
