namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// The engine operation of a Gaussian mixture: the E-step over all the data at given parameters
/// and the accumulation of the sufficient statistics around the current means. The data is bound
/// to the engine once (on a device: uploaded once per fit).
/// </summary>
internal interface IGaussianEngine : IDisposable
{
    Backend Backend { get; }

    string DeviceName { get; }

    GaussianStatistics Expect(GaussianParameters parameters);
}
