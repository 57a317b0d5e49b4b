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

    /// <summary>
    /// Independent starts (≥ 1); the best final objective wins. Default 1. With
    /// <see cref="RestartStrategy"/> ShortRuns it sets the budget instead: see there.
    /// </summary>
    public int Restarts { get; init; } = 1;

    /// <summary>
    /// How the starts search for the best optimum. Default <see cref="Em.RestartStrategy.Independent"/>:
    /// <see cref="Restarts"/> full runs. <see cref="Em.RestartStrategy.ShortRuns"/>: short-run
    /// selection (emEM): <see cref="ShortRunStarts"/> starts of <see cref="ShortRunIterations"/>
    /// iterations each, the best <see cref="ShortRunsContinued"/> continued to convergence.
    /// </summary>
    public RestartStrategy RestartStrategy { get; init; } = RestartStrategy.Independent;

    /// <summary>
    /// ShortRuns: the starts drawn (≥ 1; start s has restart r = s's seed), or 0 for the default
    /// 4 × <see cref="Restarts"/>. Ignored otherwise.
    /// </summary>
    public int ShortRunStarts { get; init; }

    /// <summary>ShortRuns: iterations of each short run (≥ 1; a run that meets the tolerance
    /// sooner stops there). Default 5. Ignored otherwise.</summary>
    public int ShortRunIterations { get; init; } = 5;

    /// <summary>
    /// ShortRuns: the best short runs (by objective) continued to convergence (≥ 1, at most the
    /// starts), or 0 for the default ⌈<see cref="Restarts"/> / 4⌉. Ignored otherwise.
    /// </summary>
    public int ShortRunsContinued { get; init; }

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
        if (!Enum.IsDefined(RestartStrategy))
            throw new ArgumentOutOfRangeException(nameof(RestartStrategy), RestartStrategy, "RestartStrategy must be Independent or ShortRuns.");
        ArgumentOutOfRangeException.ThrowIfNegative(ShortRunStarts, nameof(ShortRunStarts));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ShortRunIterations, nameof(ShortRunIterations));
        ArgumentOutOfRangeException.ThrowIfNegative(ShortRunsContinued, nameof(ShortRunsContinued));
        if (ShortRunPlan() is { } plan && plan.Continued > plan.Starts)
            throw new ArgumentOutOfRangeException(nameof(ShortRunsContinued), ShortRunsContinued,
                $"ShortRunsContinued ({plan.Continued}) cannot exceed the short-run starts ({plan.Starts}).");
    }

    /// <summary>The short-run plan these options give, or null for independent restarts.</summary>
    internal ShortRunPlan? ShortRunPlan() => RestartStrategy != RestartStrategy.ShortRuns ? null : new ShortRunPlan(
        ShortRunStarts > 0 ? ShortRunStarts : (int)Math.Min(int.MaxValue, 4L * Restarts),
        ShortRunIterations,
        ShortRunsContinued > 0 ? ShortRunsContinued : (Restarts + 3) / 4);
}
