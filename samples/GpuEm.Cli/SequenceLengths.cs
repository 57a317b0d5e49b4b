using System.Globalization;

namespace GpuEm.Cli;

/// <summary>
/// The <c>--lengths FILE</c> of the hidden Markov model commands: one sequence length per line
/// (a whole number ≥ 1), the sequences' rows concatenated in order in the input. Blank lines and
/// lines starting with # are skipped. Errors name the file and the line (data errors, exit 1).
/// </summary>
internal static class SequenceLengths
{
    /// <summary>Reads a lengths file.</summary>
    public static int[] Read(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The lengths file {path} does not exist.", path);
        string name = Path.GetFileName(path);
        var lengths = new List<int>();
        int number = 0;
        foreach (string raw in File.ReadLines(path))
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
                continue;
            if (!int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int length) || length < 1)
                throw new InvalidDataException(
                    $"{name} line {number}: '{Arguments.Clip(line)}' is not a sequence length (a whole number ≥ 1).");
            lengths.Add(length);
        }
        if (lengths.Count == 0)
            throw new InvalidDataException($"{name} holds no sequence lengths (one whole number ≥ 1 per line).");
        return lengths.ToArray();
    }

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
