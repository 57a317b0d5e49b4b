using ILGPU;
using ILGPU.Algorithms;

namespace GpuEm.Kernels.Common;

/// <summary>Per-point log-sum-exp shared by the mixture E-step kernels (inlined into them).</summary>
public static class LogSumExp
{
    /// <summary>
    /// Turns the k log-joints in <paramref name="responsibilities"/>[row, :] (largest
    /// <paramref name="max"/>) into weight · posterior in place and returns log Σ exp.
    /// </summary>
    /// <param name="responsibilities">Row-major n × k; row <paramref name="row"/> is rewritten.</param>
    /// <param name="row">Offset of the row (point · k).</param>
    /// <param name="componentCount">k.</param>
    /// <param name="max">The largest log-joint of the row.</param>
    /// <param name="weight">The point's sample weight.</param>
    /// <returns>log p(x) = max + log Σ exp(log-joint − max).</returns>
    public static float NormalizeRow(ArrayView<float> responsibilities, long row, int componentCount, float max, float weight)
    {
        float sum = 0f;
        for (int component = 0; component < componentCount; component++)
            sum += XMath.Exp(responsibilities[row + component] - max);
        float lse = max + XMath.Log(sum);
        for (int component = 0; component < componentCount; component++)
            responsibilities[row + component] = weight * XMath.Exp(responsibilities[row + component] - lse);
        return lse;
    }
}
