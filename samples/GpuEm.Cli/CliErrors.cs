using System.Text.RegularExpressions;

namespace GpuEm.Cli;

/// <summary>
/// A library message as the command line shows it: one line, without .NET's
/// "(Parameter 'x')" and "Actual value was …" tails, and with the options' C# names (<c>Tolerance</c>,
/// <c>Backend.Auto</c>) replaced by the CLI's (<c>--tol</c>, <c>--backend auto</c>). The commands
/// check their options' ranges themselves; this is for what only the library can find (k larger
/// than the data, a coefficient list that does not fit its groups, a device that does not open).
/// </summary>
internal static partial class CliErrors
{
    // The options' property names in library messages and the option that sets each.
    private static readonly (string Property, string Option)[] Options =
    [
        ("ComponentCount k =", "--k"),
        ("ClusterCount k =", "--k"),
        ("States K =", "--states"),
        ("TopicCount K =", "--topics"),
        ("TopicCount", "--topics"),
        ("Tempering", "--tempering"),
        ("MixtureComponents", "--mixture-components"),
        ("MaxJump", "--max-jump"),
        ("ComponentCount", "--k"),
        ("ClusterCount", "--k"),
        ("MaxIterations", "--max-iter"),
        ("Tolerance", "--tol"),
        ("Restarts", "--n-init"),
        ("ShortRunsContinued", "--short-continue"),
        ("ShortRunStarts", "--short-runs"),
        ("ShortRunIterations", "--short-iter"),
        ("SplitMergeTrials", "--split-merge"),
        ("SeedingLocalSearch", "--local-search"),
        ("CovarianceRegularization", "--reg"),
        ("Smoothing", "--smoothing"),
        ("DeviceMemoryLimit", "--device-memory-limit"),
        ("Seed", "--seed"),
        ("InitialGroupParameters", "--initial"),
        ("Coefficients", "--coefficients"),
        ("Groups", "--groups"),
    ];

    /// <summary>The message of <paramref name="exception"/> for the command line.</summary>
    public static string Describe(Exception exception) => Describe(exception.Message);

    /// <summary>A library message (an error or a warning) for the command line.</summary>
    public static string Describe(string message)
    {
        string text = ParameterTail().Replace(ActualValueTail().Replace(message, ""), "");
        text = BackendName().Replace(text, match =>
            Arguments.Backends.FirstOrDefault(b => b.Value.ToString() == match.Groups[1].Value).Key is { } option
                ? "--backend " + option
                : match.Value);
        foreach ((string property, string option) in Options)
            text = Regex.Replace(text, $@"\b{Regex.Escape(property)}(?![A-Za-z])( \({Regex.Escape(option)}\))?", option, RegexOptions.CultureInvariant);
        return text.ReplaceLineEndings(" ").Trim();
    }

    // .NET puts it on a line of its own; in a joined message (select's "every candidate failed")
    // text may follow on that line, so it ends at the period that ends the value.
    [GeneratedRegex(@"\s*Actual value was .*?\.(?=$|\s|\])", RegexOptions.CultureInvariant)]
    private static partial Regex ActualValueTail();

    [GeneratedRegex(@" \(Parameter '[^']*'\)", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterTail();

    [GeneratedRegex(@"\bBackend\.([A-Za-z]+)", RegexOptions.CultureInvariant)]
    private static partial Regex BackendName();
}
