using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace GpuEm.Tests.Fuzz;

/// <summary>
/// Seeded mutations of a valid input: byte-level (bit flips, inserted, deleted and overwritten
/// bytes, truncation, duplicated runs) and token-aware ones for text (numbers replaced by
/// extremes, strings by other formats' names or huge strings, JSON fields deleted, duplicated,
/// replaced or nested wrongly) and for .npy headers (dtype, fortran_order, shape, header length,
/// version, truncated or extended data). The same seed and input give the same mutant.
/// </summary>
internal sealed partial class Mutator(int seed)
{
    private readonly Random _random = new(seed);

    /// <summary>Numbers that break size checks, overflow 32-bit products, underflow, or are not
    /// JSON at all ("NaN", "Infinity").</summary>
    internal static readonly string[] ExtremeNumbers =
    [
        "1e308", "-1e308", "1.7976931348623157e308", "5e-324", "-5e-324", "1e-300", "-0", "0", "-0.0", "1", "-1",
        "2", "3", "NaN", "-NaN", "Infinity", "-Infinity", "1e309", "2147483647", "2147483648", "-2147483648",
        "-2147483649", "4294967296", "715827883", "46341", "65536", "9223372036854775807", "9223372036854775808",
        "18446744073709551616", "1e19", "0.5", "1.5", "3.0000000000000004", "1e-7", "100000", "00", "1e", "--1", ".5",
    ];

    // Values that fill a whole array or object (every number in it).
    private static readonly string[] FillNumbers =
    [
        "1e308", "-1e308", "5e-324", "1e-300", "0", "-0", "-1", "1e-30", "1e30", "2147483648", "715827883", "1",
    ];

    // Strings a model or data file may hold, other formats' and kinds' among them.
    private static readonly string[] Strings =
    [
        "", " ", "gpuem.gaussian-mixture", "gpuem.kmeans", "gpuem.bernoulli-mixture", "gpuem.categorical-mixture",
        "gpuem.coarsened-categorical", "full", "diag", "diagonal", "spherical", "tied", "Full", "Diagonal", "Spherical",
        "Tied", "reference", "Reference", "cuda", "NaN", "-1", "1e308", "\u0000", "é", "\uD83D\uDE00", "null",
    ];

    // Whole JSON values to put in place of any value.
    private static readonly string[] Values =
    [
        "null", "true", "false", "[]", "{}", "[[]]", "[null]", "[1e308]", "[-1]", "[0]", "[[1e308,1e308]]", "\"\"",
        "{\"a\":1}", "[[[0]]]", "1e308", "-1", "0", "2147483648", "5e-324", "-0",
    ];

    private static readonly string[] Dtypes =
    [
        "<f4", "<f8", ">f4", ">f8", "|f4", "=f4", "<f2", "<f16", "<i4", "<i8", "|u1", "|b1", "<c8", "|O", "<U3", "", "f4",
        "<f4<f4", "<F4",
    ];

    private static readonly string[] Shapes =
    [
        "()", "(0,)", "(0, 3)", "(1,)", "(1, 1)", "(-1, 3)", "(20, -3)", "(3, 20)", "(60,)", "(61,)", "(20, 3, 1)",
        "(2147483648, 1)", "(1, 2147483648)", "(1, 2147483647)", "(9223372036854775807, 9223372036854775807)",
        "(4611686018427387904, 2)", "(2305843009213693952, 4)", "(20,3)", "(20 , 3 ,)", "(+20, 3)", "(20L, 3L)",
        "(2e1, 3)", "(20, 3", "20, 3)", "((20, 3))", "(20, 0)", "(1, 60)", "(10, 6)", "(60, 1)", "(99999999999999999999, 3)",
    ];

    /// <summary>How a text or binary input is mutated.</summary>
    internal enum Kind
    {
        /// <summary>Any bytes: byte-level mutations only.</summary>
        Binary,

        /// <summary>A JSON model file.</summary>
        Json,

        /// <summary>A CSV file.</summary>
        Csv,

        /// <summary>A NumPy .npy file.</summary>
        Npy,
    }

    /// <summary>One to three mutations of <paramref name="input"/>; the names say which, in order.</summary>
    public (byte[] Bytes, string Description) Mutate(byte[] input, Kind kind)
    {
        byte[] bytes = input;
        var applied = new List<string>();
        int count = 1 + (_random.NextDouble() < 0.3 ? _random.Next(1, 3) : 0);
        for (int i = 0; i < count; i++)
        {
            (bytes, string name) = MutateOnce(bytes, kind);
            applied.Add(name);
        }
        return (bytes, string.Join(" + ", applied));
    }

