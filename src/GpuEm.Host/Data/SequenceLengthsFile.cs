using System.Globalization;

namespace GpuEm.Data;

/// <summary>
/// Sequence lengths files, as the hidden Markov model commands read them (<c>--lengths FILE</c>):
/// the lengths of the sequences whose rows are concatenated in order in a data file, for
/// <see cref="Models.HiddenMarkov.HiddenMarkov"/>'s fits.
/// </summary>
public static class SequenceLengthsFile
{
    /// <summary>
    /// Reads a lengths file: one whole number ≥ 1 per line (blank lines and lines starting with #
    /// skipped).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <returns>The lengths, in file order.</returns>
    /// <exception cref="InvalidDataException">A line is not a length (the message names the file and
    /// line), or the file holds none.</exception>
    public static int[] Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
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
                    $"{Path.GetFileName(path)} line {number}: '{(line.Length > 40 ? line[..40] + "…" : line)}' is not a sequence length (a whole number ≥ 1).");
            lengths.Add(length);
        }
        if (lengths.Count == 0)
            throw new InvalidDataException($"{Path.GetFileName(path)} holds no sequence lengths (one whole number ≥ 1 per line).");
        return lengths.ToArray();
    }
}
