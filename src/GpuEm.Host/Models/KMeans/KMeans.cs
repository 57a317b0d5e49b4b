using GpuEm.Data;
using GpuEm.Em;
using GpuEm.Engines;

namespace GpuEm.Models.KMeans;

/// <summary>
/// K-means as hard-assignment EM (Lloyd's algorithm) on the shared EM driver:
/// <c>new KMeans(options).Fit(data)</c> returns an immutable <see cref="KMeansModel"/>.
/// </summary>
public sealed class KMeans
{
    /// <summary>Creates an estimator; the options are validated here.</summary>
    /// <param name="options">Settings.</param>
    public KMeans(KMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The settings of this estimator.</summary>
    public KMeansOptions Options { get; }

    /// <summary>Fits k-means to n × d data (copied; never modified).</summary>
    /// <param name="data">n × d, every value finite.</param>
    /// <param name="sampleWeights">Optional non-negative weight per point.</param>
    /// <param name="cancellationToken">Stops after the current iteration; the last completed
    /// model is returned, flagged cancelled.</param>
    /// <returns>The fitted model.</returns>
    public KMeansModel Fit(float[,] data, float[]? sampleWeights = null, CancellationToken cancellationToken = default) =>
        Fit(Validated(() => DataMatrix.From(data, sampleWeights)), cancellationToken);

    /// <summary>Fits k-means to row-major data (read, never modified or copied).</summary>
    /// <param name="data">Row-major n × d.</param>
    /// <param name="rows">n.</param>
    /// <param name="columns">d.</param>
    /// <param name="sampleWeights">Optional weights.</param>
    /// <param name="cancellationToken">As in the other overload.</param>
    /// <returns>The fitted model.</returns>
    public KMeansModel Fit(
        ReadOnlyMemory<float> data, int rows, int columns, float[]? sampleWeights = null,
        CancellationToken cancellationToken = default) =>
        Fit(Validated(() => DataMatrix.From(data, rows, columns, sampleWeights)), cancellationToken);

    /// <summary>
    /// Fits k-means to a data source (a .npy, raw float32 or CSV file, or an array). float32 files
    /// are mapped and used in place; other sources are read into memory once.
    /// </summary>
    /// <param name="source">The rows (kept open by the caller for the fit's duration).</param>
    /// <param name="sampleWeights">Optional non-negative weight per row.</param>
    /// <param name="cancellationToken">Stops after the current iteration.</param>
    /// <returns>The fitted model.</returns>
    public KMeansModel Fit(IDataSource source, float[]? sampleWeights = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Fit(DataMatrix.FromSource(source, sampleWeights, progress: Options.Progress), cancellationToken);
    }

    // The data's validation as the fit's Validating phase.
    private DataMatrix Validated(Func<DataMatrix> validate) =>
        PhaseProgress.Run(Options.Progress, FitPhase.Validating, validate);

    internal KMeansModel Fit(DataMatrix data, CancellationToken cancellationToken) =>
        Fit(data, handle => handle is null
            ? new ReferenceKMeansEngine(data)
            : new AcceleratorKMeansEngine(handle, data, Options.ClusterCount, Options.DeviceMemoryLimit), cancellationToken);

    /// <summary>The fit on a given engine (a test seam: the engine sees every E-step).</summary>
    internal KMeansModel Fit(DataMatrix data, IKMeansEngine engine, CancellationToken cancellationToken) =>
        Fit(data, _ => engine, cancellationToken);

    private KMeansModel Fit(DataMatrix data, Func<AcceleratorHandle?, IKMeansEngine> createEngine, CancellationToken cancellationToken)
    {
        KMeansOptions o = Options;
        int k = o.ClusterCount;
        EmFit.RequireCount(k, data.Rows, "ClusterCount");
        if (o.InitialCentres is not null && o.Initialization == KMeansInitialization.Given
            && o.InitialCentres.GetLength(1) != data.Columns)
            throw new ArgumentException(
                $"InitialCentres has {o.InitialCentres.GetLength(1)} columns; the data has {data.Columns}.", "data");

        return EmFit.Run<IKMeansEngine, KMeansSolver, KMeansParameters, KMeansStatistics, KMeansModel>(
            o,
            createEngine,
            engine => new KMeansSolver(engine, data, MeanColumnVariance(data), o.Progress),
            (engine, start) => new KMeansParameters(k, data.Columns, InitialCentres(o, data, engine, start)),
            fit =>
            {
                // The engine holds the labels of its last E-step: the winning run's own unless a
                // later restart ran, in which case one more E-step at the winning centres restores
                // them (and gives the same inertia: the E-step depends on the centres only).
                KMeansStatistics final = fit.Run.IsLastRun ? fit.Run.Statistics : fit.Engine.Expect(fit.Run.Parameters);
                KMeansParameters parameters = fit.Run.Parameters;
                long moves = 0;
                if (o.HartiganMoves && !fit.Run.Cancelled)
                {
                    int[] labels = fit.Engine.Labels();
                    (double[] centres, moves, _) = HartiganMoves.Refine(data, labels, k, o.MaxHartiganSweeps);
                    if (moves > 0)
                    {
                        // One E-step at the moved centres: labels and inertia exact for them.
                        var moved = parameters with { Centres = centres };
                        KMeansStatistics after = fit.Engine.Expect(moved);
                        if (after.Inertia < final.Inertia)
                            (parameters, final) = (moved, after);
                        else
                        {
                            fit.Engine.Expect(parameters);
                            moves = 0;
                        }
                    }
                }
                return new KMeansModel(parameters, fit.Engine.Labels(), final.Inertia, fit.Summary, fit.Solver.Reseeded)
                {
                    HartiganMoves = moves,
                };
            },
            cancellationToken);
    }

    private static double[] InitialCentres(KMeansOptions o, DataMatrix data, IKMeansEngine engine, EmStart start)
    {
        int d = data.Columns;
        var random = new Random(start.Seed);
        switch (o.Initialization)
        {
            case KMeansInitialization.Given:
                var centres = new double[o.ClusterCount * d];
                for (int c = 0; c < o.ClusterCount; c++)
                    for (int j = 0; j < d; j++)
                        centres[c * d + j] = o.InitialCentres![c, j];
                return centres;
            case KMeansInitialization.RandomPoints:
                return Searched(Seeding.RandomPoints(data, o.ClusterCount, random, start.BeginSeeding()));
            default:
                return Searched(engine.SeedKMeansPlusPlus(o.ClusterCount, random, start.BeginSeeding()));
        }

        // LocalSearch++ on the seeding, continuing the restart's random stream.
        double[] Searched(double[] seeded)
        {
            if (o.SeedingLocalSearch > 0)
                SeedingLocalSearch.Improve(data, seeded, o.ClusterCount, o.SeedingLocalSearch, random);
            return seeded;
        }
    }

    /// <summary>Mean over columns of the weighted variance (scikit-learn's tolerance scale).</summary>
    internal static double MeanColumnVariance(DataMatrix data) => data.WeightedColumnVariances().Average();
}
