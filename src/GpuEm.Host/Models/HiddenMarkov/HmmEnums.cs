namespace GpuEm.Models.HiddenMarkov;

/// <summary>What each hidden state emits.</summary>
public enum HmmEmission
{
    /// <summary>A Gaussian per state (covariance by <see cref="HiddenMarkovOptions.Covariance"/>).</summary>
    Gaussian,

    /// <summary>A mixture of <see cref="HiddenMarkovOptions.MixtureComponents"/> Gaussians per state (GMM-HMM).</summary>
    GaussianMixture,

    /// <summary>One column of symbols 0 … M − 1 (M = <see cref="HiddenMarkovOptions.Symbols"/>).</summary>
    Categorical,

    /// <summary>Independent Poisson counts per column (whole numbers ≥ 0).</summary>
    Poisson,
}

/// <summary>Which transitions are allowed.</summary>
public enum HmmTopology
{
    /// <summary>Every state may follow every state.</summary>
    Full,

    /// <summary>
    /// Left-right (Bakis): from state i only to states j ≥ i (at most
    /// <see cref="HiddenMarkovOptions.MaxJump"/> ahead), every sequence starting in state 0.
    /// </summary>
    LeftRight,
}

/// <summary>Parameter blocks of a hidden Markov model (as hmmlearn's <c>params</c> letters s, t, e).</summary>
[Flags]
public enum HmmParts
{
    /// <summary>No block.</summary>
    None = 0,

    /// <summary>The start probabilities π.</summary>
    Start = 1,

    /// <summary>The transition matrix A.</summary>
    Transitions = 2,

    /// <summary>The emission parameters (means and covariances, mixture weights, symbol probabilities, rates).</summary>
    Emissions = 4,

    /// <summary>Every block.</summary>
    All = Start | Transitions | Emissions,
}
