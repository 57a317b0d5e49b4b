namespace GpuEm.Em;

/// <summary>What a fit is doing when it sends a <see cref="FitProgress"/>, in the order the
/// phases come: <see cref="Reading"/> and <see cref="Validating"/> once, <see cref="Preparing"/>
/// once, then per restart <see cref="Seeding"/>, <see cref="KMeansStart"/> (mixtures started by
/// k-means) and <see cref="Iterating"/>, and <see cref="Finished"/> once at the end.</summary>
public enum FitPhase
{
    /// <summary>Reading a data source into memory (sources that are not mapped in place, such
    /// as CSV files); <see cref="FitProgress.Fraction"/> is the share of rows read.</summary>
    Reading,

    /// <summary>Checking the values (finite, or NaN marking missing values) and the weights.</summary>
    Validating,

    /// <summary>Choosing the device, building the engine (uploading the data, compiling kernels).</summary>
    Preparing,

    /// <summary>Choosing a restart's starting centres (k-means++, random points);
    /// <see cref="FitProgress.Fraction"/> is the share of the k centres chosen.</summary>
    Seeding,

    /// <summary>The k-means fit that starts a restart of a mixture: <see cref="FitProgress.Iteration"/>
    /// and <see cref="FitProgress.Objective"/> (the inertia) are that k-means fit's.</summary>
    KMeansStart,

    /// <summary>EM iterations of one restart (the default of a report).
    /// <see cref="FitProgress.Iteration"/> counts M-steps (0: the starting parameters).</summary>
    Iterating,

    /// <summary>Sent once when the fit ends: <see cref="FitProgress.Restart"/>,
    /// <see cref="FitProgress.Iteration"/> and <see cref="FitProgress.Objective"/> are the
    /// winning restart's, <see cref="FitProgress.Elapsed"/> the whole fit's time.</summary>
    Finished,
}
