using GpuEm.Data;

namespace GpuEm.Models.Topics;

/// <summary>
/// The topic models' reference reduction: documents cut into fixed blocks of whole documents, each
/// block of at least <c>max(16,384, 4·W)</c> non-zeros (the last may be smaller), so that adding a
/// block's W × K partial costs less than computing it. Blocks run in parallel, a batch at a time,
/// each into its own partial; partials are added in block order. Block boundaries depend only on
/// the corpus, so the result is bit-identical whatever the thread count.
/// </summary>
internal static class DocumentBlocks
{
    private const long MinimumItems = 16_384;

    /// <summary>Block boundaries: documents [starts[b], starts[b + 1]).</summary>
    public static int[] Cut(UnitLayout units, int terms)
    {
        long least = Math.Max(MinimumItems, 4L * terms);
        var starts = new List<int> { 0 };
        long first = 0;
        for (int d = 0; d < units.UnitCount; d++)
        {
            if (units.Start(d + 1) - first >= least)
            {
                starts.Add(d + 1);
                first = units.Start(d + 1);
            }
        }
        if (starts[^1] != units.UnitCount)
            starts.Add(units.UnitCount);
        return starts.ToArray();
    }

    /// <summary>Reduces every block of <paramref name="blocks"/> (from <see cref="Cut"/>).</summary>
    public static void Run<TPartial>(
        int[] blocks, Func<TPartial> create, Action<TPartial> clear, Action<TPartial, int, int> accumulate, Action<TPartial> combine)
    {
        int count = blocks.Length - 1;
        int batch = Math.Max(1, Math.Min(count, Environment.ProcessorCount));
        var partials = new TPartial[batch];
        for (int i = 0; i < batch; i++)
            partials[i] = create();
        for (int first = 0; first < count; first += batch)
        {
            int n = Math.Min(batch, count - first);
            Parallel.For(0, n, slot =>
            {
                TPartial partial = partials[slot];
                clear(partial);
                accumulate(partial, blocks[first + slot], blocks[first + slot + 1]);
            });
            for (int slot = 0; slot < n; slot++)
                combine(partials[slot]);
        }
    }
}
