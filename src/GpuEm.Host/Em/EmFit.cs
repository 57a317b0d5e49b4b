using System.Diagnostics;
using GpuEm.Engines;

namespace GpuEm.Em;

/// <summary>
/// The wiring every estimator shares around <see cref="EmDriver"/>: resolve the backend and
/// device, build the engine, say when the data streams, run the driver with restart seeds,
/// progress and cancellation, and summarize the run. A model supplies only its engine, solver,
/// start and fitted model.
/// </summary>
internal static class EmFit
{
    /// <summary>Runs one fit and builds the model while the engine is still open.</summary>
    /// <param name="options">The shared settings.</param>
    /// <param name="createEngine">The model's engine on the resolved device (null: the reference engine).</param>
    /// <param name="createSolver">The model's solver over that engine.</param>
    /// <param name="initialize">The start of a restart, given the engine and the restart (its
    /// index, seed and the progress its seeding reports to).</param>
    /// <param name="build">The fitted model from the winning run.</param>
    /// <param name="cancellation">Stops the fit after the current iteration.</param>
    public static TModel Run<TEngine, TSolver, TParams, TStats, TModel>(
        EmOptions options,
        Func<AcceleratorHandle?, TEngine> createEngine,
        Func<TEngine, TSolver> createSolver,
        Func<TEngine, EmStart, TParams> initialize,
        Func<FitRun<TEngine, TSolver, TParams, TStats>, TModel> build,
        CancellationToken cancellation)
        where TEngine : IEmEngine
        where TSolver : IEmSolver<TParams, TStats>
    {
        var clock = Stopwatch.StartNew();
        PhaseProgress? preparing = PhaseProgress.Begin(options.Progress, FitPhase.Preparing, restarts: options.Restarts);
        AcceleratorHandle? handle = DeviceManager.Resolve(options.Backend, notice => Notice(options.Progress, notice));
        using TEngine engine = CreateEngine(options.Backend, handle, createEngine, options.Progress);
        if (engine.ChunkCount > 1)
            Notice(options.Progress,
                $"The data exceeds the device budget: it streams through the device in {engine.ChunkCount} chunks per iteration.");
        TSolver solver = createSolver(engine);
        preparing?.Done();
        EmRun<TParams, TStats> run = EmDriver.Run(
            solver,
            restart => initialize(
                engine, new EmStart(restart, options.Restarts, RestartSeed.Of(options.Seed, restart), options.Progress)),
            new EmLoopSettings(options.MaxIterations, options.Tolerance, options.Restarts, options.ShortRunPlan()),
            options.Progress,
            cancellation);
        var summary = new FitSummary(
            run.Iterations, run.Converged, run.Cancelled, run.History, engine.Backend, engine.DeviceName,
            clock.Elapsed.TotalSeconds)
        { EStepsRun = run.EStepsRun };
        return build(new FitRun<TEngine, TSolver, TParams, TStats>(engine, solver, run, summary));
    }

    /// <summary>
    /// The model's engine on <paramref name="handle"/>. When its planned launches exceed the
    /// device's limits (<see cref="LaunchLimitException"/>), Auto falls back to the reference
    /// engine with a notice, as it does past a device that cannot open; an explicit backend
    /// throws.
    /// </summary>
    internal static TEngine CreateEngine<TEngine>(
        Backend requested, AcceleratorHandle? handle, Func<AcceleratorHandle?, TEngine> createEngine,
        IProgress<FitProgress>? progress)
    {
        if (handle is null)
            return createEngine(null);
        try
        {
            return createEngine(handle);
        }
        catch (LaunchLimitException ex) when (requested == Backend.Auto)
        {
            Notice(progress, ex.Reason + " Falling back to the reference engine.");
            return createEngine(null);
        }
    }

    /// <summary>k components (clusters) need k ≤ n points; the error names the option.</summary>
    public static void RequireCount(int k, int points, string option)
    {
        if (k > points)
            throw new ArgumentException($"{option} k = {k} exceeds the number of points n = {points}; use k ≤ n.", "data");
    }

    /// <summary>A notice (not tied to an iteration) of the preparing phase through the progress.</summary>
    public static void Notice(IProgress<FitProgress>? progress, string text) =>
        progress?.Report(new FitProgress(0, 0, double.NaN, double.NaN, TimeSpan.Zero, text) { Phase = FitPhase.Preparing });
}
