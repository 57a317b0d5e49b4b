namespace GpuEm.Models.CoarsenedCategorical;

/// <summary>The group parameters θ (G values, Σ_g A_g θ_g = 1). Never written after creation.</summary>
internal sealed record CoarsenedParameters(double[] Theta);
