namespace GpuEm.Engines;

/// <summary>
/// What every model's engine (reference or accelerator) tells the shared fit: where it runs and
/// how it holds the data. Each model's engine interface adds its E-step.
/// </summary>
internal interface IEmEngine : IDisposable
{
    Backend Backend { get; }

    string DeviceName { get; }

    /// <summary>Device chunks per E-step: 1 when the data is resident (and on the reference engine).</summary>
    int ChunkCount => 1;
}

/// <summary>
/// A model's engine: the E-step over all the data bound to it at given parameters, with the
/// accumulation of the model's mergeable sufficient statistics (on a device: data uploaded once
/// per fit, or streamed in chunks of whole units).
/// </summary>
/// <typeparam name="TParams">The model's parameters.</typeparam>
/// <typeparam name="TStats">Its sufficient statistics (with the objective's terms).</typeparam>
internal interface IEmEngine<in TParams, out TStats> : IEmEngine
{
    TStats Expect(TParams parameters);
}
