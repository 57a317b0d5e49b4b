namespace GpuEm.Models;

/// <summary>The measures of fit of a model over some data, by name, in a fixed order.</summary>
/// <param name="Rows">Rows (points) scored.</param>
/// <param name="Measures">Name and value of each measure, e.g. ("meanLogLikelihood", −1.23).</param>
public sealed record ModelScore(long Rows, IReadOnlyList<KeyValuePair<string, double>> Measures)
{
    /// <summary>The value of a measure.</summary>
    /// <param name="name">Its name.</param>
    /// <returns>The value.</returns>
    /// <exception cref="KeyNotFoundException">The model has no such measure.</exception>
    public double this[string name] =>
        Measures.FirstOrDefault(m => m.Key == name) is { Key: not null } m
            ? m.Value
            : throw new KeyNotFoundException($"This score has no measure '{name}'; it has {string.Join(", ", Measures.Select(x => x.Key))}.");

    /// <summary>The four measures of a likelihood model from its mean log-likelihood over
    /// <paramref name="rows"/> points and its <paramref name="parameters"/> free parameters:
    /// meanLogLikelihood, logLikelihood, bic (−2 log L + p ln n) and aic (−2 log L + 2p), lower
    /// criteria better (scikit-learn's sign; mclust reports −BIC).</summary>
    /// <param name="rows">n.</param>
    /// <param name="meanLogLikelihood">log L / n.</param>
    /// <param name="parameters">p.</param>
    /// <returns>The score.</returns>
    public static ModelScore Likelihood(long rows, double meanLogLikelihood, long parameters)
    {
        double logLikelihood = meanLogLikelihood * rows;
        return new ModelScore(rows,
        [
            new("meanLogLikelihood", meanLogLikelihood),
            new("logLikelihood", logLikelihood),
            new("bic", -2 * logLikelihood + parameters * Math.Log(rows)),
            new("aic", -2 * logLikelihood + 2.0 * parameters),
        ]);
    }
}
