using System.Text;

namespace GpuEm.Tests.Support;

/// <summary>NumPy .npy and raw float32 files written byte by byte, for tests of file inputs.</summary>
internal static class NpyFile
{
    /// <summary>
    /// Writes an .npy file (format 1.0): magic, version, the header dict padded to 64 bytes, then
    /// <paramref name="data"/> as given.
    /// </summary>
    public static string Write(string path, string descr, string shape, byte[] data)
    {
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = (10 + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(total - 10 - 1) + "\n";
        using FileStream stream = File.Create(path);
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0]);
        stream.Write(BitConverter.GetBytes((ushort)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        stream.Write(data);
        return path;
    }

    /// <summary>An n × d float32 array as an .npy file ('&lt;f4', or '&lt;f8' when <paramref name="asDouble"/>).</summary>
    public static string Write(string path, float[,] values, bool asDouble = false) =>
        Write(path, asDouble ? "<f8" : "<f4", $"({values.GetLength(0)}, {values.GetLength(1)})",
            asDouble ? Doubles(values) : Floats(values));

    /// <summary>Little-endian float32 values, row-major (a raw .f32 file's bytes).</summary>
    public static byte[] Floats(float[,] values) => values.Cast<float>().SelectMany(BitConverter.GetBytes).ToArray();

    private static byte[] Doubles(float[,] values) =>
        values.Cast<float>().SelectMany(v => BitConverter.GetBytes((double)v)).ToArray();
}