    private (byte[], string) MutateOnce(byte[] bytes, Kind kind)
    {
        // Half the mutations are token-aware where the kind has tokens; the rest work on bytes.
        if (kind != Kind.Binary && _random.NextDouble() < 0.6)
        {
            (byte[]? tokenMutant, string name) = kind switch
            {
                Kind.Json => Json(bytes),
                Kind.Csv => Csv(bytes),
                _ => Npy(bytes),
            };
            if (tokenMutant is not null)
                return (tokenMutant, name);
        }
        return Bytes(bytes);
    }

    private (byte[], string) Bytes(byte[] bytes)
    {
        int length = bytes.Length;
        switch (_random.Next(8))
        {
            case 0 when length > 0:
                {
                    byte[] copy = (byte[])bytes.Clone();
                    int flips = 1 + _random.Next(4);
                    for (int i = 0; i < flips; i++)
                        copy[_random.Next(length)] ^= (byte)(1 << _random.Next(8));
                    return (copy, $"flip {flips} bits");
                }
            case 1:
                {
                    int at = _random.Next(length + 1);
                    byte[] inserted = new byte[1 + _random.Next(_random.NextDouble() < 0.1 ? 200 : 4)];
                    _random.NextBytes(inserted);
                    return (Splice(bytes, at, 0, inserted), $"insert {inserted.Length} bytes at {at}");
                }
            case 2 when length > 0:
                {
                    int at = _random.Next(length);
                    int cut = Math.Min(length - at, 1 + _random.Next(_random.NextDouble() < 0.2 ? 64 : 3));
                    return (Splice(bytes, at, cut, []), $"delete {cut} bytes at {at}");
                }
            case 3 when length > 0:
                {
                    byte[] copy = (byte[])bytes.Clone();
                    int at = _random.Next(length);
                    byte[] interesting = [0, 0xFF, 0x7F, 0x80, (byte)'\n', (byte)'\r', (byte)',', (byte)'"', (byte)'{', (byte)']', (byte)'-', (byte)'9', 0xC3, 0xE2];
                    copy[at] = interesting[_random.Next(interesting.Length)];
                    return (copy, $"set byte {at} to 0x{copy[at]:X2}");
                }
            case 4:
                {
                    int keep = length == 0 ? 0 : _random.Next(length);
                    return (bytes[..keep], $"truncate to {keep} bytes");
                }
            case 5 when length > 0:
                {
                    int at = _random.Next(length);
                    int run = Math.Min(length - at, 1 + _random.Next(64));
                    int to = _random.Next(length + 1);
                    return (Splice(bytes, to, 0, bytes[at..(at + run)]), $"copy {run} bytes from {at} to {to}");
                }
            case 6:
                return (bytes.Length == 0 ? [0] : [.. bytes, .. bytes[..Math.Min(length, 1 + _random.Next(length))]], "append a copy of the start");
            default:
                return ([], "empty file");
        }
    }

