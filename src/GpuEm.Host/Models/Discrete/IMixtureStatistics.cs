namespace GpuEm.Models.Discrete;

/// <summary>What every discrete mixture's statistics carry beside their counts: the E-step's
/// Σ w·log p(x) and Σ w.</summary>
internal interface IMixtureStatistics
{
    double LogLikelihood { get; }

    double TotalWeight { get; }
}
