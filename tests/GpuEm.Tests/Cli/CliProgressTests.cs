using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using GpuEm.Cli;
using GpuEm.Tests.Support;
using Spectre.Console;
using Xunit;

namespace GpuEm.Tests.Cli;

/// <summary>The program's progress on stderr: plain lines for logs, none when quiet, a live
/// display on a terminal.</summary>
public sealed partial class CliProgressTests : TempFolderTests
{
    public CliProgressTests()
        : base("gpuem-progress-")
    {
    }

    private string Blobs()
    {
        var random = new Random(8);
        var text = new StringBuilder();
        for (int i = 0; i < 300; i++)
            text.Append(CultureInfo.InvariantCulture, $"{i % 3 * 6 + Synthetic.Normal(random):R},{Synthetic.Normal(random):R}\n");
        string path = PathOf("blobs.csv");
        File.WriteAllText(path, text.ToString());
        return path;
    }

    private string[] Fit(params string[] more) =>
        ["fit", "--input", Blobs(), "--k", "3", "--n-init", "2", "--backend", "reference", .. more];

    [Fact]
    public void With_progress_a_fit_logs_plain_lines_that_name_every_phase()
    {
        (int code, string output, string errors) = InProcess.Run(Fit("--progress"));
        Assert.Equal(0, code);
        using (JsonDocument.Parse(output))
        {
        }
        foreach (string phase in new[]
        {
            "gpuem: reading blobs.csv: done in", "gpuem: validating the data: done in",
            "gpuem: preparing the engine: done in", "gpuem: restart 1 of 2, seeding: done in",
            "gpuem: restart 2 of 2, seeding", "restart 1 of 2, k-means start iteration 0 of ≤ 300: inertia",
            "restart 2 of 2, EM iteration 1 of ≤ 100: mean log-likelihood", "s left", "gpuem: finished in",
        })
            Assert.Contains(phase, errors);
        // A log, not an animation: no escape codes, every line a line of its own.
        Assert.DoesNotContain('\u001b', errors);
        Assert.All(errors.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("gpuem: ", line));
    }

    [Fact]
    public void The_environment_variable_keeps_progress_on_and_quiet_turns_it_off()
    {
        var errors = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(0, CliApp.Run(Fit(), new StringWriter(), errors, CancellationToken.None, terminal: false, progressVariable: "1"));
        Assert.Contains("EM iteration", errors.ToString());

        (int code, _, string quiet) = InProcess.Run(Fit("--progress", "--quiet"));
        Assert.Equal(0, code);
        Assert.Equal("", quiet);
        // Without either, a non-terminal stderr gets no progress.
        Assert.Equal("", InProcess.Run(Fit()).Err);
        var terminal = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(0, CliApp.Run(Fit("--quiet"), new StringWriter(), terminal, CancellationToken.None, terminal: true, progressVariable: "1"));
        Assert.Equal("", terminal.ToString());
    }

    [Fact]
    public void Kmeans_progress_shows_a_positive_inertia()
    {
        (int code, _, string errors) = InProcess.Run("kmeans", "--input", Blobs(), "--k", "3", "--backend", "reference", "--progress");
        Assert.Equal(0, code);
        MatchCollection inertias = Inertia().Matches(errors);
        Assert.NotEmpty(inertias);
        Assert.All(inertias, m => Assert.True(double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) > 0, m.Value));
    }

    [Fact]
    public void Select_progress_lines_name_the_k_and_covariance_type_being_fitted()
    {
        (int code, _, string errors) = InProcess.Run(
            "select", "--input", Blobs(), "--k-min", "1", "--k-max", "2", "--covariance", "full,diag", "--backend", "reference", "--progress");
        Assert.Equal(0, code);
        Assert.Contains("gpuem: k = 1, Full (1 of 4): EM iteration 0", errors);
        Assert.Contains("gpuem: k = 2, Diagonal (4 of 4): EM iteration", errors);
        Assert.Contains("gpuem: k = 2, Diagonal (4 of 4): finished in", errors);
    }

    [Fact]
    public void The_live_display_on_a_terminal_runs_a_fit_without_throwing()
    {
        var screen = new StringWriter(CultureInfo.InvariantCulture);
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(screen),
            Ansi = AnsiSupport.Yes,
            Interactive = InteractionSupport.Yes,
        });
        var output = new StringWriter(CultureInfo.InvariantCulture);
        Assert.Equal(0, CliApp.Run(Fit(), output, screen, CancellationToken.None, terminal: true, progressVariable: null, console));
        using (JsonDocument.Parse(output.ToString()))
        {
        }
        // Finished phases leave a line above the bar.
        Assert.Contains("✓ restart 2 of 2, EM: ", screen.ToString());
        Assert.Contains("✓ restart 1 of 2, k-means start: ", screen.ToString());
        Assert.Contains("finished in", screen.ToString());
    }

    [GeneratedRegex(@"inertia (-?[0-9.eE+-]+)")]
    private static partial Regex Inertia();
}
