using GpuEm.Data;
using GpuEm.Engines;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// The E-step and expected statistics of rows with missing (NaN) entries, in float64 on the host,
/// shared by both engines (the accelerator sends only complete rows to the device). For a row
/// with observed coordinates O and missing M, and component k:
/// log p(x_O, k) = log w_k + log N(x_O | μ_O, Σ_OO); the missing block's conditional mean is
/// x̂_M = μ_M + Σ_MO Σ_OO⁻¹ (x_O − μ_O) and its conditional covariance
/// C = Σ_MM − Σ_MO Σ_OO⁻¹ Σ_OM; the statistics add r·z and r·(z zᵀ + C on the M × M block)
/// with z the completed row minus the shift. Rows are grouped by missingness pattern, so each
/// pattern factors Σ_OO once per component and iteration.
/// </summary>
internal sealed class MissingValueGaussian
{
    private readonly DataMatrix _data;
    private readonly int[] _rowPattern;
    private readonly Pattern[] _patterns;

    public MissingValueGaussian(DataMatrix data)
    {
        _data = data;
        int d = data.Columns;
        var index = new Dictionary<string, int>();
        var patterns = new List<Pattern>();
        _rowPattern = new int[data.IncompleteRows.Length];
        var key = new char[d];
        for (int i = 0; i < _rowPattern.Length; i++)
        {
            ReadOnlySpan<float> x = data.Row(data.IncompleteRows[i]);
            for (int j = 0; j < d; j++)
                key[j] = float.IsNaN(x[j]) ? 'm' : 'o';
            string text = new(key);
            if (!index.TryGetValue(text, out int pattern))
            {
                pattern = patterns.Count;
                index[text] = pattern;
                patterns.Add(new Pattern(
                    Enumerable.Range(0, d).Where(j => key[j] == 'o').ToArray(),
                    Enumerable.Range(0, d).Where(j => key[j] == 'm').ToArray()));
            }
            _rowPattern[i] = pattern;
        }
        _patterns = patterns.ToArray();
    }

    /// <summary>Coordinates observed and missing in a pattern.</summary>
    private sealed record Pattern(int[] Observed, int[] Missing);

    /// <summary>One component restricted to one pattern.</summary>
    private sealed class Conditional
    {
        /// <summary>log w + log N's normalizer over the observed block.</summary>
        public double LogNorm;

        /// <summary>Lower Cholesky factor of Σ_OO, o × o.</summary>
        public required double[] Lower;

        /// <summary>Σ_MO, m × o.</summary>
        public required double[] CrossCovariance;

        /// <summary>Σ_MM − Σ_MO Σ_OO⁻¹ Σ_OM, m × m.</summary>
        public required double[] MissingCovariance;
    }

    /// <summary>Adds the incomplete rows' statistics (around <paramref name="total"/>'s shifts),
    /// log-likelihood and weight into <paramref name="total"/>; full S2 blocks are written whole
    /// (both triangles).</summary>
    public void Accumulate(GaussianParameters p, GaussianStatistics total)
    {
        int rows = _rowPattern.Length;
        if (rows == 0)
            return;
        Conditional[][] conditionals = Prepare(p);
        ChunkedReduction.Run(
            rows,
            () => new GaussianStatistics(p.K, p.D, total.Diagonal, total.Shifts),
            partial => partial.Clear(),
            (partial, start, end) => AccumulateRows(p, conditionals, start, end, partial),
            total.Add);
    }

    private Conditional[][] Prepare(GaussianParameters p)
    {
        var conditionals = new Conditional[_patterns.Length][];
        var covariances = new double[p.K][];
        for (int c = 0; c < p.K; c++)
        {
            covariances[c] = new double[p.D * p.D];
            p.ExpandCovariance(c, covariances[c]);
        }
        Parallel.For(0, _patterns.Length, pattern =>
        {
            conditionals[pattern] = new Conditional[p.K];
            for (int c = 0; c < p.K; c++)
                conditionals[pattern][c] = Condition(covariances[c], p.D, _patterns[pattern], Math.Log(p.Weights[c]), c);
        });
        return conditionals;
    }

