namespace GpuEm.Em;

/// <summary>
/// The settings shared by every EM fit that runs on an engine: the loop's, restarts and their
/// seed, the backend and the device memory it may plan for.
/// </summary>
public abstract record EmOptions : EmLoopOptions
{
    /// <summary>Sets the model's defaults of the loop settings.</summary>
    /// <param name="maxIterations">The default of <see cref="EmLoopOptions.MaxIterations"/>.</param>
    /// <param name="tolerance">The default of <see cref="EmLoopOptions.Tolerance"/>.</param>
    protected EmOptions(int maxIterations, double tolerance)
        : base(maxIterations, tolerance)
    {
    }

    /// <summary>Independent starts (≥ 1); the best final objective wins. Default 1.</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>Seeds every random choice: the same seed on the same backend gives a
    /// bit-identical model. Restart r uses a fixed function of it (<see cref="RestartSeed"/>).
    /// Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Where the E-step runs. Default <see cref="GpuEm.Backend.Auto"/>: the first CUDA or
    /// OpenCL device that opens, else the float64 reference engine.</summary>
    public Backend Backend { get; init; } = Backend.Auto;

    /// <summary>
    /// Bytes of device memory the accelerator engine may plan for (&gt; 0), or null for what the
    /// device has free. Data beyond it streams through the device in chunks of whole units (rows)
    /// every iteration; the reference engine ignores it. Default null.
    /// </summary>
    public long? DeviceMemoryLimit { get; init; }

    /// <summary>Checks the shared settings; errors name the property.</summary>
    internal void ValidateRun()
    {
        ValidateLoop();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Restarts, nameof(Restarts));
        if (!Enum.IsDefined(Backend))
            throw new ArgumentOutOfRangeException(nameof(Backend), Backend, "Unknown backend.");
        if (DeviceMemoryLimit is <= 0)
            throw new ArgumentOutOfRangeException(nameof(DeviceMemoryLimit), DeviceMemoryLimit, "DeviceMemoryLimit must be positive.");
    }
}
