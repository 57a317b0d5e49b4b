using System.Globalization;

namespace GpuEm.Cli;

/// <summary>A usage error: unknown command or option, missing or unparsable value (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// "--name value" options and "--flag" switches after a subcommand. Every option a command
/// reads is declared, so an unknown one is a usage error rather than silently ignored.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    public Arguments(IEnumerable<string> args, IReadOnlySet<string> options, IReadOnlySet<string> flags)
    {
        using IEnumerator<string> e = args.GetEnumerator();
        while (e.MoveNext())
        {
            string arg = e.Current;
            if (!arg.StartsWith("--", StringComparison.Ordinal))
                throw new UsageException($"unexpected argument '{arg}'");
            string name = arg[2..];
            if (flags.Contains(name))
            {
                _flags.Add(name);
                continue;
            }
            if (!options.Contains(name))
                throw new UsageException($"unknown option '{arg}'");
            if (!e.MoveNext())
                throw new UsageException($"option '{arg}' needs a value");
            _values[name] = e.Current;
        }
    }

    public bool Flag(string name) => _flags.Contains(name);

    public string? Text(string name) => _values.GetValueOrDefault(name);

    public string Required(string name) =>
        Text(name) ?? throw new UsageException($"missing --{name}");

    public int Int(string name, int fallback) =>
        Text(name) is { } text
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value)
                ? value
                : throw new UsageException($"--{name} '{text}' is not an integer")
            : fallback;

    public double Double(string name, double fallback) =>
        Text(name) is { } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                ? value
                : throw new UsageException($"--{name} '{text}' is not a number")
            : fallback;

    public T Choice<T>(string name, T fallback, IReadOnlyDictionary<string, T> choices) =>
        Text(name) is { } text
            ? choices.TryGetValue(text, out T? value)
                ? value
                : throw new UsageException($"--{name} '{text}' is not one of {string.Join(", ", choices.Keys)}")
            : fallback;

    public static readonly IReadOnlyDictionary<string, Backend> Backends = new Dictionary<string, Backend>
    {
        ["auto"] = Backend.Auto,
        ["cuda"] = Backend.Cuda,
        ["opencl"] = Backend.OpenCL,
        ["cpu-accelerator"] = Backend.CpuAccelerator,
        ["reference"] = Backend.Reference,
    };
}