    private static Conditional Condition(double[] sigma, int d, Pattern pattern, double logWeight, int component)
    {
        int[] o = pattern.Observed;
        int[] m = pattern.Missing;
        var lower = new double[o.Length * o.Length];
        for (int a = 0; a < o.Length; a++)
            for (int b = 0; b < o.Length; b++)
                lower[a * o.Length + b] = sigma[o[a] * d + o[b]];
        double logDet = Cholesky(lower, o.Length, component);
        var cross = new double[m.Length * o.Length];
        for (int a = 0; a < m.Length; a++)
            for (int b = 0; b < o.Length; b++)
                cross[a * o.Length + b] = sigma[m[a] * d + o[b]];
        // C = Σ_MM − (L⁻¹ Σ_OM)ᵀ (L⁻¹ Σ_OM).
        var solved = new double[m.Length * o.Length];
        var column = new double[o.Length];
        for (int a = 0; a < m.Length; a++)
        {
            for (int b = 0; b < o.Length; b++)
                column[b] = cross[a * o.Length + b];
            ForwardSolve(lower, o.Length, column);
            column.CopyTo(solved, a * o.Length);
        }
        var missing = new double[m.Length * m.Length];
        for (int a = 0; a < m.Length; a++)
            for (int b = 0; b < m.Length; b++)
            {
                double dot = 0;
                for (int t = 0; t < o.Length; t++)
                    dot += solved[a * o.Length + t] * solved[b * o.Length + t];
                missing[a * m.Length + b] = sigma[m[a] * d + m[b]] - dot;
            }
        return new Conditional
        {
            LogNorm = logWeight - 0.5 * logDet - 0.5 * o.Length * Math.Log(2 * Math.PI),
            Lower = lower,
            CrossCovariance = cross,
            MissingCovariance = missing,
        };
    }

    private void AccumulateRows(GaussianParameters p, Conditional[][] conditionals, int start, int end, GaussianStatistics partial)
    {
        int k = p.K;
        int d = p.D;
        var logp = new double[k];
        var residual = new double[k * d];
        var alpha = new double[d];
        var z = new double[d];
        double logLikelihood = 0;
        double totalWeight = 0;
        for (int i = start; i < end; i++)
        {
            int row = _data.IncompleteRows[i];
            Pattern pattern = _patterns[_rowPattern[i]];
            Conditional[] byComponent = conditionals[_rowPattern[i]];
            int[] o = pattern.Observed;
            ReadOnlySpan<float> x = _data.Row(row);
            for (int c = 0; c < k; c++)
            {
                Span<double> e = residual.AsSpan(c * d, o.Length);
                for (int b = 0; b < o.Length; b++)
                    e[b] = x[o[b]] - p.Means[c * d + o[b]];
                logp[c] = byComponent[c].LogNorm - 0.5 * SquaredSolve(byComponent[c].Lower, o.Length, e);
            }
            double w = _data.Weight(row);
            totalWeight += w;
            int label = _data.Label(row);
            if (label < 0)
            {
                logLikelihood += w * GaussianDensity.Normalize(logp);
            }
            else
            {
                logLikelihood += w * logp[label];
                Array.Clear(logp);
                logp[label] = 1;
            }
            for (int c = 0; c < k; c++)
            {
                double r = w * logp[c];
                if (r != 0)
                    AddComponent(p, byComponent[c], pattern, x, c, r, partial, alpha, z);
            }
        }
        partial.LogLikelihood += logLikelihood;
        partial.TotalWeight += totalWeight;
    }

