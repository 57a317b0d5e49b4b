namespace GpuEm.Data;

/// <summary>A column of a table file (Parquet, Arrow) as the table sources see it: its name and,
/// when it cannot be read as float32, what it is instead.</summary>
/// <param name="Name">The column's name in the file.</param>
/// <param name="TypeName">Its type as the file names it ("double", "int64", "string").</param>
/// <param name="IsNumeric">Whether its values convert to float32 (floating-point and integer types).</param>
internal readonly record struct TableColumn(string Name, string TypeName, bool IsNumeric);

/// <summary>Which columns of a table file a source reads, chosen by name; the errors a choice can
/// meet, each naming the file and the column.</summary>
internal static class TableColumns
{
    /// <summary>
    /// The indices of the chosen columns, in the order chosen; every column when
    /// <paramref name="chosen"/> is null. A chosen column that is not numeric is an
    /// <see cref="InvalidDataException"/>; a name the file lacks, or one chosen twice, an
    /// <see cref="ArgumentException"/> on <paramref name="parameter"/>.
    /// </summary>
    public static int[] Choose(string fileName, IReadOnlyList<TableColumn> columns, IReadOnlyList<string>? chosen, string parameter)
    {
        if (columns.Count == 0)
            throw new InvalidDataException($"{fileName} has no columns.");
        int[] indices;
        if (chosen is null)
        {
            indices = Enumerable.Range(0, columns.Count).ToArray();
        }
        else
        {
            if (chosen.Count == 0)
                throw new ArgumentException($"No columns of {fileName} are chosen; name at least one.", parameter);
            indices = new int[chosen.Count];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < chosen.Count; i++)
            {
                string name = chosen[i];
                if (!seen.Add(name))
                    throw new ArgumentException($"The column '{name}' of {fileName} is chosen twice.", parameter);
                int index = FindIndex(columns, name);
                if (index < 0)
                    throw new ArgumentException(
                        $"{fileName} has no column '{name}'{CaseHint(columns, name)}; its columns are {List(columns.Select(c => c.Name))}.", parameter);
                indices[i] = index;
            }
        }
        foreach (int index in indices)
        {
            TableColumn column = columns[index];
            if (!column.IsNumeric)
            {
                string numeric = List(columns.Where(c => c.IsNumeric).Select(c => c.Name));
                throw new InvalidDataException(
                    $"{fileName}: the column '{column.Name}' is {column.TypeName}, not numeric; GpuEm reads floating-point and integer columns only" +
                    (chosen is null
                        ? $", and every column unless some are chosen by name (gpuem: --columns NAME,…). Its numeric columns: {numeric}."
                        : $". Its numeric columns: {numeric}."));
            }
        }
        return indices;
    }

    private static int FindIndex(IReadOnlyList<TableColumn> columns, string name)
    {
        for (int i = 0; i < columns.Count; i++)
            if (string.Equals(columns[i].Name, name, StringComparison.Ordinal))
                return i;
        return -1;
    }

    // "did you mean 'Sepal'?" when only the letter case differs.
    private static string CaseHint(IReadOnlyList<TableColumn> columns, string name) =>
        columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)).Name is { } near
            ? $" (names are case-sensitive: did you mean '{near}'?)"
            : "";

    // At most 20 names, quoted: a wide table's list must not fill the terminal.
    private static string List(IEnumerable<string> names)
    {
        string[] all = names.ToArray();
        if (all.Length == 0)
            return "none";
        string shown = string.Join(", ", all.Take(20).Select(n => $"'{n}'"));
        return all.Length > 20 ? $"{shown} and {all.Length - 20} more" : shown;
    }
}
