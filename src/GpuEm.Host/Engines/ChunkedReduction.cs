namespace GpuEm.Engines;

/// <summary>
/// Deterministic parallel reduction over row chunks for the reference engine: the rows are cut
/// into fixed chunks of <see cref="ChunkRows"/> (independent of the thread count); chunks run in
/// parallel in batches, each into its own partial, and partials are added to the total in chunk
/// order. The result is bit-identical whatever the number of threads.
/// </summary>
internal static class ChunkedReduction
{
    /// <summary>Rows per chunk.</summary>
    public const int ChunkRows = 1024;

    /// <summary>Chunks in flight at once (bounds the memory of the partials).</summary>
    private const int BatchChunks = 64;

    /// <summary>Bytes kept between two partials: more than two cache lines.</summary>
    private const int CacheLinePad = 256;

    /// <summary>Reduces <paramref name="rows"/> rows.</summary>
    /// <typeparam name="TPartial">A partial result.</typeparam>
    /// <param name="rows">Number of rows.</param>
    /// <param name="createPartial">Makes an empty partial (called at most once per batch slot).</param>
    /// <param name="clear">Empties a partial for reuse.</param>
    /// <param name="accumulate">Adds rows [start, end) into a partial.</param>
    /// <param name="combine">Adds a partial into the total, called in chunk order.</param>
    public static void Run<TPartial>(
        int rows,
        Func<TPartial> createPartial,
        Action<TPartial> clear,
        Action<TPartial, int, int> accumulate,
        Action<TPartial> combine)
    {
        int chunks = (rows + ChunkRows - 1) / ChunkRows;
        var partials = new TPartial[Math.Min(BatchChunks, Math.Max(1, chunks))];
        // The partials are allocated one after the other; without a gap, the hot ends of
        // neighbours share cache lines and two threads updating them per point stall each other
        // (measured: no gain at all from a second core). A live pad keeps them apart.
        var pads = new byte[partials.Length][];
        for (int i = 0; i < partials.Length; i++)
        {
            partials[i] = createPartial();
            pads[i] = new byte[CacheLinePad];
        }
        for (int first = 0; first < chunks; first += BatchChunks)
        {
            int count = Math.Min(BatchChunks, chunks - first);
            Parallel.For(0, count, slot =>
            {
                TPartial partial = partials[slot];
                clear(partial);
                int start = (first + slot) * ChunkRows;
                accumulate(partial, start, Math.Min(rows, start + ChunkRows));
            });
            for (int slot = 0; slot < count; slot++)
                combine(partials[slot]);
        }
        GC.KeepAlive(pads);
    }
}
