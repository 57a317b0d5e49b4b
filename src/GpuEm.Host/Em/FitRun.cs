namespace GpuEm.Em;

/// <summary>What <see cref="EmFit.Run"/> hands the model's builder.</summary>
internal sealed record FitRun<TEngine, TSolver, TParams, TStats>(
    TEngine Engine, TSolver Solver, EmRun<TParams, TStats> Run, FitSummary Summary);
