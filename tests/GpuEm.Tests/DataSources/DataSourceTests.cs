using System.Text;
using GpuEm.Data;
using GpuEm.Models.GaussianMixture;
using GpuEm.Models.KMeans;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.DataSources;

public sealed class DataSourceTests : TempFolderTests
{
    public DataSourceTests()
        : base("gpuem-data-")
    {
    }


    // A .npy file written byte by byte: magic, version, header dict padded to 64 bytes, data.
    private string WriteNpy(string name, string descr, string shape, byte[] data, bool fortran = false, int major = 1)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(total - prefix - 1) + "\n";
        using var stream = File.Create(PathOf(name));
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)major, 0]);
        if (major == 1)
            stream.Write(BitConverter.GetBytes((ushort)header.Length));
        else
            stream.Write(BitConverter.GetBytes((uint)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(data);
        return PathOf(name);
    }

    private static byte[] Floats(float[,] values) =>
        values.Cast<float>().SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] Doubles(float[,] values) =>
        values.Cast<float>().SelectMany(v => BitConverter.GetBytes((double)v)).ToArray();

    [Theory]
    [InlineData("<f4", 1)]
    [InlineData("<f8", 1)]
    [InlineData("<f4", 2)]
    public void Npy_files_read_as_the_array_in_any_chunking(string descr, int major)
    {
        float[,] data = Synthetic.Gaussian(23, 3, seed: 101);
        string path = WriteNpy("x.npy", descr, "(23, 3)", descr == "<f4" ? Floats(data) : Doubles(data), major: major);
        using MappedDataSource source = MappedDataSource.OpenNpy(path);
        Assert.Equal(23, source.RowCount);
        Assert.Equal(3, source.ColumnCount);
        float[] expected = data.Cast<float>().ToArray();
        foreach (int chunk in new[] { 1, 7, 23 })
            Assert.Equal(expected, SourceReads.InChunks(source, chunk));
        Assert.Equal(expected, DataSource.ReadAll(source).ToArray());
    }

    [Fact]
    public void A_one_dimensional_npy_is_one_column()
    {
        string path = WriteNpy("v.npy", "<f4", "(4,)", Floats(new float[,] { { 1 }, { 2 }, { 3 }, { 4 } }));
        using MappedDataSource source = MappedDataSource.OpenNpy(path);
        Assert.Equal((4L, 1), (source.RowCount, source.ColumnCount));
    }

    [Fact]
    public void Bad_npy_files_fail_clearly()
    {
        byte[] twelve = new byte[48];
        string Fail(string path) => Assert.Throws<InvalidDataException>(() => MappedDataSource.OpenNpy(path)).Message;
        Assert.Contains("Fortran", Fail(WriteNpy("f.npy", "<f4", "(4, 3)", twelve, fortran: true)));
        Assert.Contains("ascontiguousarray", Fail(WriteNpy("f2.npy", "<f4", "(4, 3)", twelve, fortran: true)));
        Assert.Contains("'<i4'", Fail(WriteNpy("i.npy", "<i4", "(4, 3)", twelve)));
        Assert.Contains("'>f4'", Fail(WriteNpy("b.npy", ">f4", "(4, 3)", twelve)));
        Assert.Contains("truncated", Fail(WriteNpy("t.npy", "<f4", "(5, 3)", twelve)));
        File.WriteAllText(PathOf("magic.npy"), "not numpy at all");
        Assert.Contains("not a NumPy .npy file", Fail(PathOf("magic.npy")));
        Assert.Throws<FileNotFoundException>(() => MappedDataSource.OpenNpy(PathOf("absent.npy")));
    }

    [Theory]
    [InlineData(0x8000_0000u)]
    [InlineData(0xFFFF_FFFFu)]
    public void A_format_2_npy_header_length_of_2_to_the_31_or_more_is_an_invalid_data_error(uint length)
    {
        // Found by the fuzz test: the uint32 length was cast to int, turned negative, passed the
        // bounds check and threw ArgumentOutOfRangeException from Encoding.GetString.
        byte[] bytes = File.ReadAllBytes(WriteNpy("v2.npy", "<f4", "(4, 3)", new byte[48], major: 2));
        BitConverter.GetBytes(length).CopyTo(bytes, 8);
        File.WriteAllBytes(PathOf("v2.npy"), bytes);
        var error = Assert.Throws<InvalidDataException>(() => MappedDataSource.OpenNpy(PathOf("v2.npy")));
        Assert.Contains("truncated or too long", error.Message);
    }

    [Fact]
    public void Raw_float32_files_need_a_whole_number_of_rows()
    {
        float[,] data = Synthetic.Gaussian(10, 4, seed: 102);
        File.WriteAllBytes(PathOf("x.f32"), Floats(data));
        using (MappedDataSource source = MappedDataSource.OpenRaw(PathOf("x.f32"), 4))
            Assert.Equal(data.Cast<float>().ToArray(), SourceReads.InChunks(source, 3));
        var error = Assert.Throws<InvalidDataException>(() => MappedDataSource.OpenRaw(PathOf("x.f32"), 3));
        Assert.Contains("multiple of 12", error.Message);
    }

    [Fact]
    public void Csv_streams_rows_and_names_bad_cells()
    {
        File.WriteAllText(PathOf("h.csv"), "a,b\n1,2\n\n3,4\n5,6\n");
        using (CsvDataSource source = CsvDataSource.Open(PathOf("h.csv"), new CsvOptions { HasHeader = true }))
        {
            Assert.Equal(3, source.RowCount);
            Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, SourceReads.InChunks(source, 2));
            var back = new float[2];
            source.ReadRows(0, 1, back); // a jump back rescans
            Assert.Equal(new float[] { 1, 2 }, back);
        }
        File.WriteAllText(PathOf("bad.csv"), "1,2\n3,x\n");
        using (CsvDataSource bad = CsvDataSource.Open(PathOf("bad.csv")))
        {
            var error = Assert.Throws<InvalidDataException>(() => SourceReads.InChunks(bad, 2));
            Assert.Equal("bad.csv line 2, column 2: 'x' is not a number.", error.Message);
        }
        File.WriteAllText(PathOf("ragged.csv"), "1,2\n3\n");
        Assert.Contains("line 2: 1 columns", Assert.Throws<InvalidDataException>(() => CsvDataSource.Open(PathOf("ragged.csv"))).Message);
        File.WriteAllText(PathOf("empty.csv"), "\n");
        Assert.Contains("no data rows", Assert.Throws<InvalidDataException>(() => CsvDataSource.Open(PathOf("empty.csv"))).Message);
        File.WriteAllText(PathOf("holes.csv"), "1,\nNaN,2\n");
        using CsvDataSource holes = CsvDataSource.Open(PathOf("holes.csv"), new CsvOptions { EmptyAsMissing = true });
        Assert.All(new[] { SourceReads.InChunks(holes, 2)[1], SourceReads.InChunks(holes, 2)[2] }, v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void Csv_separator_and_array_sources_work()
    {
        File.WriteAllText(PathOf("semi.csv"), "1;2\n3;4\n");
        using (CsvDataSource source = CsvDataSource.Open(PathOf("semi.csv"), new CsvOptions { Separator = ';' }))
            Assert.Equal(new float[] { 1, 2, 3, 4 }, SourceReads.InChunks(source, 1));
        float[,] values = { { 1, 2, 3 }, { 4, 5, 6 } };
        using var array = new ArrayDataSource(values);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, SourceReads.InChunks(array, 1));
        values[0, 0] = 9; // the source holds its own copy
        Assert.Equal(1f, DataSource.ReadAll(array).Span[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => array.ReadRows(1, 2, new float[6]));
    }

    [Fact]
    public void Fit_and_predict_from_files_equal_the_in_memory_fit()
    {
        (float[,] data, _, _) = Synthetic.Mixture(300, 2, 2, seed: 103);
        string npy = WriteNpy("fit.npy", "<f4", "(300, 2)", Floats(data));
        var options = new GaussianMixtureOptions { ComponentCount = 2, Backend = Backend.Reference };
        GaussianMixtureModel memory = new GaussianMixture(options).Fit(data);
        using MappedDataSource source = MappedDataSource.OpenNpy(npy);
        GaussianMixtureModel mapped = new GaussianMixture(options).Fit(source);
        Assert.Equal(memory.Means, mapped.Means);
        Assert.Equal(memory.Predict(data), mapped.Predict(source));

        var csv = new StringBuilder();
        for (int i = 0; i < 300; i++)
            csv.Append(data[i, 0].ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(',')
                .Append(data[i, 1].ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        File.WriteAllText(PathOf("fit.csv"), csv.ToString());
        using CsvDataSource text = CsvDataSource.Open(PathOf("fit.csv"));
        KMeansModel clusters = new KMeans(new KMeansOptions { ClusterCount = 2, Backend = Backend.Reference }).Fit(text);
        Assert.Equal(new KMeans(new KMeansOptions { ClusterCount = 2, Backend = Backend.Reference }).Fit(data).Centres, clusters.Centres);
        Assert.Equal(clusters.Labels, clusters.Predict(text));
        using var wrong = new ArrayDataSource(new float[9], 3, 3);
        Assert.Throws<ArgumentException>(() => clusters.Predict(wrong));
    }
}
