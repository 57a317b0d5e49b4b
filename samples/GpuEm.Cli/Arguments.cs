using System.Globalization;

namespace GpuEm.Cli;

/// <summary>
/// "--name value" options and "--flag" switches after a subcommand, parsed by System.CommandLine
/// (tokens, "--name=value", option matching). Every option a command reads is declared, so an
/// unknown one is a usage error rather than silently ignored; values are converted here, with
/// messages that name the option.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    /// <summary>The flags every command takes: --help, --verbose (errors with their exception),
    /// --quiet (no progress) and --progress (progress lines when stderr is not a terminal).</summary>
    private static readonly string[] CommonFlags = ["help", "verbose", "quiet", "progress"];

    public Arguments(IEnumerable<string> args, IReadOnlySet<string> options, IReadOnlySet<string> commandFlags)
    {
        var flags = new HashSet<string>(commandFlags.Concat(CommonFlags), StringComparer.Ordinal);
        var command = new System.CommandLine.Command("gpuem");
        var valueOptions = new Dictionary<string, System.CommandLine.Option<string>>(StringComparer.Ordinal);
        var flagOptions = new Dictionary<string, System.CommandLine.Option<bool>>(StringComparer.Ordinal);
        foreach (string name in options)
        {
            var option = new System.CommandLine.Option<string>("--" + name);
            valueOptions[name] = option;
            command.Options.Add(option);
        }
        foreach (string name in flags)
        {
            var option = new System.CommandLine.Option<bool>("--" + name) { Arity = System.CommandLine.ArgumentArity.Zero };
            flagOptions[name] = option;
            command.Options.Add(option);
        }
        string[] tokens = args.ToArray();
        System.CommandLine.ParseResult result = command.Parse(tokens);
        if (result.Errors.Count > 0)
            throw new UsageException(Explain(tokens, options, flags, result.Errors[0].Message));
        foreach ((string name, System.CommandLine.Option<string> option) in valueOptions)
            if (result.GetResult(option) is not null && result.GetValue(option) is { } value)
                _values[name] = value;
        foreach ((string name, System.CommandLine.Option<bool> option) in flagOptions)
            if (result.GetValue(option))
                _flags.Add(name);
    }

    // The parser's message, or a plainer one for the usual mistakes.
    private static string Explain(string[] tokens, IReadOnlySet<string> options, IReadOnlySet<string> flags, string message)
    {
        for (int i = 0; i < tokens.Length; i++)
        {
            string token = tokens[i];
            if (!token.StartsWith("--", StringComparison.Ordinal))
            {
                if (i == 0 || !options.Contains(tokens[i - 1][2..]))
                    return $"unexpected argument '{token}'";
                continue;
            }
            string name = token[2..].Split('=')[0];
            if (!options.Contains(name) && !flags.Contains(name))
                return $"unknown option '--{name}'";
            if (options.Contains(name) && !token.Contains('=', StringComparison.Ordinal)
                && (i + 1 == tokens.Length || tokens[i + 1].StartsWith("--", StringComparison.Ordinal)))
                return $"option '--{name}' needs a value";
        }
        return message.ReplaceLineEndings(" ");
    }

    public bool Flag(string name) => _flags.Contains(name);

    public string? Text(string name) => _values.GetValueOrDefault(name);

    public string Required(string name) =>
        Text(name) ?? throw new UsageException($"missing --{name}");

    public int Int(string name, int fallback) =>
        Parse(name, fallback, (string text, out int value) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value), "an integer");

    /// <summary>An integer option that must be at least <paramref name="minimum"/> (checked here,
    /// so the error names the option rather than the library's property).</summary>
    public int Int(string name, int fallback, int minimum) =>
        Parse(name, fallback, (string text, out int value) =>
            int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out value) && value >= minimum,
            $"an integer ≥ {minimum}");

    /// <summary>A required integer option of at least <paramref name="minimum"/> (--k).</summary>
    public int RequiredInt(string name, int minimum, string placeholder) =>
        Text(name) is null
            ? throw new UsageException($"--{name} {placeholder} (≥ {minimum}) is required")
            : Int(name, minimum, minimum);

    public double Double(string name, double fallback) =>
        Parse(name, fallback, (string text, out double value) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value), "a number");

    /// <summary>A finite number option that must be at least <paramref name="minimum"/>.</summary>
    public double Double(string name, double fallback, double minimum) =>
        Parse(name, fallback, (string text, out double value) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value) && value >= minimum,
            string.Create(CultureInfo.InvariantCulture, $"a finite number ≥ {minimum}"));

    /// <summary>A finite number option that must be above 0.</summary>
    public double Positive(string name, double fallback) =>
        Parse(name, fallback, (string text, out double value) =>
            double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value) && value > 0,
            "a positive finite number");

    /// <summary>--device-memory-limit BYTES: a positive whole number of bytes, or null when absent.</summary>
    public long? DeviceMemoryLimit() =>
        Text("device-memory-limit") is null
            ? null
            : Parse<long>("device-memory-limit", 0, (string text, out long value) =>
                long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0,
                "a positive whole number of bytes");

    private delegate bool TryParser<T>(string text, out T value);

    // The option's value parsed, the fallback when absent, a usage error naming the option when bad.
    private T Parse<T>(string name, T fallback, TryParser<T> parse, string what) =>
        Text(name) is { } text
            ? parse(text, out T value) ? value : throw new UsageException($"--{name} '{Clip(text)}' is not {what}")
            : fallback;

    public T Choice<T>(string name, T fallback, IReadOnlyDictionary<string, T> choices) =>
        Text(name) is { } text
            ? choices.TryGetValue(text, out T? value)
                ? value
                : throw new UsageException($"--{name} '{Clip(text)}' is not one of {string.Join(", ", choices.Keys)}")
            : fallback;

    /// <summary>A value echoed in an error, cut to 40 characters ("…" after) so that a huge
    /// argument or cell does not flood the terminal.</summary>
    internal static string Clip(string text) => text.Length <= 40 ? text : string.Concat(text.AsSpan(0, 40), "…");

    /// <summary>
    /// The --output file of a fit, checked before the fit runs: its folder exists and takes a new
    /// file, and it is not one of the inputs (which a save would replace); null when not given.
    /// </summary>
    public string? Output(params string?[] inputs)
    {
        if (Text("output") is not { } output)
            return null;
        string full = Path.GetFullPath(output);
        foreach (string? input in inputs)
            if (input is not null && input != "-" && string.Equals(Path.GetFullPath(input), full, StringComparison.Ordinal))
                throw new UsageException($"--output {output} is also an input; the model would replace it. Choose another file");
        string folder = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(folder))
            throw new UsageException($"--output {output}: the folder {folder} does not exist");
        if (Directory.Exists(full))
            throw new UsageException($"--output {output} is a folder; give a file name");
        string probe = Path.Combine(folder, $".gpuem-write-test-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe))
            {
            }
            File.Delete(probe);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"--output {output}: cannot write in {folder} ({ex.Message}).", ex);
        }
        return output;
    }

    public static readonly IReadOnlyDictionary<string, Backend> Backends = new Dictionary<string, Backend>
    {
        ["auto"] = Backend.Auto,
        ["cuda"] = Backend.Cuda,
        ["opencl"] = Backend.OpenCL,
        ["cpu-accelerator"] = Backend.CpuAccelerator,
        ["reference"] = Backend.Reference,
    };
}
