using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Tests.Support;
using ILGPU;
using ILGPU.Runtime;
using Xunit;

namespace GpuEm.Tests.Engines;

/// <summary>
/// The double-buffered chunk upload on ILGPU's CPU accelerator: every chunk lands in its slot
/// exactly (values, weights, labels), whatever the staging piece size and segment layout.
/// </summary>
public sealed class ChunkStreamTests
{
    [Theory]
    [InlineData(700, 64, false)]   // several staging pieces per chunk, chunks straddle segments
    [InlineData(700, 1 << 22, true)] // one piece per chunk
    [InlineData(1, 3, false)]      // one row per chunk and per piece
    public void Every_chunk_arrives_in_its_slot(int chunkRows, int stagingValues, bool oneSegment)
    {
        const int Rows = 3000;
        const int D = 3;
        float[,] values = Synthetic.Gaussian(Rows, D, seed: 301);
        float[] weights = Enumerable.Range(0, Rows).Select(i => 1f + i % 5).ToArray();
        int[] labels = Enumerable.Range(0, Rows).Select(i => i % 7 - 1).ToArray();
        DataMatrix data = oneSegment ? DataMatrix.From(values, null) : SegmentedData.From(values, 10);
        int chunks = (Rows + chunkRows - 1) / chunkRows;
        int checkedChunks = Math.Min(chunks, 12);
        AcceleratorHandle handle = DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
        lock (handle.Sync)
        {
            using var stream = new ChunkStream(handle.Accelerator, data, chunkRows, weights, labels, stagingValues);
            Assert.Equal(chunks, stream.ChunkCount);
            stream.Start(0);
            for (int chunk = 0; chunk < checkedChunks; chunk++)
            {
                stream.Wait();
                (ArrayView<float> v, ArrayView<float> w, ArrayView<int> l) = stream.Slot(chunk);
                int first = stream.FirstRow(chunk);
                int rows = stream.RowCount(chunk);
                var gotValues = new float[rows * D];
                var gotWeights = new float[rows];
                var gotLabels = new int[rows];
                v.SubView(0, rows * D).CopyToCPU(gotValues);
                w.SubView(0, rows).CopyToCPU(gotWeights);
                l.SubView(0, rows).CopyToCPU(gotLabels);
                if (chunk + 1 < chunks)
                    stream.Start(chunk + 1); // the other slot: this chunk's copy must stay intact
                for (int row = 0; row < rows; row++)
                    for (int j = 0; j < D; j++)
                        Assert.Equal(values[first + row, j], gotValues[row * D + j]);
                Assert.Equal(weights.AsSpan(first, rows).ToArray(), gotWeights);
                Assert.Equal(labels.AsSpan(first, rows).ToArray(), gotLabels);
                var again = new float[rows * D];
                v.SubView(0, rows * D).CopyToCPU(again);
                Assert.Equal(gotValues, again);
            }
            stream.Wait();
        }
    }
}
