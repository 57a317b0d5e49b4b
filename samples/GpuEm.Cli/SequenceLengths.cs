using System.Globalization;
using GpuEm.Data;

namespace GpuEm.Cli;

/// <summary>
/// The <c>--lengths FILE</c> of the hidden Markov model commands: one sequence length per line
/// (a whole number ≥ 1), the sequences' rows concatenated in order in the input. Blank lines and
/// lines starting with # are skipped. Errors name the file and the line (data errors, exit 1).
/// </summary>
internal static class SequenceLengths
{
    /// <summary>Reads a lengths file (<see cref="SequenceLengthsFile.Read"/>); a missing file is named.</summary>
    public static int[] Read(string path) =>
        File.Exists(path)
            ? SequenceLengthsFile.Read(path)
            : throw new FileNotFoundException($"The lengths file {path} does not exist.", path);

    /// <summary>Reads a lengths file and checks that its lengths sum to the input's rows.</summary>
    public static int[] ReadFor(string path, long rows, string input)
    {
        int[] lengths = Read(path);
        long sum = lengths.Sum(l => (long)l);
        if (sum != rows)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{Path.GetFileName(path)}: the {lengths.Length} sequence lengths sum to {sum} but {InputName(input)} has {rows} rows; give one length per sequence, summing to the rows."));
        return lengths;
    }

    private static string InputName(string input) => input == "-" ? "standard input" : Path.GetFileName(input);
}
