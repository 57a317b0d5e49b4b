using GpuEm.Data;
using GpuEm.Em;
using MathNet.Numerics.LinearAlgebra;

namespace GpuEm.Models.GaussianMixture;

/// <summary>
/// Split-and-merge EM (Ueda, Nakano, Ghahramani and Hinton, Neural Computation 2000) after a
/// converged fit: a candidate merges components i and j (most similar posteriors, J_merge =
/// Σ_n r_ni r_nj) and splits a third k (worst local fit, J_split = the Kullback–Leibler divergence
/// of the posterior-weighted empirical density of k's points from N(μ_k, Σ_k)), keeping K; EM then
/// runs from there to convergence, and the move is kept when the objective rises. Candidates come
/// in Ueda's order (merge pairs by J_merge, for each the splits by J_split), at most five per
/// round; a kept move starts a new round. Unlike Ueda, the first EM runs on all components (no
/// partial EM on the three changed ones). The merged component matches the pair's first two
/// moments; the split one becomes two halves at μ ± ½√λ₁·v₁ (λ₁, v₁ the leading eigenpair of the
/// posterior-weighted scatter of its points), whose covariance Σ − ¼λ₁v₁v₁ᵀ keeps the pair's
/// moments those of the original (shaped to the covariance type, floored at a quarter of each
/// variance).
/// </summary>
internal static class SplitMerge
{
    private const int CandidatesPerRound = 5;

    /// <summary>
    /// Improves the model with at most the given number of candidate fits (each by
    /// <c>fit</c>: one restart from the start, no split-merge); the returned model's summary
    /// counts the E-steps of every fit.
    /// </summary>
    public static GaussianMixtureModel Run(
        GaussianMixtureModel model, DataMatrix data, DataMatrix completed, int trials,
        Func<GaussianMixtureStart, GaussianMixtureModel> fit, CancellationToken cancellation)
    {
        int k = model.ComponentCount;
        if (k < 3 || trials == 0)
            return model;
        GaussianMixtureModel current = model;
        long work = model.Summary.EStepsRun;
        int moves = 0, tried = 0;
        bool improved = true;
        while (improved && tried < trials && !cancellation.IsCancellationRequested)
        {
            improved = false;
            foreach ((int i, int j, int split) in Candidates(current, data))
            {
                if (tried == trials || cancellation.IsCancellationRequested)
                    break;
                tried++;
                GaussianMixtureModel candidate;
                try
                {
                    candidate = fit(Start(current, completed, i, j, split));
                }
                catch (Exception e) when (e is SingularCovarianceException or NonFiniteDensityException)
                {
                    // A start or fit that breaks down is a move not kept.
                    continue;
                }
                work += candidate.Summary.EStepsRun;
                if (candidate.Summary.Objective > current.Summary.Objective + 1e-12 * Math.Abs(current.Summary.Objective))
                {
                    current = candidate;
                    moves++;
                    improved = true;
                    break;
                }
            }
        }
        return new GaussianMixtureModel(current.Parameters, current.Summary with { EStepsRun = work }, current.MeanLogLikelihood, current.TrainingWeight)
        {
            SplitMergeMoves = moves,
        };
    }

