using GpuEm.Data;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Streaming;

/// <summary>
/// Data of more than 2³¹ values lies in segments of 2^s rows (<see cref="DataMatrix"/>); here the
/// segments are forced down to 1,024 rows so that a few thousand rows cross several of them.
/// </summary>
/// <remarks>
/// Tolerance: none. Segments change where rows lie, not the arithmetic or its order (reference
/// chunks never straddle a segment; device copies of a straddling chunk fill the same buffer), so
/// every result must be bit-identical to the one-block fit.
/// </remarks>
public sealed class SegmentedDataTests : IDisposable
{
    private const int Rows = 3000;
    private const int Shift = 10;

    private readonly string _dir = Directory.CreateTempSubdirectory("gpuem-segments-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static DataMatrix Matrix(float[,] data, float[]? weights = null, MissingValues missing = MissingValues.Error) =>
        DataMatrix.From(data, weights, missing);

    [Fact]
    public void Pieces_and_rows_read_the_same_values_across_segment_boundaries()
    {
        float[,] data = Synthetic.Gaussian(Rows, 3, seed: 201);
        DataMatrix whole = Matrix(data);
        DataMatrix segmented = SegmentedData.From(data, Shift);

        Assert.Equal(3, segmented.SegmentCount);
        Assert.Throws<InvalidOperationException>(() => segmented.Values);
        for (int row = 0; row < Rows; row++)
            Assert.True(whole.Row(row).SequenceEqual(segmented.Row(row)), $"row {row}");
        var copy = new float[700 * 3];
        var pieces = segmented.Pieces(1000, 700).ToList();
        Assert.Equal([0, 24], pieces.Select(p => p.Offset));
        foreach ((int offset, ReadOnlyMemory<float> piece) in pieces)
            piece.CopyTo(copy.AsMemory(offset * 3));
        Assert.True(whole.Values.Span.Slice(1000 * 3, 700 * 3).SequenceEqual(copy));
        Assert.True(whole.Block(1024, 1024).SequenceEqual(segmented.Block(1024, 1024)));
    }

    [Theory]
    [InlineData(Backend.Reference, CovarianceType.Full, null)]
    [InlineData(Backend.Reference, CovarianceType.Diagonal, null)]
    [InlineData(Backend.CpuAccelerator, CovarianceType.Full, null)]
    [InlineData(Backend.CpuAccelerator, CovarianceType.Diagonal, 700)]
    [InlineData(Backend.CpuAccelerator, CovarianceType.Tied, 700)]
    public void A_segmented_mixture_fit_equals_the_one_block_fit(Backend backend, CovarianceType type, int? chunkRows)
    {
        (float[,] data, _, _) = Synthetic.Mixture(Rows, 3, 3, seed: 202, separation: 3);
        float[] weights = Enumerable.Range(0, Rows).Select(i => 0.5f + i % 4).ToArray();
        long? limit = null;
        if (chunkRows is int chunk)
        {
            (long perRow, long fixedBytes) = AcceleratorGaussianEngine.Footprint(3, 3, type, streamed: true);
            limit = fixedBytes + chunk * perRow;
        }
        var options = new GaussianMixtureOptions
        {
            ComponentCount = 3,
            CovarianceType = type,
            Backend = backend,
            Tolerance = 0,
            MaxIterations = 6,
            DeviceMemoryLimit = limit,
        };
        var estimator = new GaussianMixture(options);
        DataMatrix whole = Matrix(data, weights);
        GaussianMixtureModel one = estimator.Fit(whole, default);
        GaussianMixtureModel segmented = estimator.Fit(SegmentedData.From(data, Shift, weights), default);

        Assert.Equal(Tolerance.Flatten(one.Means), Tolerance.Flatten(segmented.Means));
        Assert.Equal(Tolerance.Flatten(one.Covariances), Tolerance.Flatten(segmented.Covariances));
        Assert.Equal(one.Weights, segmented.Weights);
        Assert.Equal(one.ObjectiveHistory, segmented.ObjectiveHistory);
    }

    [Fact]
    public void A_segmented_fit_with_missing_values_and_labels_equals_the_one_block_fit()
    {
        (float[,] data, int[] truth, _) = Synthetic.Mixture(Rows, 3, 2, seed: 203, separation: 3);
        data[5, 0] = float.NaN;
        data[1500, 2] = float.NaN;
        data[2999, 1] = float.NaN;
        int[] labels = truth.Select((c, i) => i % 9 == 0 ? c : -1).ToArray();
        var estimator = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 2,
            Backend = Backend.Reference,
            MissingValues = MissingValues.Marginalize,
            Tolerance = 0,
            MaxIterations = 5,
        });
        DataMatrix whole = Matrix(data, missing: MissingValues.Marginalize).WithLabels(labels, 2);
        GaussianMixtureModel one = estimator.Fit(whole, default);
        GaussianMixtureModel segmented = estimator.Fit(
            SegmentedData.From(data, Shift, missing: MissingValues.Marginalize).WithLabels(labels, 2), default);

