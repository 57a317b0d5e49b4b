namespace GpuEm.Em;

/// <summary>
/// How a fit ran: the same record for every model, kept in its model file.
/// </summary>
/// <param name="Iterations">EM iterations (M-steps) of the winning restart.</param>
/// <param name="Converged">Whether the model's stopping rule was met within the tolerance.</param>
/// <param name="Cancelled">Whether the fit was cancelled (then not converged); the model is the
/// last completed one.</param>
/// <param name="ObjectiveHistory">The objective the driver watched (higher is better), at the
/// start and after each iteration of the winning restart; each model documents what it is.</param>
/// <param name="Backend">The backend that ran the E-steps.</param>
/// <param name="DeviceName">The device that ran them.</param>
/// <param name="Seconds">Wall time of the fit (device selection, engine, every restart); 0 when
/// unknown (a model file written before it was recorded).</param>
public sealed record FitSummary(
    int Iterations,
    bool Converged,
    bool Cancelled,
    IReadOnlyList<double> ObjectiveHistory,
    Backend Backend,
    string DeviceName,
    double Seconds)
{
    /// <summary>The objective at the returned parameters: the last entry of
    /// <see cref="ObjectiveHistory"/>.</summary>
    public double Objective => ObjectiveHistory[^1];

    /// <summary>
    /// E-steps the whole fit made: every restart's or short run's, the winner's included (its
    /// work, for comparing <see cref="RestartStrategy"/> choices at equal work). Kept in model files
    /// (field <c>eSteps</c>); 0 when unknown (a file written before it was recorded).
    /// </summary>
    public long EStepsRun { get; init; }

    /// <summary>Writes converged, cancelled, iterations, backend, device and seconds as
    /// properties of the JSON object <paramref name="writer"/> is inside (model files and the
    /// command line's output share them).</summary>
    /// <param name="writer">A writer positioned inside an object.</param>
    public void WriteTo(System.Text.Json.Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteBoolean("converged", Converged);
        writer.WriteBoolean("cancelled", Cancelled);
        writer.WriteNumber("iterations", Iterations);
        writer.WriteString("backend", Backend.ToString());
        writer.WriteString("device", DeviceName);
        writer.WriteNumber("seconds", Seconds);
    }
}
