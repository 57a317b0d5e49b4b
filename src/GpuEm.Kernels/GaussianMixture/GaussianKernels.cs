using GpuEm.Kernels.Common;
using ILGPU;
using ILGPU.Algorithms;

namespace GpuEm.Kernels.GaussianMixture;

/// <summary>Shapes of one Gaussian E-step launch.</summary>
/// <param name="Dimension">Columns d.</param>
/// <param name="ComponentCount">Components k.</param>
/// <param name="UseWeights">1: multiply responsibilities and log-likelihoods by the sample weight.</param>
/// <param name="UseLabels">1: read the per-point labels (−1 = unknown); a labelled point's
/// responsibilities are one-hot and its log-likelihood term is log p(x, label).</param>
public readonly record struct GaussianEStepParams(int Dimension, int ComponentCount, int UseWeights, int UseLabels);

/// <summary>
/// Per-point E-step of a Gaussian mixture in the precision-Cholesky form: for component k,
/// log p(x, k) = logNorm_k − ½‖(x − μ_k)·L_k‖², with L_k the upper-triangular Cholesky factor of
/// the precision (P = L Lᵀ) and logNorm_k = log w_k + Σ log diag L_k − ½ d log 2π.
/// </summary>
public static class GaussianKernels
{
    // One thread per point: log p(x, k) for every component into resp[point, :] (as scratch),
    // log-sum-exp over k, then resp[point, k] = w·exp(log p − lse) and pointLogLik[point] = w·lse
    // (a labelled point: resp one-hot, pointLogLik = w·log p(x, label)). Reads data[point, :],
    // means (k × d), the upper-triangular factors (k × d × d), logNorm (k), weights[point] and
    // labels[point].
    /// <summary>E-step for full (and tied) covariances.</summary>
    /// <param name="point">The point this thread handles.</param>
    /// <param name="data">Row-major n × d.</param>
    /// <param name="weights">Per-point weights (read when UseWeights is 1).</param>
    /// <param name="labels">Per-point labels, −1 = unknown (read when UseLabels is 1).</param>
    /// <param name="means">Row-major k × d.</param>
    /// <param name="precisionCholesky">k × d × d, row-major upper-triangular factors.</param>
    /// <param name="logNorm">k normalizing terms.</param>
    /// <param name="responsibilities">Output, row-major n × k.</param>
    /// <param name="pointLogLikelihood">Output, n.</param>
    /// <param name="p">Shapes.</param>
    public static void EStepFullKernel(
        Index1D point,
        ArrayView<float> data,
        ArrayView<float> weights,
        ArrayView<int> labels,
        ArrayView<float> means,
        ArrayView<float> precisionCholesky,
        ArrayView<float> logNorm,
        ArrayView<float> responsibilities,
        ArrayView<float> pointLogLikelihood,
        GaussianEStepParams p)
    {
        int d = p.Dimension;
        long row = (long)point.X * d;
        long respRow = (long)point.X * p.ComponentCount;
        float max = float.NegativeInfinity;
        for (int component = 0; component < p.ComponentCount; component++)
        {
            long factor = (long)component * d * d;
            int mean = component * d;
            float squared = 0f;
            for (int j = 0; j < d; j++)
            {
                float y = 0f;
                for (int i = 0; i <= j; i++)
                    y += (data[row + i] - means[mean + i]) * precisionCholesky[factor + i * d + j];
                squared += y * y;
            }
            float logProb = logNorm[component] - 0.5f * squared;
            responsibilities[respRow + component] = logProb;
            max = XMath.Max(max, logProb);
        }
        Normalize(point, respRow, max, weights, labels, responsibilities, pointLogLikelihood, p);
    }

    // One thread per point, as EStepFullKernel with a diagonal factor: y_j = (x_j − μ_j)·L_jj.
    // Spherical covariances use this kernel with the factor repeated along the diagonal.
    /// <summary>E-step for diagonal (and spherical) covariances.</summary>
    /// <param name="point">The point this thread handles.</param>
    /// <param name="data">Row-major n × d.</param>
    /// <param name="weights">Per-point weights (read when UseWeights is 1).</param>
    /// <param name="labels">Per-point labels, −1 = unknown (read when UseLabels is 1).</param>
    /// <param name="means">Row-major k × d.</param>
    /// <param name="precisionDiagonal">k × d, square roots of the precisions.</param>
    /// <param name="logNorm">k normalizing terms.</param>
    /// <param name="responsibilities">Output, row-major n × k.</param>
    /// <param name="pointLogLikelihood">Output, n.</param>
    /// <param name="p">Shapes.</param>
    public static void EStepDiagonalKernel(
        Index1D point,
        ArrayView<float> data,
        ArrayView<float> weights,
        ArrayView<int> labels,
        ArrayView<float> means,
        ArrayView<float> precisionDiagonal,
        ArrayView<float> logNorm,
        ArrayView<float> responsibilities,
        ArrayView<float> pointLogLikelihood,
        GaussianEStepParams p)
    {
        int d = p.Dimension;
        long row = (long)point.X * d;
        long respRow = (long)point.X * p.ComponentCount;
        float max = float.NegativeInfinity;
        for (int component = 0; component < p.ComponentCount; component++)
        {
            int offset = component * d;
            float squared = 0f;
            for (int dim = 0; dim < d; dim++)
            {
                float y = (data[row + dim] - means[offset + dim]) * precisionDiagonal[offset + dim];
                squared += y * y;
            }
            float logProb = logNorm[component] - 0.5f * squared;
            responsibilities[respRow + component] = logProb;
            max = XMath.Max(max, logProb);
        }
        Normalize(point, respRow, max, weights, labels, responsibilities, pointLogLikelihood, p);
    }

    private static void Normalize(
        int point,
        long respRow,
        float max,
        ArrayView<float> weights,
        ArrayView<int> labels,
        ArrayView<float> responsibilities,
        ArrayView<float> pointLogLikelihood,
        GaussianEStepParams p)
    {
        float weight = p.UseWeights != 0 ? weights[point] : 1f;
        int label = p.UseLabels != 0 ? labels[point] : -1;
        if (label >= 0)
        {
            pointLogLikelihood[point] = weight * responsibilities[respRow + label];
            for (int component = 0; component < p.ComponentCount; component++)
                responsibilities[respRow + component] = component == label ? weight : 0f;
            return;
        }
        float lse = LogSumExp.NormalizeRow(responsibilities, respRow, p.ComponentCount, max, weight);
        pointLogLikelihood[point] = weight * lse;
    }
}
