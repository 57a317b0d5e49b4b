using GpuEm.Em;

namespace GpuEm.Models.HiddenMarkov;

/// <summary>
/// Where <see cref="HiddenMarkovModel.Decode(float[,], IReadOnlyList{int}, HmmDecodeOptions)"/>
/// runs. The default is the float64 reference engine on the host (the same as the overloads
/// without options); a device runs the Viterbi recursion with float32 emissions and float64 sums,
/// so a path can differ from the reference's only where two paths' log-probabilities are within
/// float32 rounding of each other.
/// </summary>
public sealed record HmmDecodeOptions
{
    /// <summary>Where Viterbi runs. Default <see cref="GpuEm.Backend.Reference"/>. Auto takes the
    /// first CUDA or OpenCL device that opens and falls back to the reference engine (with a
    /// notice through <see cref="Progress"/>) where there is none, or where the device does not run
    /// the model: mixtures of Gaussians per state, data with missing entries, and for K above 64 a
    /// sequence longer than a device chunk. An explicit device backend throws there instead.</summary>
    public Backend Backend { get; init; } = Backend.Reference;

    /// <summary>Bytes of device memory to plan for (&gt; 0), or null for what the device has free;
    /// beyond it the rows stream through the device in chunks. Default null.</summary>
    public long? DeviceMemoryLimit { get; init; }

    /// <summary>Receives notices (a fallback, a skipped device). Default null.</summary>
    public IProgress<FitProgress>? Progress { get; init; }

    internal void Validate()
    {
        if (!Enum.IsDefined(Backend))
            throw new ArgumentOutOfRangeException(nameof(Backend), Backend, "Unknown backend.");
        if (DeviceMemoryLimit is <= 0)
            throw new ArgumentOutOfRangeException(nameof(DeviceMemoryLimit), DeviceMemoryLimit, "DeviceMemoryLimit must be positive.");
    }
}
