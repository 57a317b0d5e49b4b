using GpuEm.Data;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// The warning a fit gives when <see cref="GaussianMixtureOptions.CovarianceRegularization"/> is
/// not small beside the data: above <see cref="Share"/> of a column's weighted variance, the
/// regularization rather than the data decides that column's variances (data at the 1e-30 scale
/// with the default 1e-6 gives unit-free answers that are all regularization).
/// </summary>
internal static class RegularizationCheck
{
    /// <summary>1 %: the share of a column's variance the regularization may reach without a warning.</summary>
    public const double Share = 0.01;

    /// <summary>
    /// The warning for <paramref name="data"/> (no missing entries), or null. Columns of zero
    /// variance are left out: a constant column needs the regularization to be fitted at all.
    /// One pass for the means and one for the squares, n·d each.
    /// </summary>
    public static string? Warning(double regularization, DataMatrix data)
    {
        if (!(regularization > 0))
            return null;
        int d = data.Columns;
        double[] variances = data.WeightedColumnVariances();
        int first = -1;
        int count = 0;
        double firstVariance = 0;
        for (int j = 0; j < d; j++)
        {
            double variance = variances[j];
            if (variance > 0 && regularization > Share * variance)
            {
                if (first < 0)
                    (first, firstVariance) = (j, variance);
                count++;
            }
        }
        if (first < 0)
            return null;
        string others = count > 1 ? $" and {count - 1} other column{(count > 2 ? "s" : "")}" : "";
        return FormattableString.Invariant(
            $"CovarianceRegularization {regularization:G3} exceeds 1 % of the variance of column {first} ({firstVariance:G3})")
            + others + ": the regularization, not the data, then decides those variances. "
            + "Scale the data (e.g. standardize the columns) or lower CovarianceRegularization (--reg).";
    }
}
