using GpuEm.Models.Discrete;

namespace GpuEm.Models.BernoulliMixture;

/// <summary>
/// Settings of a Bernoulli mixture fit: those of every discrete mixture
/// (<see cref="DiscreteMixtureOptions"/>). The smoothing α gives the M-step
/// p_kj = (S_kj + α) / (O_kj + 2α), with S_kj the responsibility-weighted count of ones and O_kj
/// the responsibility-weighted count of observed entries of column j in component k: the MAP
/// estimate under an independent Beta(1 + α, 1 + α) prior on every p_kj, maximizing
/// log-likelihood + α Σ_kj [log p_kj + log(1 − p_kj)]. With α = 0 probabilities can reach 0 or 1
/// (and a point that contradicts every component stops the fit).
/// </summary>
public sealed record BernoulliMixtureOptions : DiscreteMixtureOptions;
