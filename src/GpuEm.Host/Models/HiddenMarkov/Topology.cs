namespace GpuEm.Models.HiddenMarkov;

/// <summary>The allowed transitions (K × K row-major) and starts (K) a model was fitted under;
/// kept with the model for its parameter count and its file.</summary>
internal sealed record Topology(bool[] Allowed, bool[] StartAllowed)
{
    public static Topology From(HmmSettings settings) => new(settings.Allowed, settings.StartAllowed);

    /// <summary>Every transition and start allowed.</summary>
    public static Topology Full(int k) =>
        new(Enumerable.Repeat(true, k * k).ToArray(), Enumerable.Repeat(true, k).ToArray());

    /// <summary>Free parameters of π and A: allowed starts − 1 plus, per row, allowed transitions − 1.</summary>
    public long FreeParameterCount(int k)
    {
        long count = Math.Max(0, StartAllowed.Count(a => a) - 1);
        for (int i = 0; i < k; i++)
        {
            int row = 0;
            for (int j = 0; j < k; j++)
                row += Allowed[i * k + j] ? 1 : 0;
            count += Math.Max(0, row - 1);
        }
        return count;
    }
}
