using System.Text.Json;

namespace GpuEm.Persistence;

/// <summary>
/// The shared frame of every model file: a JSON object with <c>format</c> and <c>version</c>,
/// then the model's fields. Numbers are written in the shortest form that reads back to the same
/// double, so a save and load round trip is exact. Readers check every field they take.
/// </summary>
internal static class ModelDocument
{
    /// <summary>The file version this build writes and reads.</summary>
    public const int Version = 1;

    public static void Write(Stream stream, string format, Action<Utf8JsonWriter> body)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        writer.WriteStartObject();
        writer.WriteString("format", format);
        writer.WriteNumber("version", Version);
        body(writer);
        writer.WriteEndObject();
    }

    /// <summary>Writes a model file by replacing it (<see cref="ReplacedFile.Write"/>).</summary>
    public static void Replace(string path, Action<Stream> write) => ReplacedFile.Write(path, write);

    /// <summary>Parses a document and checks its format and version.</summary>
    public static T Read<T>(Stream stream, string source, string format, Func<Reader, T> body)
    {
        ArgumentNullException.ThrowIfNull(stream);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(stream);
        }
        catch (JsonException ex)
        {
            throw new ModelFormatException($"{source} is not a valid model file: {ex.Message}", ex);
        }
        using (document)
        {
            CheckText(document.RootElement, source);
            var reader = new Reader(document.RootElement, source);
            string actual = reader.Format();
            if (actual != format)
                throw new ModelFormatException($"{source} holds a '{Clip(actual)}' model, not a '{format}' one.");
            reader.CheckVersion();
            return body(reader);
        }
    }

    /// <summary>
    /// Decodes every property name and string of a parsed document once. JSON whose bytes are not
    /// valid UTF-8, or whose escapes are lone surrogates ("\uDE00"), parses, and fails only when
    /// the text is read (an InvalidOperationException from a property lookup or GetString); it is
    /// refused here as a format error naming the file and the field.
    /// </summary>
    internal static void CheckText(JsonElement root, string source)
    {
        var path = new Stack<string>();
        void Walk(JsonElement e)
        {
            switch (e.ValueKind)
            {
                case JsonValueKind.Object:
                    foreach (JsonProperty property in e.EnumerateObject())
                    {
                        string name = Decode(() => property.Name);
                        path.Push(name);
                        Walk(property.Value);
                        path.Pop();
                    }
                    break;
                case JsonValueKind.Array:
                    foreach (JsonElement item in e.EnumerateArray())
                        Walk(item);
                    break;
                case JsonValueKind.String:
                    Decode(() => e.GetString()!);
                    break;
            }
        }
        string Decode(Func<string> read)
        {
            try
            {
                return read();
            }
            catch (InvalidOperationException ex)
            {
                string where = path.Count == 0 ? "" : $" in the field '{Clip(string.Join(".", path.Reverse()))}'";
                throw new ModelFormatException($"The model file {source} holds text that is not valid UTF-8, or a \\u escape of a lone surrogate{where}.", ex);
            }
        }
        Walk(root);
    }

    /// <summary>A value from a file echoed in an error, cut to 40 characters.</summary>
    public static string Clip(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");

    public static T Read<T>(string path, string format, Func<Reader, T> body)
    {
        using FileStream stream = Open(path);
        return Read(stream, path, format, body);
    }

    /// <summary>Opens a model file and reads it with a codec's reader.</summary>
    public static T Load<T>(string path, Func<Stream, string, T> read)
    {
        using FileStream stream = Open(path);
        return read(stream, path);
    }

    /// <summary>Opens a model file, with the path in the error when it is missing.</summary>
    public static FileStream Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return File.OpenRead(path);
        }
        catch (FileNotFoundException ex)
        {
            throw new FileNotFoundException($"The model file {path} does not exist.", path, ex);
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new FileNotFoundException($"The model file {path} does not exist (no such directory).", path, ex);
        }
    }

    public static void WriteArray(Utf8JsonWriter writer, string name, IEnumerable<double> values)
    {
        writer.WriteStartArray(name);
        foreach (double v in values)
            writer.WriteNumberValue(v);
        writer.WriteEndArray();
    }

    public static void WriteArray(Utf8JsonWriter writer, string name, IEnumerable<int> values)
    {
        writer.WriteStartArray(name);
        foreach (int v in values)
            writer.WriteNumberValue(v);
        writer.WriteEndArray();
    }

    /// <summary>Typed access to the fields of a model document, with errors naming the file.</summary>
    internal sealed class Reader(JsonElement root, string source)
    {
        public string Source => source;

        public string Format() => root.ValueKind == JsonValueKind.Object && root.TryGetProperty("format", out JsonElement f)
            && f.ValueKind == JsonValueKind.String
            ? Text(f, "format")
            : throw Fail("has no 'format' field: it is not a GpuEm model file");

        public void CheckVersion()
        {
            int version = Int("version");
            if (version > Version)
                throw Fail($"was written by a newer GpuEm (file version {version}); this build reads version {Version}. Update GpuEm");
            if (version < 1)
                throw Fail($"has an unsupported file version {version}; this build reads version {Version}");
        }

        public bool Has(string name) => root.TryGetProperty(name, out _);

        public JsonElement Field(string name) =>
            root.TryGetProperty(name, out JsonElement value) ? value : throw Fail($"lacks the field '{name}'");

        public int Int(string name)
        {
            JsonElement e = Field(name);
            return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) ? v : throw Fail($"field '{name}' is not an integer");
        }

        public bool Bool(string name)
        {
            JsonElement e = Field(name);
            return e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : throw Fail($"field '{name}' is not true or false");
        }

        public string String(string name)
        {
            JsonElement e = Field(name);
            return e.ValueKind == JsonValueKind.String ? Text(e, name) : throw Fail($"field '{name}' is not a string");
        }

        // A string field; JSON whose bytes are not valid UTF-8 parses, and fails only here.
        private string Text(JsonElement e, string name)
        {
            try
            {
                return e.GetString()!;
            }
            catch (InvalidOperationException ex)
            {
                throw new ModelFormatException($"The model file {source} field '{name}' is not valid UTF-8 text.", ex);
            }
        }

        public double Double(string name)
        {
            JsonElement e = Field(name);
            return e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double v) && double.IsFinite(v)
                ? v
                : throw Fail($"field '{name}' is not a finite number");
        }

        public T Enum<T>(string name)
            where T : struct, System.Enum =>
            System.Enum.TryParse(String(name), ignoreCase: false, out T v) && System.Enum.IsDefined(v)
                ? v
                : throw Fail($"field '{name}' is not one of {string.Join(", ", System.Enum.GetNames<T>())}");

        /// <summary>A flat array of finite numbers of exactly <paramref name="length"/> values (any length when −1).</summary>
        public double[] Doubles(string name, int length) => Doubles(name, length, nullIsNegativeInfinity: false);

        /// <summary>As <see cref="Doubles(string, int)"/>; with <paramref name="nullIsNegativeInfinity"/>
        /// a null entry reads as −∞ (how an objective history stores a start of zero probability).</summary>
        public double[] Doubles(string name, int length, bool nullIsNegativeInfinity)
        {
            JsonElement e = Field(name);
            if (e.ValueKind != JsonValueKind.Array)
                throw Fail($"field '{name}' is not an array");
            var values = new double[e.GetArrayLength()];
            if (length >= 0 && values.Length != length)
                throw Fail($"field '{name}' holds {values.Length} values; {length} expected");
            int i = 0;
            foreach (JsonElement item in e.EnumerateArray())
            {
                if (nullIsNegativeInfinity && item.ValueKind == JsonValueKind.Null)
                {
                    values[i++] = double.NegativeInfinity;
                    continue;
                }
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetDouble(out double v) || !double.IsFinite(v))
                    throw Fail($"field '{name}' has a value at index {i} that is not a finite number");
                values[i++] = v;
            }
            return values;
        }

        public int[] Ints(string name, int length)
        {
            JsonElement e = Field(name);
            if (e.ValueKind != JsonValueKind.Array)
                throw Fail($"field '{name}' is not an array");
            var values = new int[e.GetArrayLength()];
            if (length >= 0 && values.Length != length)
                throw Fail($"field '{name}' holds {values.Length} values; {length} expected");
            int i = 0;
            foreach (JsonElement item in e.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out int v))
                    throw Fail($"field '{name}' has a value at index {i} that is not an integer");
                values[i++] = v;
            }
            return values;
        }

        /// <summary>Two sizes (each ≥ 1) whose product, the length of the model's largest table,
        /// must fit in one array: checked, so a huge size is an error, not an overflow.</summary>
        public (int First, int Second) Sizes(string first, string second)
        {
            int a = Int(first);
            int b = Int(second);
            if (a < 1 || b < 1)
                throw Fail($"has {first} {a} and {second} {b}; both must be ≥ 1");
            if ((long)a * b > Array.MaxLength)
                throw Fail($"has {first} {a} and {second} {b}; their product exceeds what one array holds");
            return (a, b);
        }

        /// <summary>
        /// The length a × b × c of a table a file claims, in checked 64-bit arithmetic: sizes whose
        /// product overflows, or exceeds what one array holds, are an error naming the table and
        /// the sizes, never a wrapped 32-bit length that a short array would then match.
        /// </summary>
        public int Length(string name, long a, long b, long c = 1)
        {
            long length;
            try
            {
                length = checked(a * b * c);
            }
            catch (OverflowException)
            {
                length = long.MaxValue;
            }
            if (a < 0 || b < 0 || c < 0 || length > Array.MaxLength)
                throw Fail($"claims sizes whose '{name}' would hold {a} × {b}{(c == 1 ? "" : $" × {c}")} values, more than one array holds");
            return (int)length;
        }

        /// <summary>k mixing weights: finite, ≥ 0, summing to 1 within 1e-9.</summary>
        public double[] Weights(string name, int length)
        {
            double[] weights = Doubles(name, length);
            if (weights.Any(w => w < 0) || Math.Abs(weights.Sum() - 1) > 1e-9)
                throw Fail($"has {name} that are negative or do not sum to 1");
            return weights;
        }

        public ModelFormatException Fail(string what) => new($"The model file {source} {what}.");
    }
}