    /// <summary>The first candidates (merge i &lt; j, split s), in Ueda's order.</summary>
    internal static List<(int I, int J, int Split)> Candidates(GaussianMixtureModel model, DataMatrix data)
    {
        int k = model.ComponentCount, n = data.Rows;
        double[,] logJoint = model.LogJoints(data);
        double[] weights = model.Weights;
        var r = new double[n, k];
        var mass = new double[k];
        for (int row = 0; row < n; row++)
        {
            double max = double.NegativeInfinity;
            for (int c = 0; c < k; c++)
                max = Math.Max(max, logJoint[row, c]);
            double sum = 0;
            for (int c = 0; c < k; c++)
                sum += Math.Exp(logJoint[row, c] - max);
            for (int c = 0; c < k; c++)
            {
                r[row, c] = data.Weight(row) * Math.Exp(logJoint[row, c] - max) / sum;
                mass[c] += r[row, c];
            }
        }
        var merges = new List<(double Score, int I, int J)>();
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++)
            {
                double dot = 0;
                for (int row = 0; row < n; row++)
                    dot += r[row, i] * r[row, j];
                merges.Add((dot, i, j));
            }
        var splits = new (double Score, int C)[k];
        for (int c = 0; c < k; c++)
        {
            double kl = 0;
            double logWeight = Math.Log(weights[c]);
            for (int row = 0; row < n; row++)
            {
                double f = r[row, c] / mass[c];
                if (f > 0)
                    kl += f * (Math.Log(f) - (logJoint[row, c] - logWeight));
            }
            splits[c] = (mass[c] > 0 ? kl : double.NegativeInfinity, c);
        }
        var ordered = splits.OrderByDescending(s => s.Score).ThenBy(s => s.C).ToArray();
        var candidates = new List<(int, int, int)>();
        foreach ((double _, int i, int j) in merges.OrderByDescending(m => m.Score).ThenBy(m => m.I).ThenBy(m => m.J))
        {
            foreach ((double _, int c) in ordered)
            {
                if (c == i || c == j)
                    continue;
                candidates.Add((i, j, c));
                if (candidates.Count == CandidatesPerRound)
                    return candidates;
            }
        }
        return candidates;
    }

    /// <summary>The start of a candidate: i and j merged into slot i, s split into slots s and j.</summary>
    internal static GaussianMixtureStart Start(GaussianMixtureModel model, DataMatrix completed, int i, int j, int s)
    {
        int k = model.ComponentCount, d = model.Dimension;
        double[] w = model.Weights;
        double[,] mu = model.Means;
        double[,,] cov = model.Covariances;
        var weights = (double[])w.Clone();
        var means = (double[,])mu.Clone();
        var covariances = (double[,,])cov.Clone();

        // Merge i and j into i: the pair's weight, mean and covariance (moments matched).
        double wi = w[i], wj = w[j], wm = wi + wj;
        var merged = new double[d];
        for (int a = 0; a < d; a++)
            merged[a] = (wi * mu[i, a] + wj * mu[j, a]) / wm;
        for (int a = 0; a < d; a++)
            for (int b = 0; b < d; b++)
                covariances[i, a, b] = (wi * (cov[i, a, b] + (mu[i, a] - merged[a]) * (mu[i, b] - merged[b]))
                    + wj * (cov[j, a, b] + (mu[j, a] - merged[a]) * (mu[j, b] - merged[b]))) / wm;
        weights[i] = wm;
        for (int a = 0; a < d; a++)
            means[i, a] = merged[a];

        // Split s into s and j along the leading axis of its points' posterior-weighted scatter.
        (double lambda, double[] axis) = LeadingAxis(model, completed, s);
        double offset = 0.5 * Math.Sqrt(Math.Max(lambda, 0));
        weights[j] = weights[s] = w[s] / 2;
        for (int a = 0; a < d; a++)
        {
            means[j, a] = mu[s, a] - offset * axis[a];
            means[s, a] = mu[s, a] + offset * axis[a];
            for (int b = 0; b < d; b++)
            {
                double shrunk = cov[s, a, b] - 0.25 * lambda * axis[a] * axis[b];
                if (a == b)
                    shrunk = Math.Max(shrunk, 0.25 * cov[s, a, a]);
                covariances[s, a, b] = covariances[j, a, b] = shrunk;
            }
        }
        return new GaussianMixtureStart(weights, means, Precisions(covariances, model.CovarianceType, weights));
    }

    // The leading eigenpair of Σ_n r_ns (x_n − μ_s)(x_n − μ_s)ᵀ / Σ_n r_ns.
    private static (double Lambda, double[] Axis) LeadingAxis(GaussianMixtureModel model, DataMatrix completed, int s)
    {
        int d = model.Dimension;
        double[,] r = model.PredictProba(completed);
        double[,] mu = model.Means;
        var scatter = Matrix<double>.Build.Dense(d, d);
        double mass = 0;
        var centred = new double[d];
        for (int row = 0; row < completed.Rows; row++)
        {
            double weight = completed.Weight(row) * r[row, s];
            if (weight == 0)
                continue;
            mass += weight;
            ReadOnlySpan<float> x = completed.Row(row);
            for (int a = 0; a < d; a++)
                centred[a] = x[a] - mu[s, a];
            for (int a = 0; a < d; a++)
                for (int b = 0; b < d; b++)
                    scatter[a, b] += weight * centred[a] * centred[b];
        }
        if (mass == 0)
            return (0, new double[d]);
        scatter /= mass;
        var evd = scatter.Evd(Symmetricity.Symmetric);
        int top = 0;
        for (int a = 1; a < d; a++)
        {
            if (evd.EigenValues[a].Real > evd.EigenValues[top].Real)
                top = a;
        }
        return (evd.EigenValues[top].Real, evd.EigenVectors.Column(top).ToArray());
    }

    // Precisions of the start, shaped as the covariance type reads them (GaussianMixtureStart).
    private static double[,,] Precisions(double[,,] covariances, CovarianceType type, double[] weights)
    {
        int k = covariances.GetLength(0), d = covariances.GetLength(1);
        var precisions = new double[k, d, d];
        if (type == CovarianceType.Tied)
        {
            // One covariance: the weighted average of the components'.
            var tied = Matrix<double>.Build.Dense(d, d);
            double total = weights.Sum();
            for (int c = 0; c < k; c++)
                for (int a = 0; a < d; a++)
                    for (int b = 0; b < d; b++)
                        tied[a, b] += weights[c] / total * covariances[c, a, b];
            Matrix<double> inverse = Symmetric(tied.Inverse());
            for (int c = 0; c < k; c++)
                for (int a = 0; a < d; a++)
                    for (int b = 0; b < d; b++)
                        precisions[c, a, b] = inverse[a, b];
            return precisions;
        }
        for (int c = 0; c < k; c++)
        {
            if (type == CovarianceType.Full)
            {
                var m = Matrix<double>.Build.Dense(d, d, (a, b) => covariances[c, a, b]);
                if (!PositiveDefinite(m))
                {
                    // A shrunk half that lost definiteness: the identity scaled to its mean variance.
                    double mean = m.Diagonal().Average();
                    m = Matrix<double>.Build.DenseIdentity(d) * mean;
                }
                Matrix<double> inverse = Symmetric(m.Inverse());
                for (int a = 0; a < d; a++)
                    for (int b = 0; b < d; b++)
                        precisions[c, a, b] = inverse[a, b];
            }
            else
            {
                for (int a = 0; a < d; a++)
                    precisions[c, a, a] = 1 / covariances[c, a, a];
            }
        }
        return precisions;
    }

    // An inverse symmetric to the last bit, as a precision must be.
    private static Matrix<double> Symmetric(Matrix<double> m) => (m + m.Transpose()) / 2;

    private static bool PositiveDefinite(Matrix<double> m)
    {
        try
        {
            return m.Cholesky().Determinant > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
