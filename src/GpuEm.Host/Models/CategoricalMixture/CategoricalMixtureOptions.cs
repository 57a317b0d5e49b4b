using GpuEm.Models.Discrete;

namespace GpuEm.Models.CategoricalMixture;

/// <summary>
/// Settings of a categorical mixture fit: those of every discrete mixture
/// (<see cref="DiscreteMixtureOptions"/>). The smoothing α gives the M-step
/// θ_kjl = (C_kjl + α) / (Σ_l C_kjl + L_j α), with C_kjl the responsibility-weighted count of
/// level l of feature j in component k: the MAP estimate under a Dirichlet(1 + α, …, 1 + α)
/// prior on every θ_kj·, maximizing log-likelihood + α Σ_kjl log θ_kjl. The k-means++ and random
/// starts work on the one-hot rows.
/// </summary>
public sealed record CategoricalMixtureOptions : DiscreteMixtureOptions;
