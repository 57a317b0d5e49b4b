namespace GpuEm.Tests.Oracles;

/// <summary>
/// The discrete mixtures' and k-means' test oracles: the E-step statistics in plain float64
/// loops from the parameters' definition (no shared density code), the ones both engines of each
/// model are held to.
/// </summary>
internal static class DiscreteOracles
{
    /// <summary>Bernoulli mixture: N_k, S_kj (ones), O_kj (observed), Σ w log p(x), Σ w. A NaN
    /// entry of <paramref name="x"/> is missing.</summary>
    public static (double[] N, double[] Ones, double[] Observed, double LogLikelihood, double TotalWeight) Bernoulli(
        float[,] x, float[]? weights, double[] mixing, double[,] p)
    {
        int n = x.GetLength(0), d = x.GetLength(1), k = mixing.Length;
        var nk = new double[k];
        var ones = new double[k * d];
        var observed = new double[k * d];
        (double logLikelihood, double total) = Pass(n, k, weights,
            (i, c) =>
            {
                double sum = Math.Log(mixing[c]);
                for (int j = 0; j < d; j++)
                    if (!float.IsNaN(x[i, j]))
                        sum += x[i, j] == 1 ? Math.Log(p[c, j]) : Math.Log(1 - p[c, j]);
                return sum;
            },
            (i, c, r) =>
            {
                nk[c] += r;
                for (int j = 0; j < d; j++)
                    if (!float.IsNaN(x[i, j]))
                    {
                        observed[c * d + j] += r;
                        ones[c * d + j] += r * x[i, j];
                    }
            });
        return (nk, ones, observed, logLikelihood, total);
    }

    /// <summary>Categorical mixture: N_k, C_kjl (row-major k × Σ L_j), Σ w log p(x), Σ w. A level
    /// −1 is missing; θ[c][j][l] = P(x_j = l | c).</summary>
    public static (double[] N, double[] Counts, double LogLikelihood, double TotalWeight) Categorical(
        int[,] x, float[]? weights, double[] mixing, double[][][] theta)
    {
        int n = x.GetLength(0), d = x.GetLength(1), k = mixing.Length;
        int[] offsets = new int[d + 1];
        for (int j = 0; j < d; j++)
            offsets[j + 1] = offsets[j] + theta[0][j].Length;
        var nk = new double[k];
        var counts = new double[k * offsets[d]];
        (double logLikelihood, double total) = Pass(n, k, weights,
            (i, c) =>
            {
                double sum = Math.Log(mixing[c]);
                for (int j = 0; j < d; j++)
                    if (x[i, j] >= 0)
                        sum += Math.Log(theta[c][j][x[i, j]]);
                return sum;
            },
            (i, c, r) =>
            {
                nk[c] += r;
                for (int j = 0; j < d; j++)
                    if (x[i, j] >= 0)
                        counts[c * offsets[d] + offsets[j] + x[i, j]] += r;
            });
        return (nk, counts, logLikelihood, total);
    }

    /// <summary>K-means: each point to its nearest centre (lowest index on ties), Σ w per
    /// cluster, Σ w·x per cluster, Σ w ‖x − c‖².</summary>
    public static (double[] Counts, double[] Sums, double Inertia) KMeans(float[,] x, float[]? weights, double[,] centres)
    {
        int n = x.GetLength(0), d = x.GetLength(1), k = centres.GetLength(0);
        var counts = new double[k];
        var sums = new double[k * d];
        double inertia = 0;
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            double bestDistance = double.PositiveInfinity;
            for (int c = 0; c < k; c++)
            {
                double distance = 0;
                for (int j = 0; j < d; j++)
                    distance += (x[i, j] - centres[c, j]) * (x[i, j] - centres[c, j]);
                if (distance < bestDistance)
                    (best, bestDistance) = (c, distance);
            }
            double w = weights?[i] ?? 1;
            counts[best] += w;
            for (int j = 0; j < d; j++)
                sums[best * d + j] += w * x[i, j];
            inertia += w * bestDistance;
        }
        return (counts, sums, inertia);
    }

    // Row by row: log p(x_i, c) for every c, log-sum-exp, then each w·r_ic to `add`; returns
    // Σ w log p(x) and Σ w.
    private static (double LogLikelihood, double TotalWeight) Pass(
        int n, int k, float[]? weights, Func<int, int, double> logJoint, Action<int, int, double> add)
    {
        double logLikelihood = 0, total = 0;
        var joint = new double[k];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < k; c++)
                joint[c] = logJoint(i, c);
            double w = weights?[i] ?? 1;
            double lse = LogSumExp(joint);
            logLikelihood += w * lse;
            total += w;
            for (int c = 0; c < k; c++)
                add(i, c, w * Math.Exp(joint[c] - lse));
        }
        return (logLikelihood, total);
    }

    private static double LogSumExp(double[] values)
    {
        double max = values.Max();
        return max + Math.Log(values.Sum(v => Math.Exp(v - max)));
    }
}
