namespace GpuEm.Models.KMeans;

/// <summary>Centres, row-major k × d, float64. Immutable by convention (never written after creation).</summary>
internal sealed record KMeansParameters(int K, int D, double[] Centres);