    private (byte[]?, string) Json(byte[] bytes)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return (null, "");
        }
        switch (_random.Next(6))
        {
            case 0:
            case 1:
                return Text(ReplaceNumber(text));
            case 2:
                return Text(ReplaceString(text));
            default:
                try
                {
                    JsonNode? root = JsonNode.Parse(text);
                    return root is null ? (null, "") : Structural(root);
                }
                catch (Exception ex) when (ex is JsonException or ArgumentException or InvalidOperationException)
                {
                    // Not JSON any more (an earlier mutation), or a duplicated field: a number, then.
                    return Text(ReplaceNumber(text));
                }
        }
    }

    // A structural change at one node of the tree: deleted, duplicated, replaced, wrapped in an
    // array, unwrapped, emptied, or (in an array) cut short.
    private (byte[]?, string) Structural(JsonNode root)
    {
        var nodes = new List<JsonNode?>();
        Collect(root, nodes);
        string[] operations = ["delete", "duplicate", "replace", "wrap", "unwrap", "empty", "shorten", "huge", "fill", "fill", "fill"];
        string operation = operations[_random.Next(operations.Length)];
        // Operations on arrays and objects pick among those (a model's means, covariances,
        // weights), not among the many numbers in them.
        List<JsonNode?> containers = nodes.Where(n => n is JsonArray or JsonObject).ToList();
        JsonNode? target = operation is "fill" or "empty" or "shorten" or "unwrap" && containers.Count > 0
            ? containers[_random.Next(containers.Count)]
            : nodes[_random.Next(nodes.Count)];
        string replacement = operation switch
        {
            "huge" => JsonSerializer.Serialize(new string('9', 70_000)),
            "fill" => FillNumbers[_random.Next(FillNumbers.Length)],
            _ => Values[_random.Next(Values.Length)],
        };
        var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true }))
            Write(writer, root, target, operation, replacement);
        string where = target?.GetPath() ?? "(a null)";
        return (stream.ToArray(), $"{operation} {where}" + (operation is "replace" or "fill" ? $" with {replacement}" : ""));
    }

    private static void Collect(JsonNode? node, List<JsonNode?> nodes)
    {
        if (node is not null && node.Parent is not null)
            nodes.Add(node);
        if (node is JsonObject obj)
            foreach (KeyValuePair<string, JsonNode?> field in obj)
                Collect(field.Value, nodes);
        else if (node is JsonArray array)
            foreach (JsonNode? item in array)
                Collect(item, nodes);
        if (node is not null && node.Parent is null)
            nodes.Add(node);
    }

    private void Write(Utf8JsonWriter writer, JsonNode? node, JsonNode? target, string operation, string replacement)
    {
        if (node is not null && ReferenceEquals(node, target))
        {
            switch (operation)
            {
                case "replace" or "huge":
                    writer.WriteRawValue(replacement, skipInputValidation: true);
                    return;
                case "fill":
                    WriteFilled(writer, node, replacement);
                    return;
                case "wrap":
                    writer.WriteStartArray();
                    WritePlain(writer, node);
                    writer.WriteEndArray();
                    return;
                case "unwrap" when node is JsonArray { Count: > 0 } array:
                    WritePlain(writer, array[0]);
                    return;
                case "unwrap" when node is JsonObject { Count: > 0 } obj:
                    WritePlain(writer, obj.First().Value);
                    return;
                case "empty" when node is JsonArray:
                    writer.WriteRawValue("[]");
                    return;
                case "empty" when node is JsonObject:
                    writer.WriteRawValue("{}");
                    return;
                case "shorten" when node is JsonArray { Count: > 0 } array:
                    writer.WriteStartArray();
                    for (int i = 0; i < array.Count - 1; i++)
                        WritePlain(writer, array[i]);
                    writer.WriteEndArray();
                    return;
            }
        }
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (KeyValuePair<string, JsonNode?> field in obj)
                {
                    bool isTarget = field.Value is not null && ReferenceEquals(field.Value, target);
                    if (isTarget && operation == "delete")
                        continue;
                    int times = isTarget && operation == "duplicate" ? 2 : 1;
                    for (int t = 0; t < times; t++)
                    {
                        writer.WritePropertyName(field.Key);
                        Write(writer, field.Value, target, operation, replacement);
                    }
                }
                writer.WriteEndObject();
                return;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (JsonNode? item in array)
                {
                    bool isTarget = item is not null && ReferenceEquals(item, target);
                    if (isTarget && operation == "delete")
                        continue;
                    int times = isTarget && operation == "duplicate" ? 2 : 1;
                    for (int t = 0; t < times; t++)
                        Write(writer, item, target, operation, replacement);
                }
                writer.WriteEndArray();
                return;
            default:
                WritePlain(writer, node);
                return;
        }
    }

    // The node with every number in it replaced by one value: all means 1e308, every variance
    // 5e-324, every count 2³¹.
    private static void WriteFilled(Utf8JsonWriter writer, JsonNode? node, string number)
    {
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (KeyValuePair<string, JsonNode?> field in obj)
                {
                    writer.WritePropertyName(field.Key);
                    WriteFilled(writer, field.Value, number);
                }
                writer.WriteEndObject();
                return;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (JsonNode? item in array)
                    WriteFilled(writer, item, number);
                writer.WriteEndArray();
                return;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number:
                writer.WriteRawValue(number, skipInputValidation: true);
                return;
            default:
                WritePlain(writer, node);
                return;
        }
    }

    private static void WritePlain(Utf8JsonWriter writer, JsonNode? node)
    {
        if (node is null)
            writer.WriteNullValue();
        else
            node.WriteTo(writer);
    }

    private (byte[]?, string) Csv(byte[] bytes)
    {
        string text = Encoding.UTF8.GetString(bytes);
        string[] lines = text.Split('\n');
        switch (_random.Next(7))
        {
            case 0:
            case 1:
                return Text(ReplaceNumber(text));
            case 2:
                {
                    int line = _random.Next(lines.Length);
                    lines[line] = lines[line] + "," + ExtremeNumbers[_random.Next(ExtremeNumbers.Length)];
                    return (Encoding.UTF8.GetBytes(string.Join('\n', lines)), $"add a cell to line {line + 1}");
                }
            case 3:
                {
                    int line = _random.Next(lines.Length);
                    int comma = lines[line].LastIndexOf(',');
                    lines[line] = comma < 0 ? "" : lines[line][..comma];
                    return (Encoding.UTF8.GetBytes(string.Join('\n', lines)), $"drop the last cell of line {line + 1}");
                }
            case 4:
                {
                    int line = _random.Next(lines.Length);
                    string huge = _random.NextDouble() < 0.5 ? new string('7', 70_000) : string.Join(',', Enumerable.Repeat("1", 3_000));
                    lines[line] = huge;
                    return (Encoding.UTF8.GetBytes(string.Join('\n', lines)), $"line {line + 1} replaced by a huge one");
                }
            case 5:
                {
                    // A row of a different shape in place of the whole file: one row, one column, a
                    // header, a separator other than a comma.
                    string[] shapes = ["1", "1,2", "a,b,c\n" + text, text.Replace(',', ';'), text.Replace(',', '\t'),
                        "1,2,3\n\n\n", "\n\n", "1e308,1e308,1e308\n-1e308,-1e308,-1e308\n", "0,0,0\n0,0,0\n0,0,0\n",
                        text.Replace("\n", "\r\n"), "\uFEFF" + text];
                    int pick = _random.Next(shapes.Length);
                    return (Encoding.UTF8.GetBytes(shapes[pick]), $"reshaped file #{pick}");
                }
            default:
                {
                    // Duplicate or delete a line.
                    var list = lines.ToList();
                    int line = _random.Next(list.Count);
                    if (_random.NextDouble() < 0.5)
                        list.Insert(line, list[line]);
                    else
                        list.RemoveAt(line);
                    return (Encoding.UTF8.GetBytes(string.Join('\n', list)), $"duplicate or delete line {line + 1}");
                }
        }
    }

    private (byte[]?, string) Npy(byte[] bytes)
    {
        if (bytes.Length < 10 || bytes[0] != 0x93)
            return (null, "");
        int headerStart = bytes[6] == 1 ? 10 : 12;
        if (bytes.Length < headerStart)
            return (null, "");
        int headerLength = headerStart == 10 ? BitConverter.ToUInt16(bytes, 8) : (int)Math.Min(BitConverter.ToUInt32(bytes, 8), int.MaxValue);
        if (headerStart + (long)headerLength > bytes.Length)
            return (null, "");
        string header = Encoding.Latin1.GetString(bytes, headerStart, headerLength);
        byte[] data = bytes[(headerStart + headerLength)..];
        switch (_random.Next(9))
        {
            case 0:
                return Header(bytes, headerStart, DescrPattern().Replace(header, $"'descr': '{Dtypes[_random.Next(Dtypes.Length)]}'"), data, keepLength: _random.NextDouble() < 0.5, "dtype");
            case 1:
                {
                    string[] orders = ["True", "true", "1", "None", "False, 'fortran_order': True"];
                    return Header(bytes, headerStart, OrderPattern().Replace(header, $"'fortran_order': {orders[_random.Next(orders.Length)]}"), data, keepLength: true, "fortran_order");
                }
            case 2:
            case 3:
                return Header(bytes, headerStart, ShapePattern().Replace(header, $"'shape': {Shapes[_random.Next(Shapes.Length)]}"), data, keepLength: _random.NextDouble() < 0.5, "shape");
            case 4:
                {
                    // The header length field: another value, the data left where it was.
                    byte[] copy = (byte[])bytes.Clone();
                    uint[] lengths = [0, 1, (uint)headerLength - 1, (uint)headerLength + 1, (uint)headerLength + 4, 0xFFFF, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, (uint)bytes.Length];
                    uint value = lengths[_random.Next(lengths.Length)];
                    if (headerStart == 10)
                        BitConverter.GetBytes((ushort)value).CopyTo(copy, 8);
                    else
                        BitConverter.GetBytes(value).CopyTo(copy, 8);
                    return (copy, $"header length field {value}");
                }
            case 5:
                {
                    // The version: 2.0/3.0 has a 4-byte length; rewritten consistently or not.
                    byte[] copy = (byte[])bytes.Clone();
                    byte[] versions = [0, 1, 2, 3, 4, 0xFF];
                    copy[6] = versions[_random.Next(versions.Length)];
                    return (copy, $"version byte {copy[6]}");
                }
            case 6:
                {
                    int keep = data.Length == 0 ? 0 : _random.Next(data.Length);
                    return ([.. bytes[..(headerStart + headerLength)], .. data[..keep]], $"data truncated to {keep} bytes");
                }
            case 7:
                {
                    // Data bytes that are NaN, infinite or huge floats.
                    byte[] copy = (byte[])bytes.Clone();
                    if (data.Length < 4)
                        return (null, "");
                    int at = headerStart + headerLength + _random.Next(data.Length / 4) * 4;
                    float[] values = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, -float.MaxValue, float.Epsilon, 1e30f, -0f];
                    float value = values[_random.Next(values.Length)];
                    BitConverter.GetBytes(value).CopyTo(copy, at);
                    return (copy, $"value at byte {at} set to {value.ToString(CultureInfo.InvariantCulture)}");
                }
            default:
                return Header(bytes, headerStart, header.Replace("}", ", 'extra': (1, 2), }", StringComparison.Ordinal), data, keepLength: false, "extra key");
        }
    }

    // The file with a new header text; its length field rewritten (the usual case) or, with
    // keepLength, the new text cut or padded to the old length.
    private static (byte[], string) Header(byte[] bytes, int headerStart, string header, byte[] data, bool keepLength, string what)
    {
        int oldLength = headerStart == 10 ? BitConverter.ToUInt16(bytes, 8) : (int)BitConverter.ToUInt32(bytes, 8);
        if (keepLength)
            header = header.Length >= oldLength ? header[..oldLength] : header.PadRight(oldLength);
        byte[] text = Encoding.Latin1.GetBytes(header);
        byte[] prefix = bytes[..headerStart];
        if (headerStart == 10)
            BitConverter.GetBytes((ushort)text.Length).CopyTo(prefix, 8);
        else
            BitConverter.GetBytes((uint)text.Length).CopyTo(prefix, 8);
        return ([.. prefix, .. text, .. data], $"{what}: {header.Trim()}");
    }

    private (string, string) ReplaceNumber(string text)
    {
        MatchCollection numbers = NumberPattern().Matches(text);
        if (numbers.Count == 0)
            return (text + ExtremeNumbers[_random.Next(ExtremeNumbers.Length)], "append a number");
        Match number = numbers[_random.Next(numbers.Count)];
        string extreme = ExtremeNumbers[_random.Next(ExtremeNumbers.Length)];
        return (text[..number.Index] + extreme + text[(number.Index + number.Length)..], $"number '{number.Value}' at {number.Index} → {extreme}");
    }

    private (string, string) ReplaceString(string text)
    {
        MatchCollection strings = StringPattern().Matches(text);
        if (strings.Count == 0)
            return ReplaceNumber(text);
        Match value = strings[_random.Next(strings.Count)];
        string replacement = _random.NextDouble() < 0.1 ? new string('x', 70_000) : Strings[_random.Next(Strings.Length)];
        string encoded = JsonSerializer.Serialize(replacement);
        return (text[..value.Index] + encoded + text[(value.Index + value.Length)..],
            $"string {value.Value} → {(replacement.Length > 40 ? $"{replacement.Length} chars" : encoded)}");
    }

    private static (byte[], string) Text((string Text, string Name) mutant) => (Encoding.UTF8.GetBytes(mutant.Text), mutant.Name);

    private static byte[] Splice(byte[] bytes, int at, int remove, byte[] insert) =>
        [.. bytes[..at], .. insert, .. bytes[(at + remove)..]];

    [GeneratedRegex(@"-?\d+(\.\d+)?([eE][+-]?\d+)?")]
    private static partial Regex NumberPattern();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex StringPattern();

    [GeneratedRegex(@"'descr'\s*:\s*'[^']*'")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"'fortran_order'\s*:\s*\w+")]
    private static partial Regex OrderPattern();

    [GeneratedRegex(@"'shape'\s*:\s*\([^)]*\)")]
    private static partial Regex ShapePattern();
}
