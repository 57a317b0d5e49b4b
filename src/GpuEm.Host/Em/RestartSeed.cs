namespace GpuEm.Em;

/// <summary>The seed of each restart: a fixed function of the user's seed, shared by every model.</summary>
public static class RestartSeed
{
    /// <summary>The seed of restart <paramref name="restart"/> under the user's <paramref name="seed"/>.</summary>
    /// <param name="seed">The options' seed.</param>
    /// <param name="restart">Zero-based restart.</param>
    /// <returns>The seed that restart's random choices use.</returns>
    public static int Of(int seed, int restart) =>
        unchecked((int)(((uint)seed * 2654435761u) ^ (uint)(restart * 40503)));
}
