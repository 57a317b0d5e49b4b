namespace GpuEm.Models.GaussianMixture;

/// <summary>The information criterion that ranks candidate mixtures (lower is better).</summary>
public enum SelectionCriterion
{
    /// <summary>Bayesian information criterion −2 log L + p ln n (mclust's choice, up to sign).</summary>
    Bic,

    /// <summary>Akaike information criterion −2 log L + 2p.</summary>
    Aic,
}
