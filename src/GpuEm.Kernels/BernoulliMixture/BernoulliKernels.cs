using GpuEm.Kernels.Common;
using ILGPU;
using ILGPU.Algorithms;

namespace GpuEm.Kernels.BernoulliMixture;

/// <summary>
/// Per-point E-step of a mixture of independent indicators: for component k,
/// log p(x, k) = log w_k + Σ_j over observed j of (x_j = 1 ? logOne_kj : logZero_kj). A Bernoulli
/// mixture passes logOne = log p, logZero = log(1 − p); a categorical mixture passes its one-hot
/// columns with logOne = log θ and logZero = 0.
/// </summary>
public static class BernoulliKernels
{
    // One thread per point: log p(x, k) for every component into resp[point, :] (as scratch),
    // log-sum-exp over k, then resp[point, k] = w·exp(log p − lse) and pointLogLik[point] = w·lse.
    // Reads data[point, :] (0/1, 0 where missing), mask[point, :] (when UseMask), the k × d log
    // tables, logWeights (k) and weights[point]. Selecting (not multiplying) the log term keeps
    // 0·log 0 out when a probability is exactly 0 or 1.
    /// <summary>E-step of a mixture of independent indicators.</summary>
    /// <param name="point">The point this thread handles.</param>
    /// <param name="data">Row-major n × d indicators: 1, or 0 (also where missing).</param>
    /// <param name="mask">Row-major n × d, 1 = observed, 0 = missing (read when UseMask is 1).</param>
    /// <param name="weights">Per-point weights (read when UseWeights is 1).</param>
    /// <param name="logOne">Row-major k × d, log P(x_j = 1 | k).</param>
    /// <param name="logZero">Row-major k × d, log P(x_j = 0 | k).</param>
    /// <param name="logWeights">k log mixing weights (−∞ for an empty component).</param>
    /// <param name="responsibilities">Output, row-major n × k.</param>
    /// <param name="pointLogLikelihood">Output, n.</param>
    /// <param name="p">Shapes.</param>
    public static void EStepKernel(
        Index1D point,
        ArrayView<float> data,
        ArrayView<float> mask,
        ArrayView<float> weights,
        ArrayView<float> logOne,
        ArrayView<float> logZero,
        ArrayView<float> logWeights,
        ArrayView<float> responsibilities,
        ArrayView<float> pointLogLikelihood,
        BernoulliEStepParams p)
    {
        // Bounds: point < n: ILGPU's implicitly grouped launch returns the threads past the
        // extent (PTX: setp.ge, @p ret).
        int d = p.Dimension;
        long row = (long)point.X * d;
        long respRow = (long)point.X * p.ComponentCount;
        float max = float.NegativeInfinity;
        for (int component = 0; component < p.ComponentCount; component++)
        {
            int offset = component * d;
            float logProb = logWeights[component];
            for (int dim = 0; dim < d; dim++)
            {
                if (p.UseMask != 0 && mask[row + dim] == 0f)
                    continue;
                logProb += data[row + dim] > 0.5f ? logOne[offset + dim] : logZero[offset + dim];
            }
            responsibilities[respRow + component] = logProb;
            max = XMath.Max(max, logProb);
        }

        float weight = p.UseWeights != 0 ? weights[point] : 1f;
        float lse = LogSumExp.NormalizeRow(responsibilities, respRow, p.ComponentCount, max, weight);
        pointLogLikelihood[point] = weight * lse;
    }
}
