namespace GpuEm.Models.Discrete;

/// <summary>What every discrete mixture's statistics carry beside their counts: the E-step's
/// Σ w·log p(x) and Σ w.</summary>
internal interface IMixtureStatistics
{
    double LogLikelihood { get; }

    double TotalWeight { get; }
}

/// <summary>Mergeable statistics of a discrete mixture, as the reference engines reduce them.</summary>
internal interface IMixtureStatistics<TSelf> : IMixtureStatistics
    where TSelf : IMixtureStatistics<TSelf>
{
    new double LogLikelihood { get; set; }

    new double TotalWeight { get; set; }

    void Add(TSelf other);

    void Clear();
}
