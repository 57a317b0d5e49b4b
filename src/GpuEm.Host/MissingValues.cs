namespace GpuEm;

/// <summary>What a fit does with NaN entries in the data.</summary>
public enum MissingValues
{
    /// <summary>NaN is an error naming its row and column (the default).</summary>
    Error,

    /// <summary>
    /// NaN entries are missing at random: each point's likelihood uses only its observed
    /// coordinates (the Gaussian's marginal), and the M-step uses the expected statistics (the
    /// conditional mean and covariance of the missing coordinates given the observed ones). A row
    /// with every entry missing is an error unless the options say to skip it. ±Infinity stays
    /// an error.
    /// </summary>
    Marginalize,
}
