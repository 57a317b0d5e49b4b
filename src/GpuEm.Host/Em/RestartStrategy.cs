namespace GpuEm.Em;

/// <summary>How a fit's starts search for the best local optimum (<see cref="EmOptions.RestartStrategy"/>).</summary>
public enum RestartStrategy
{
    /// <summary><see cref="EmOptions.Restarts"/> independent runs to convergence; the best wins (scikit-learn's <c>n_init</c>).</summary>
    Independent,

    /// <summary>
    /// Short-run selection ("emEM", Biernacki, Celeux and Govaert 2003): many starts of a few
    /// iterations each, the best few continued to convergence; the best of those wins. Each
    /// continued run is exactly the run its start would have made alone, so the result is the
    /// full run of one of the starts.
    /// </summary>
    ShortRuns,
}
