using System.Globalization;
using System.Text;
using GpuEm.Models;
using GpuEm.Models.GaussianMixture;
using GpuEm.Persistence;
using GpuEm.Tests.Support;
using GpuEm.Tests.Surface;

namespace GpuEm.Tests.Fuzz;

/// <summary>
/// The valid inputs the fuzz tests mutate: a saved model of every registered format (and of
/// every Gaussian covariance type), each with a CSV of rows it takes; small CSV files; .npy files
/// of both dtypes, 1-D and 2-D, format 1.0 and 2.0. Every seed is fitted or written here, seeded.
/// </summary>
internal static class FuzzCorpus
{
    /// <summary>A model file's bytes and a CSV of rows it takes (null: it takes no rows).</summary>
    public sealed record ModelSeed(string Name, byte[] Json, string? RowsCsv);

    /// <summary>A data file's name (its extension picks the reader) and bytes.</summary>
    public sealed record DataSeed(string Name, byte[] Bytes);

    /// <summary>One model of each registered format, plus a Gaussian mixture of each covariance type.</summary>
    public static IReadOnlyList<ModelSeed> Models()
    {
        var seeds = new List<ModelSeed>();
        foreach (ModelFormat format in ModelFormats.All)
        {
            RegisteredModels.Sample sample = RegisteredModels.Fits[format.Name]();
            seeds.Add(new ModelSeed(format.Name, Bytes(sample.Model), sample.Rows is null ? null : Csv(sample.Rows, 12)));
        }
        float[,] rows = Synthetic.Mixture(60, 3, 2, seed: 11).Data;
        foreach (CovarianceType type in new[] { CovarianceType.Diagonal, CovarianceType.Spherical, CovarianceType.Tied })
        {
            var options = new GaussianMixtureOptions { ComponentCount = 2, CovarianceType = type, Backend = Backend.Reference, Seed = 1 };
            seeds.Add(new ModelSeed($"gaussian-{type}", Bytes(new GaussianMixture(options).Fit(rows)), Csv(rows, 12)));
        }
        return seeds;
    }

    /// <summary>Small CSV files for fit and kmeans (real numbers) and for the discrete mixtures.</summary>
    public static IReadOnlyList<DataSeed> Csvs()
    {
        float[,] blobs = Synthetic.Mixture(24, 3, 2, seed: 12).Data;
        var binary = new StringBuilder();
        var levels = new StringBuilder();
        var random = new Random(13);
        for (int i = 0; i < 24; i++)
        {
            binary.Append(CultureInfo.InvariantCulture, $"{i % 2},{random.Next(2)},{(i / 3) % 2},{random.Next(2)}\n");
            levels.Append(CultureInfo.InvariantCulture, $"{i % 3},{random.Next(2)},{random.Next(4)}\n");
        }
        return
        [
            new("blobs.csv", Encoding.UTF8.GetBytes(Csv(blobs, 24))),
            new("exponents.csv", Encoding.UTF8.GetBytes("1e-3,-2.5E+2,3\n4.25,5e0,-6\n\n7,8.5,9e-1\n-1,0,1\n2,-3,4e1\n0.5,0.25,0.125\n")),
            new("holes.csv", Encoding.UTF8.GetBytes("1,2,3\n4,,6\n7,8,NaN\n1.5,2.5,3.5\n-1,-2,-3\n0,1,0\n")),
            new("binary.csv", Encoding.UTF8.GetBytes(binary.ToString())),
            new("levels.csv", Encoding.UTF8.GetBytes(levels.ToString())),
        ];
    }

    /// <summary>.npy files: float32 and float64 (20 × 3), a 1-D float32 array, a format 2.0 file.</summary>
    public static IReadOnlyList<DataSeed> Npys(string folder)
    {
        float[,] data = Synthetic.Mixture(20, 3, 2, seed: 14).Data;
        var column = new float[20, 1];
        for (int i = 0; i < 20; i++)
            column[i, 0] = data[i, 0];
        byte[] version2 = Version2(File.ReadAllBytes(NpyFile.Write(Path.Combine(folder, "seed.npy"), data)));
        return
        [
            new("f4.npy", File.ReadAllBytes(NpyFile.Write(Path.Combine(folder, "seed.npy"), data))),
            new("f8.npy", File.ReadAllBytes(NpyFile.Write(Path.Combine(folder, "seed.npy"), data, asDouble: true))),
            new("column.npy", File.ReadAllBytes(NpyFile.Write(Path.Combine(folder, "seed.npy"), "<f4", "(20,)", NpyFile.Floats(column)))),
            new("v2.npy", version2),
        ];
    }

    /// <summary>Rows as a headerless CSV that parses back exactly ("R").</summary>
    public static string Csv(float[,] rows, int count)
    {
        var text = new StringBuilder();
        for (int i = 0; i < Math.Min(count, rows.GetLength(0)); i++)
        {
            for (int j = 0; j < rows.GetLength(1); j++)
            {
                if (j > 0)
                    text.Append(',');
                text.Append(float.IsNaN(rows[i, j]) ? "" : rows[i, j].ToString("R", CultureInfo.InvariantCulture));
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    private static byte[] Bytes(IFittedModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }

    // A format 1.0 file rewritten as 2.0: version 2, a 4-byte header length.
    private static byte[] Version2(byte[] v1)
    {
        ushort length = BitConverter.ToUInt16(v1, 8);
        byte[] prefix = [.. v1[..6], 2, 0, .. BitConverter.GetBytes((uint)(length - 2))];
        // Two bytes of padding go so the data stays 64-byte aligned: the header ends in spaces and '\n'.
        byte[] header = [.. v1[10..(10 + length - 3)], (byte)'\n'];
        return [.. prefix, .. header, .. v1[(10 + length)..]];
    }
}