        Assert.Equal(Tolerance.Flatten(one.Means), Tolerance.Flatten(segmented.Means));
        Assert.Equal(one.ObjectiveHistory, segmented.ObjectiveHistory);
    }

    [Theory]
    [InlineData(Backend.Reference, null)]
    [InlineData(Backend.CpuAccelerator, null)]
    [InlineData(Backend.CpuAccelerator, 700)]
    public void A_segmented_kmeans_fit_equals_the_one_block_fit(Backend backend, int? chunkRows)
    {
        (float[,] data, _, _) = Synthetic.Mixture(Rows, 4, 5, seed: 204, separation: 3);
        long? limit = null;
        if (chunkRows is int chunk)
        {
            (long perRow, long fixedBytes) = AcceleratorKMeansEngine.Footprint(4, 5, streamed: true);
            limit = fixedBytes + chunk * perRow;
        }
        var estimator = new KMeans(new KMeansOptions { ClusterCount = 5, Backend = backend, Seed = 5, DeviceMemoryLimit = limit });
        DataMatrix whole = Matrix(data);
        KMeansModel one = estimator.Fit(whole, default);
        KMeansModel segmented = estimator.Fit(SegmentedData.From(data, Shift), default);

        Assert.Equal(one.Labels, segmented.Labels);
        Assert.Equal(Tolerance.Flatten(one.Centres), Tolerance.Flatten(segmented.Centres));
        Assert.Equal(one.InertiaHistory, segmented.InertiaHistory);
    }

    [Fact]
    public void A_mapped_file_read_in_segments_fits_as_the_array()
    {
        (float[,] data, _, _) = Synthetic.Mixture(Rows, 2, 2, seed: 205, separation: 3);
        string path = Path.Combine(_dir, "x.f32");
        File.WriteAllBytes(path, data.Cast<float>().SelectMany(BitConverter.GetBytes).ToArray());
        var estimator = new GaussianMixture(new GaussianMixtureOptions
        {
            ComponentCount = 2,
            Backend = Backend.Reference,
            Tolerance = 0,
            MaxIterations = 4,
        });
        using MappedDataSource source = MappedDataSource.OpenRaw(path, 2);
        DataMatrix mapped = DataMatrix.FromSource(source, null, segmentShift: Shift);

        Assert.Equal(3, mapped.SegmentCount);
        GaussianMixtureModel fromFile = estimator.Fit(mapped, default);
        GaussianMixtureModel fromArray = estimator.Fit(data);
        Assert.Equal(Tolerance.Flatten(fromArray.Means), Tolerance.Flatten(fromFile.Means));
        Assert.Equal(fromArray.ObjectiveHistory, fromFile.ObjectiveHistory);
    }

    [Fact]
    public void A_bad_value_in_a_later_segment_is_reported_at_its_row()
    {
        float[,] data = Synthetic.Gaussian(Rows, 2, seed: 206);
        data[2500, 1] = float.PositiveInfinity;
        string path = Path.Combine(_dir, "bad.f32");
        File.WriteAllBytes(path, data.Cast<float>().SelectMany(BitConverter.GetBytes).ToArray());
        using MappedDataSource source = MappedDataSource.OpenRaw(path, 2);

        var error = Assert.Throws<ArgumentException>(() => DataMatrix.FromSource(source, null, segmentShift: Shift));
        Assert.Contains("row 2500, column 1", error.Message);
    }
}