    /// <summary>
    /// Adds one row with NaN entries, with given weighted responsibilities <paramref name="r"/>
    /// (k values: the posterior of each component from elsewhere, e.g. a hidden Markov model's
    /// state posteriors), into <paramref name="stats"/> around its shifts: r·z and r·(z zᵀ + C)
    /// as <see cref="Accumulate"/> does. Not cached: each call conditions every component used.
    /// </summary>
    public static void AddRow(GaussianParameters p, ReadOnlySpan<float> x, ReadOnlySpan<double> r, GaussianStatistics stats)
    {
        int d = p.D;
        int[] o = Observed(x);
        var missing = new List<int>(d);
        for (int j = 0; j < d; j++)
            if (float.IsNaN(x[j]))
                missing.Add(j);
        int[] m = missing.ToArray();
        var pattern = new Pattern(o, m);
        var sigma = new double[d * d];
        var alpha = new double[d];
        var z = new double[d];
        for (int c = 0; c < p.K; c++)
        {
            if (r[c] == 0)
                continue;
            p.ExpandCovariance(c, sigma);
            AddComponent(p, Condition(sigma, d, pattern, 0, c), pattern, x, c, r[c], stats, alpha, z);
        }
    }

    // Adds r·z and r·(z zᵀ + C) of one incomplete row for component c (alpha, z: d scratch).
    private static void AddComponent(
        GaussianParameters p, Conditional conditional, Pattern pattern, ReadOnlySpan<float> x, int c, double r,
        GaussianStatistics partial, double[] alpha, double[] z)
    {
        int d = p.D;
        int[] o = pattern.Observed;
        // alpha = Σ_OO⁻¹ (x_O − μ_O).
        Span<double> e = alpha.AsSpan(0, o.Length);
        for (int b = 0; b < o.Length; b++)
            e[b] = x[o[b]] - p.Means[c * d + o[b]];
        ForwardSolve(conditional.Lower, o.Length, e);
        BackSolve(conditional.Lower, o.Length, e);
        ReadOnlySpan<double> shift = partial.Shifts.AsSpan(c * d, d);
        for (int b = 0; b < o.Length; b++)
            z[o[b]] = x[o[b]] - shift[o[b]];
        int[] m = pattern.Missing;
        for (int a = 0; a < m.Length; a++)
        {
            double value = p.Means[c * d + m[a]];
            for (int b = 0; b < o.Length; b++)
                value += conditional.CrossCovariance[a * o.Length + b] * e[b];
            z[m[a]] = value - shift[m[a]];
        }
        partial.Weight[c] += r;
        for (int j = 0; j < d; j++)
            partial.Sum1[c * d + j] += r * z[j];
        if (partial.Diagonal)
        {
            for (int j = 0; j < d; j++)
                partial.Sum2[c * d + j] += r * z[j] * z[j];
            for (int a = 0; a < m.Length; a++)
                partial.Sum2[c * d + m[a]] += r * conditional.MissingCovariance[a * m.Length + a];
        }
        else
        {
            Span<double> s2 = partial.Sum2.AsSpan(c * d * d, d * d);
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++)
                    s2[a * d + b] += r * z[a] * z[b];
            for (int a = 0; a < m.Length; a++)
                for (int b = 0; b < m.Length; b++)
                    s2[m[a] * d + m[b]] += r * conditional.MissingCovariance[a * m.Length + b];
        }
    }

    /// <summary>
    /// log p(x_O, k) for one point with NaN entries (not cached: for predictions); a complete
    /// point takes the usual path.
    /// </summary>
    public static void LogJoint(GaussianParameters p, ReadOnlySpan<float> x, Span<double> logJoint)
    {
        int d = p.D;
        int[] o = Observed(x);
        var pattern = new Pattern(o, []);
        var sigma = new double[d * d];
        var e = new double[o.Length];
        for (int c = 0; c < p.K; c++)
        {
            p.ExpandCovariance(c, sigma);
            Conditional conditional = Condition(sigma, d, pattern, Math.Log(p.Weights[c]), c);
            for (int b = 0; b < o.Length; b++)
                e[b] = x[o[b]] - p.Means[c * d + o[b]];
            logJoint[c] = conditional.LogNorm - 0.5 * SquaredSolve(conditional.Lower, o.Length, e);
        }
    }

    /// <summary>
    /// Fills the NaN entries of one point with E[x_M | x_O] = Σ_k p(k | x_O) x̂_M,k.
    /// </summary>
    public static void Impute(GaussianParameters p, ReadOnlySpan<float> x, Span<float> target)
    {
        int d = p.D;
        int[] o = Observed(x);
        var missing = new List<int>();
        for (int j = 0; j < d; j++)
            if (float.IsNaN(x[j]))
                missing.Add(j);
        int[] m = missing.ToArray();
        var pattern = new Pattern(o, m);
        var sigma = new double[d * d];
        var posterior = new double[p.K];
        var conditionals = new Conditional[p.K];
        var e = new double[o.Length];
        for (int c = 0; c < p.K; c++)
        {
            p.ExpandCovariance(c, sigma);
            conditionals[c] = Condition(sigma, d, pattern, Math.Log(p.Weights[c]), c);
            for (int b = 0; b < o.Length; b++)
                e[b] = x[o[b]] - p.Means[c * d + o[b]];
            posterior[c] = conditionals[c].LogNorm - 0.5 * SquaredSolve(conditionals[c].Lower, o.Length, e);
        }
        GaussianDensity.Normalize(posterior);
        var filled = new double[m.Length];
        for (int c = 0; c < p.K; c++)
        {
            for (int b = 0; b < o.Length; b++)
                e[b] = x[o[b]] - p.Means[c * d + o[b]];
            ForwardSolve(conditionals[c].Lower, o.Length, e);
            BackSolve(conditionals[c].Lower, o.Length, e);
            for (int a = 0; a < m.Length; a++)
            {
                double value = p.Means[c * d + m[a]];
                for (int b = 0; b < o.Length; b++)
                    value += conditionals[c].CrossCovariance[a * o.Length + b] * e[b];
                filled[a] += posterior[c] * value;
            }
        }
        x.CopyTo(target);
        for (int a = 0; a < m.Length; a++)
            target[m[a]] = (float)filled[a];
    }

    private static int[] Observed(ReadOnlySpan<float> x)
    {
        var observed = new List<int>(x.Length);
        for (int j = 0; j < x.Length; j++)
            if (!float.IsNaN(x[j]))
                observed.Add(j);
        return observed.ToArray();
    }

    // In-place lower Cholesky of a row-major n × n matrix; returns log det. The lower triangle
    // holds L afterwards (the upper is left as it was and never read).
    private static double Cholesky(double[] a, int n, int component)
    {
        double logDet = 0;
        for (int j = 0; j < n; j++)
        {
            double diagonal = a[j * n + j];
            for (int t = 0; t < j; t++)
                diagonal -= a[j * n + t] * a[j * n + t];
            if (!(diagonal > 0))
                throw SingularCovarianceException.For(component);
            double l = Math.Sqrt(diagonal);
            a[j * n + j] = l;
            logDet += 2 * Math.Log(l);
            for (int i = j + 1; i < n; i++)
            {
                double sum = a[i * n + j];
                for (int t = 0; t < j; t++)
                    sum -= a[i * n + t] * a[j * n + t];
                a[i * n + j] = sum / l;
            }
        }
        return logDet;
    }

    // y ← L⁻¹ y.
    private static void ForwardSolve(double[] lower, int n, Span<double> y)
    {
        for (int i = 0; i < n; i++)
        {
            double sum = y[i];
            for (int t = 0; t < i; t++)
                sum -= lower[i * n + t] * y[t];
            y[i] = sum / lower[i * n + i];
        }
    }

    // y ← L⁻ᵀ y.
    private static void BackSolve(double[] lower, int n, Span<double> y)
    {
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int t = i + 1; t < n; t++)
                sum -= lower[t * n + i] * y[t];
            y[i] = sum / lower[i * n + i];
        }
    }

    // ‖L⁻¹ e‖² (e is overwritten).
    private static double SquaredSolve(double[] lower, int n, Span<double> e)
    {
        ForwardSolve(lower, n, e);
        double sum = 0;
        foreach (double v in e)
            sum += v * v;
        return sum;
    }
}
