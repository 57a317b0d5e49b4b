namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// The engine operation of a Bernoulli mixture: the E-step over all the data at given parameters
/// with the accumulation of <see cref="BernoulliStatistics"/>. The data is bound once per fit.
/// </summary>
internal interface IBernoulliEngine : IDisposable
{
    Backend Backend { get; }

    string DeviceName { get; }

    BernoulliStatistics Expect(BernoulliParameters parameters);
}
