using GpuEm.Engines;
using GpuEm.Models.BernoulliMixture;

namespace GpuEm.Models.CategoricalMixture;

/// <summary>
/// The accelerator engine: a categorical feature is its L_j one-hot columns, so the Bernoulli
/// engine runs on the n × Σ L_j indicators with log P(column = 1 | k) = log θ_kjl and
/// log P(column = 0 | k) = 0 (the level that occurred carries the whole term; a missing feature
/// has no 1 and adds nothing). Its Σ r·x over the columns are the expected counts C_kjl.
/// </summary>
internal sealed class AcceleratorCategoricalEngine : IEmEngine<CategoricalParameters, CategoricalStatistics>
{
    private readonly AcceleratorBernoulliEngine _indicators;
    private readonly LevelLayout _layout;
    private readonly float[] _zeros;

    public AcceleratorCategoricalEngine(AcceleratorHandle handle, CategoricalData data, int k, long? deviceMemoryLimit)
    {
        _layout = data.Layout;
        _zeros = new float[k * _layout.Total];
        _indicators = new AcceleratorBernoulliEngine(handle, data.Indicators, null, k, deviceMemoryLimit);
    }

    public Backend Backend => _indicators.Backend;

    public string DeviceName => _indicators.DeviceName;

    /// <summary>Device chunks per E-step (of whole one-hot rows): 1 when resident.</summary>
    public int ChunkCount => _indicators.ChunkCount;

    public CategoricalStatistics Expect(CategoricalParameters parameters)
    {
        BernoulliStatistics s = _indicators.Expect(
            DeviceCopy.ToFloat(parameters.LogProbabilities), _zeros, DeviceCopy.ToFloat(parameters.LogWeights));
        var stats = new CategoricalStatistics(parameters.K, _layout)
        {
            LogLikelihood = s.LogLikelihood,
            TotalWeight = s.TotalWeight,
        };
        s.Weight.CopyTo(stats.Weight, 0);
        s.Ones.CopyTo(stats.Counts, 0);
        return stats;
    }


    public void Dispose() => _indicators.Dispose();
}
