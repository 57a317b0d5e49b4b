using GpuEm.Em;

namespace GpuEm.Models.Topics;

/// <summary>
/// What the topic models' settings share: the number of topics K beside the shared
/// <see cref="EmOptions"/> (MaxIterations 100, Tolerance 1e-4 on the change of the objective per
/// token). Immutable; validated when the estimator is made.
/// </summary>
public abstract record TopicModelOptions : EmOptions
{
    /// <summary>Default values.</summary>
    public static class Defaults
    {
        /// <summary>100 EM iterations.</summary>
        public const int MaxIterations = 100;

        /// <summary>1e-4 on the change of the objective per token (natural log).</summary>
        public const double Tolerance = 1e-4;
    }

    /// <summary>Options with the defaults above.</summary>
    protected TopicModelOptions()
        : base(Defaults.MaxIterations, Defaults.Tolerance)
    {
    }

    /// <summary>Topics K (≥ 1, ≤ the number of documents). Default 10.</summary>
    public int TopicCount { get; init; } = 10;

    /// <summary>Checks the shared settings; errors name the property.</summary>
    internal void ValidateTopics()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(TopicCount, nameof(TopicCount));
        ValidateRun();
    }
}
