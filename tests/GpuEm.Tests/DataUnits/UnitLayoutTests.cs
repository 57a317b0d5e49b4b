using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace GpuEm.Tests.DataUnits;

/// <summary>
/// Data in units: chunks of rows are the fixed chunks the engines always used; chunks of
/// sequences and documents hold whole units, and ChunkStream streams such a plan.
/// </summary>
public sealed class UnitLayoutTests
{
    [Theory]
    [InlineData(3000, 700)]
    [InlineData(3000, 3000)]
    [InlineData(5, 1)]
    [InlineData(1, 64)]
    public void Row_chunks_are_fixed_chunks_the_last_one_shorter(int rows, int chunkRows)
    {
        ChunkPlan plan = UnitLayout.Rows(rows).Cut(chunkRows);
        Assert.Equal((rows + chunkRows - 1) / chunkRows, plan.Count);
        Assert.Equal(Math.Min(rows, chunkRows), plan.MaxItems);
        for (int c = 0; c < plan.Count; c++)
        {
            DataChunk chunk = plan.Chunks[c];
            Assert.Equal(c * chunkRows, chunk.FirstItem);
            Assert.Equal(chunk.FirstItem, chunk.FirstUnit);
            Assert.Equal(Math.Min(chunkRows, rows - c * chunkRows), chunk.ItemCount);
            Assert.Equal(chunk.ItemCount, chunk.UnitCount);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Sequence_chunks_hold_whole_sequences_within_the_budget(int seed)
    {
        var random = new Random(seed);
        int[] lengths = Enumerable.Range(0, 200).Select(_ => 1 + random.Next(40)).ToArray();
        UnitLayout units = UnitLayout.FromLengths(lengths, "sequence", minimumLength: 1);
        Assert.Equal(lengths.Sum(), units.ItemCount);
        const int Budget = 100;
        ChunkPlan plan = units.Cut(Budget);
        int nextUnit = 0;
        long nextItem = 0;
        foreach (DataChunk chunk in plan.Chunks)
        {
            Assert.Equal(nextUnit, chunk.FirstUnit);
            Assert.Equal(nextItem, chunk.FirstItem);
            Assert.InRange(chunk.ItemCount, 1, Budget);
            Assert.Equal(lengths.Skip(chunk.FirstUnit).Take(chunk.UnitCount).Sum(), chunk.ItemCount);
            // Greedy: the next sequence would not have fitted.
            if (chunk.FirstUnit + chunk.UnitCount < lengths.Length)
                Assert.True(chunk.ItemCount + lengths[chunk.FirstUnit + chunk.UnitCount] > Budget);
            nextUnit += chunk.UnitCount;
            nextItem += chunk.ItemCount;
        }
        Assert.Equal(lengths.Length, nextUnit);
        Assert.Equal(plan.Chunks.Max(c => c.ItemCount), plan.MaxItems);
    }

    [Fact]
    public void A_sequence_longer_than_a_chunk_is_named_and_bad_lengths_are_refused()
    {
        UnitLayout units = UnitLayout.FromLengths([5, 120, 3], "sequence", minimumLength: 1);
        var error = Assert.Throws<InvalidOperationException>(() => units.Cut(100));
        Assert.Contains("Sequence 1 (zero-based) has 120 items; a device chunk holds 100", error.Message);
        Assert.Equal(3, units.Cut(120).Chunks.Sum(c => c.UnitCount));
        var bad = Assert.Throws<ArgumentException>(() => UnitLayout.FromLengths([4, 0], "sequence", minimumLength: 1));
        Assert.Contains("Sequence 1 (zero-based) has length 0", bad.Message);
        // Documents may be empty: a chunk then may hold a document with no non-zeros.
        Assert.Equal(4, UnitLayout.FromLengths([0, 2, 0, 1], "document", minimumLength: 0).Cut(2).Chunks.Sum(c => c.UnitCount));
    }

    [Fact]
    public void ChunkStream_streams_a_plan_of_whole_sequences()
    {
        int[] lengths = [30, 7, 64, 1, 50, 12, 33];
        int rows = lengths.Sum();
        const int D = 2;
        float[,] values = Synthetic.Gaussian(rows, D, seed: 5);
        SequenceData sequences = SequenceData.From(DataMatrix.From(values, null), lengths);
        ChunkPlan plan = sequences.Units.Cut(70);
        AcceleratorHandle handle = DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
        lock (handle.Sync)
        {
            using var stream = new ChunkStream(handle.Accelerator, sequences.Rows, plan, null, null, stagingValues: 16);
            Assert.Equal(plan.Count, stream.ChunkCount);
            Assert.Equal(plan.MaxItems, stream.ChunkRows);
            stream.Start(0);
            for (int chunk = 0; chunk < stream.ChunkCount; chunk++)
            {
                stream.Wait();
                DataChunk units = stream.Chunk(chunk);
                int first = stream.FirstRow(chunk);
                int count = stream.RowCount(chunk);
                Assert.Equal(sequences.Sequence(units.FirstUnit).First, first);
                (int lastFirst, int lastLength) = sequences.Sequence(units.FirstUnit + units.UnitCount - 1);
                Assert.Equal(lastFirst + lastLength, first + count);
                var got = new float[count * D];
                stream.Slot(chunk).Values.SubView(0, count * D).CopyToCPU(got);
                if (chunk + 1 < stream.ChunkCount)
                    stream.Start(chunk + 1);
                for (int row = 0; row < count; row++)
                    for (int j = 0; j < D; j++)
                        Assert.Equal(values[first + row, j], got[row * D + j]);
            }
            stream.Wait();
        }
    }

    [Fact]
    public void Device_plans_keep_units_whole_and_rows_as_before()
    {
        AcceleratorHandle handle = DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
        (long PerRow, long Fixed) footprint = (100, 1000);
        ChunkPlan rows = DeviceBudget.Plan(handle.Accelerator, 1000 + 100 * 40, UnitLayout.Rows(130), footprint, footprint);
        int expected = DeviceBudget.ChunkRows(handle.Accelerator, 1000 + 100 * 40, 130, footprint, footprint);
        Assert.Equal(expected, rows.MaxItems);
        Assert.Equal((130 + expected - 1) / expected, rows.Count);
        ChunkPlan resident = DeviceBudget.Plan(handle.Accelerator, null, UnitLayout.FromLengths([10, 20], "sequence", 1), footprint, footprint);
        Assert.Single(resident.Chunks);
        ChunkPlan sequences = DeviceBudget.Plan(handle.Accelerator, 1000 + 100 * 25, UnitLayout.FromLengths([10, 20, 5, 5], "sequence", 1), footprint, footprint);
        Assert.Equal([1, 2, 1], sequences.Chunks.Select(c => c.UnitCount)); // 25 rows a chunk: {10}, {20, 5}, {5}
    }
}
