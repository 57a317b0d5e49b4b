using GpuEm.Data;

namespace GpuEm.Models.GaussianMixture;

public sealed partial class GaussianMixture
{
    /// <summary>
    /// Fits every (covariance type, k) pair and ranks them by an information criterion, as
    /// mclust's <c>Mclust</c> does. The data is validated once and shared by the fits; a candidate
    /// that fails (k &gt; n, a covariance that stays singular) is reported with its error and does
    /// not stop the others. Progress reports carry each candidate's
    /// <see cref="Em.FitProgress.Label"/> ("k = 3, Full (4 of 12)").
    /// </summary>
    /// <param name="data">n × d data.</param>
    /// <param name="componentCounts">The k values to try (each ≥ 1).</param>
    /// <param name="covarianceTypes">The covariance types to try.</param>
    /// <param name="criterion">BIC (default) or AIC; lower wins.</param>
    /// <param name="baseOptions">Every other setting (k and the type are replaced); null: defaults.</param>
    /// <param name="cancellationToken">Stops after the current candidate's current iteration.</param>
    /// <returns>The table and the winner.</returns>
    /// <exception cref="InvalidOperationException">Every candidate failed (the message lists why).</exception>
    public static ModelSelectionResult SelectComponents(
        float[,] data, IEnumerable<int> componentCounts, IEnumerable<CovarianceType> covarianceTypes,
        SelectionCriterion criterion = SelectionCriterion.Bic, GaussianMixtureOptions? baseOptions = null,
        CancellationToken cancellationToken = default)
    {
        baseOptions ??= new GaussianMixtureOptions();
        return Select(
            Em.PhaseProgress.Run(baseOptions.Progress, Em.FitPhase.Validating,
                () => DataMatrix.From(data, null, baseOptions.MissingValues, baseOptions.SkipEmptyRows)),
            componentCounts, covarianceTypes, criterion, baseOptions, cancellationToken);
    }

    /// <summary>As the other overload, for row-major data.</summary>
    /// <param name="data">Row-major n × d values.</param>
    /// <param name="rows">n.</param>
    /// <param name="columns">d.</param>
    /// <param name="componentCounts">The k values to try.</param>
    /// <param name="covarianceTypes">The covariance types to try.</param>
    /// <param name="criterion">BIC or AIC.</param>
    /// <param name="baseOptions">Every other setting.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The table and the winner.</returns>
    public static ModelSelectionResult SelectComponents(
        ReadOnlyMemory<float> data, int rows, int columns, IEnumerable<int> componentCounts,
        IEnumerable<CovarianceType> covarianceTypes, SelectionCriterion criterion = SelectionCriterion.Bic,
        GaussianMixtureOptions? baseOptions = null, CancellationToken cancellationToken = default)
    {
        baseOptions ??= new GaussianMixtureOptions();
        return Select(
            Em.PhaseProgress.Run(baseOptions.Progress, Em.FitPhase.Validating,
                () => DataMatrix.From(data, rows, columns, null, baseOptions.MissingValues, baseOptions.SkipEmptyRows)),
            componentCounts, covarianceTypes, criterion, baseOptions, cancellationToken);
    }

    private static ModelSelectionResult Select(
        DataMatrix data, IEnumerable<int> componentCounts, IEnumerable<CovarianceType> covarianceTypes,
        SelectionCriterion criterion, GaussianMixtureOptions baseOptions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(componentCounts);
        ArgumentNullException.ThrowIfNull(covarianceTypes);
        int[] ks = componentCounts.ToArray();
        CovarianceType[] types = covarianceTypes.ToArray();
        if (ks.Length == 0 || types.Length == 0)
            throw new ArgumentException("Give at least one component count and one covariance type.");
        foreach (int k in ks)
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k, nameof(componentCounts));
        var candidates = new List<ModelSelectionCandidate>();
        foreach (CovarianceType type in types)
        {
            foreach (int k in ks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                // Every report names its candidate, so that a progress display can tell them apart.
                string label = $"k = {k}, {type} ({candidates.Count + 1} of {ks.Length * types.Length})";
                GaussianMixtureOptions options = baseOptions with
                {
                    ComponentCount = k,
                    CovarianceType = type,
                    WarmStart = null,
                    Progress = Em.LabelledProgress.Wrap(baseOptions.Progress, label),
                };
                try
                {
                    GaussianMixtureModel model = new GaussianMixture(options).Fit(data, cancellationToken);
                    double logLikelihood = model.Score(data) * data.TotalWeight;
                    double n = data.Rows - data.SkippedRows;
                    double bic = -2 * logLikelihood + model.ParameterCount * Math.Log(n);
                    double aic = -2 * logLikelihood + 2.0 * model.ParameterCount;
                    candidates.Add(new(k, type, bic, aic, logLikelihood, model.Converged, model, null));
                }
                catch (Exception ex) when (ex is ArgumentException or SingularCovarianceException)
                {
                    candidates.Add(new(k, type, double.NaN, double.NaN, double.NaN, false, null, ex.Message));
                }
            }
        }
        ModelSelectionCandidate[] fitted = candidates.Where(c => c.Model is not null).ToArray();
        if (fitted.Length == 0)
            throw new InvalidOperationException(
                "Every candidate failed: " + string.Join(" ", candidates.Select(c => $"[k = {c.ComponentCount}, {c.CovarianceType}: {c.Error}]")));
        ModelSelectionCandidate best = fitted.MinBy(c => criterion == SelectionCriterion.Bic ? c.Bic : c.Aic)!;
        return new ModelSelectionResult(candidates, best, criterion);
    }
}
