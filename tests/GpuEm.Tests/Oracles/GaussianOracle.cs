using GpuEm.Data;
using GpuEm.Models.GaussianMixture;

namespace GpuEm.Tests.Oracles;

/// <summary>
/// The Gaussian mixture's test oracle: the E-step statistics in the plainest float64 code, the
/// one both the reference engine's SIMD chunk passes and the accelerator are held to.
/// </summary>
internal static class GaussianOracle
{
    // Row by row, component by component, in scalar float64; rows with a missing value go
    // through MissingValueGaussian as in the engine.
    public static GaussianStatistics Statistics(DataMatrix matrix, GaussianParameters p)
    {
        int d = p.D;
        int k = p.K;
        bool diagonal = GaussianStatistics.NeedsDiagonalOnly(p.Type);
        var stats = new GaussianStatistics(k, d, diagonal, p.Means);
        var logp = new double[k];
        var r = new double[k];
        var centred = new double[d];
        for (int row = 0; row < matrix.Rows; row++)
        {
            if (matrix.Incomplete is not null && matrix.Incomplete[row])
                continue;
            ReadOnlySpan<float> x = matrix.Row(row);
            for (int c = 0; c < k; c++)
            {
                double squared = 0;
                for (int j = 0; j < d; j++)
                {
                    double y = 0;
                    switch (p.Type)
                    {
                        case CovarianceType.Full:
                        case CovarianceType.Tied:
                            int factor = p.Type == CovarianceType.Full ? c * d * d : 0;
                            for (int i = 0; i <= j; i++)
                                y += (x[i] - p.Means[c * d + i]) * p.PrecisionCholesky[factor + i * d + j];
                            break;
                        case CovarianceType.Diagonal:
                            y = (x[j] - p.Means[c * d + j]) * p.PrecisionCholesky[c * d + j];
                            break;
                        default:
                            y = (x[j] - p.Means[c * d + j]) * p.PrecisionCholesky[c];
                            break;
                    }
                    squared += y * y;
                }
                logp[c] = p.LogNorm[c] - 0.5 * squared;
            }
            double w = matrix.Weight(row);
            stats.TotalWeight += w;
            int label = matrix.Label(row);
            if (label >= 0)
            {
                stats.LogLikelihood += w * logp[label];
                for (int c = 0; c < k; c++)
                    r[c] = c == label ? w : 0;
            }
            else
            {
                double max = logp.Max();
                double sum = logp.Sum(lp => Math.Exp(lp - max));
                double lse = max + Math.Log(sum);
                stats.LogLikelihood += w * lse;
                for (int c = 0; c < k; c++)
                    r[c] = w * Math.Exp(logp[c] - lse);
            }
            stats.AddPoint(x, r, centred);
        }
        stats.MirrorUpper();
        if (matrix.Incomplete is not null)
            new MissingValueGaussian(matrix).Accumulate(p, stats);
        return stats;
    }
}
