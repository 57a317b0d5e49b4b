using System.Globalization;
using GpuEm.Models.Topics;

namespace GpuEm.Cli;

/// <summary>
/// The LDA learning options shared by <c>gpuem topics fit</c> and <c>gpuem bench --model lda</c>:
/// <c>--learning-method batch|online</c>, and for online <c>--batch-size N</c>,
/// <c>--learning-offset T</c> (τ₀ ≥ 0) and <c>--learning-decay K</c> (κ in (0.5, 1]).
/// </summary>
internal static class LdaLearningArguments
{
    /// <summary>The option names.</summary>
    public static readonly string[] Options = ["learning-method", "batch-size", "learning-offset", "learning-decay"];

    private static readonly IReadOnlyDictionary<string, LdaLearning> Methods = new Dictionary<string, LdaLearning>
    {
        ["batch"] = LdaLearning.Batch,
        ["online"] = LdaLearning.Online,
    };

    /// <summary>The options with the learning settings the arguments give.</summary>
    public static LdaOptions Apply(Arguments a, LdaOptions options)
    {
        LdaLearning method = a.Choice("learning-method", LdaLearning.Batch, Methods);
        if (method == LdaLearning.Batch && Options.Skip(1).FirstOrDefault(o => a.Text(o) is not null) is { } onlineOnly)
            throw new UsageException($"--{onlineOnly} applies to --learning-method online only");
        double decay = a.Double("learning-decay", LdaOptions.LdaDefaults.LearningDecay);
        if (!(decay > 0.5 && decay <= 1))
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--learning-decay {decay} is not in (0.5, 1]"));
        return options with
        {
            LearningMethod = method,
            BatchSize = a.Int("batch-size", LdaOptions.LdaDefaults.BatchSize, minimum: 1),
            LearningOffset = a.Double("learning-offset", LdaOptions.LdaDefaults.LearningOffset, minimum: 0),
            LearningDecay = decay,
        };
    }
}
