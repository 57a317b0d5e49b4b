using GpuEm.Data;
using ILGPU;
using ILGPU.Runtime;

namespace GpuEm.Engines;

/// <summary>
/// Sparse counts on the device, by chunk of whole documents (a <see cref="ChunkPlan"/> over
/// <see cref="SparseCounts.Units"/>): each chunk's compressed rows (offsets local to the chunk,
/// terms, counts) and its term-major index, built once per fit on the host: for each term w its
/// entries [termStarts[w], termStarts[w + 1]), each a (document in the chunk, non-zero in the
/// chunk) pair, in document order. A resident corpus (one chunk) is uploaded once; a streamed one
/// is copied into the one set of device buffers chunk by chunk (synchronously) by <see cref="Load"/>.
/// </summary>
internal sealed class SparseChunks : IDisposable
{
    private readonly SparseCounts _data;
    private readonly int[][] _starts;
    private readonly int[][] _termStarts;
    private readonly int[][] _entryDocuments;
    private readonly int[][] _entryPositions;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _documentStarts;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _terms;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _counts;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _termStartsBuffer;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _entryDocumentsBuffer;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _entryPositionsBuffer;

    /// <summary>Builds the chunks' index and allocates the device buffers (the caller holds the device's lock).</summary>
    public SparseChunks(Accelerator accelerator, SparseCounts data, ChunkPlan plan)
    {
        _data = data;
        Plan = plan;
        int count = plan.Count;
        _starts = new int[count][];
        _termStarts = new int[count][];
        _entryDocuments = new int[count][];
        _entryPositions = new int[count][];
        for (int c = 0; c < count; c++)
        {
            DataChunk chunk = plan.Chunks[c];
            MostDocuments = Math.Max(MostDocuments, chunk.UnitCount);
            MostItems = Math.Max(MostItems, chunk.ItemCount);
            (_starts[c], _termStarts[c], _entryDocuments[c], _entryPositions[c]) = Index(data, chunk);
        }
        _documentStarts = accelerator.Allocate1D<int>(MostDocuments + 1);
        _terms = accelerator.Allocate1D<int>(Math.Max(1, MostItems));
        _counts = accelerator.Allocate1D<float>(Math.Max(1, MostItems));
        _termStartsBuffer = accelerator.Allocate1D<int>(data.TermCount + 1);
        _entryDocumentsBuffer = accelerator.Allocate1D<int>(Math.Max(1, MostItems));
        _entryPositionsBuffer = accelerator.Allocate1D<int>(Math.Max(1, MostItems));
        if (count == 1)
        {
            Copy(0);
            // Resident: the host copy of the index is no longer needed.
            _entryDocuments[0] = _entryPositions[0] = _termStarts[0] = _starts[0] = [];
        }
    }

    /// <summary>The chunks.</summary>
    public ChunkPlan Plan { get; }

    /// <summary>Chunks per pass: 1 when the corpus is resident.</summary>
    public int Count => Plan.Count;

    /// <summary>The most documents of a chunk.</summary>
    public int MostDocuments { get; }

    /// <summary>The most non-zeros of a chunk.</summary>
    public int MostItems { get; }

    /// <summary>
    /// The device views of chunk <paramref name="chunk"/>, copied there first when the corpus
    /// streams (the caller holds the device's lock; earlier kernels on the default stream finish
    /// before the copy overwrites their inputs).
    /// </summary>
    public SparseChunkViews Load(int chunk)
    {
        if (Count > 1)
            Copy(chunk);
        DataChunk c = Plan.Chunks[chunk];
        return new SparseChunkViews(
            c.UnitCount, c.ItemCount, _documentStarts.View.SubView(0, c.UnitCount + 1), _terms.View, _counts.View,
            _termStartsBuffer.View, _entryDocumentsBuffer.View, _entryPositionsBuffer.View);
    }

    private void Copy(int chunk)
    {
        DataChunk c = Plan.Chunks[chunk];
        int items = c.ItemCount;
        _documentStarts.View.SubView(0, c.UnitCount + 1).CopyFromCPU(_starts[chunk]);
        _termStartsBuffer.View.CopyFromCPU(_termStarts[chunk]);
        if (items == 0)
            return;
        _terms.View.BaseView.SubView(0, items).CopyFromCPU(_data.Terms.AsSpan((int)c.FirstItem, items));
        _counts.View.BaseView.SubView(0, items).CopyFromCPU(_data.Counts.AsSpan((int)c.FirstItem, items));
        _entryDocumentsBuffer.View.SubView(0, items).CopyFromCPU(_entryDocuments[chunk]);
        _entryPositionsBuffer.View.SubView(0, items).CopyFromCPU(_entryPositions[chunk]);
    }

    // A chunk's local offsets and term-major index (a counting sort of its non-zeros by term,
    // stable: each term's entries stay in document order).
    private static (int[] Starts, int[] TermStarts, int[] Documents, int[] Positions) Index(SparseCounts data, DataChunk chunk)
    {
        int first = (int)chunk.FirstItem, items = chunk.ItemCount, documents = chunk.UnitCount;
        var starts = new int[documents + 1];
        for (int d = 0; d <= documents; d++)
            starts[d] = (int)(data.Units.Start(chunk.FirstUnit + d) - first);
        var termStarts = new int[data.TermCount + 1];
        ReadOnlySpan<int> terms = data.Terms.AsSpan(first, items);
        foreach (int term in terms)
            termStarts[term + 1]++;
        for (int w = 0; w < data.TermCount; w++)
            termStarts[w + 1] += termStarts[w];
        var next = (int[])termStarts.Clone();
        var entryDocuments = new int[items];
        var entryPositions = new int[items];
        for (int d = 0; d < documents; d++)
        {
            for (int i = starts[d]; i < starts[d + 1]; i++)
            {
                int entry = next[terms[i]]++;
                entryDocuments[entry] = d;
                entryPositions[entry] = i;
            }
        }
        return (starts, termStarts, entryDocuments, entryPositions);
    }

    public void Dispose()
    {
        _documentStarts.Dispose();
        _terms.Dispose();
        _counts.Dispose();
        _termStartsBuffer.Dispose();
        _entryDocumentsBuffer.Dispose();
        _entryPositionsBuffer.Dispose();
    }
}

/// <summary>One chunk of sparse counts on the device (see <see cref="SparseChunks"/>).</summary>
/// <param name="Documents">Documents of the chunk.</param>
/// <param name="Items">Non-zeros of the chunk.</param>
/// <param name="DocumentStarts">Documents + 1 offsets local to the chunk.</param>
/// <param name="Terms">The non-zeros' terms.</param>
/// <param name="Counts">The non-zeros' counts.</param>
/// <param name="TermStarts">W + 1 offsets into the entries.</param>
/// <param name="EntryDocuments">Per entry, its document in the chunk.</param>
/// <param name="EntryPositions">Per entry, its non-zero in the chunk.</param>
internal readonly record struct SparseChunkViews(
    int Documents, int Items, ArrayView<int> DocumentStarts, ArrayView<int> Terms, ArrayView<float> Counts,
    ArrayView<int> TermStarts, ArrayView<int> EntryDocuments, ArrayView<int> EntryPositions);
