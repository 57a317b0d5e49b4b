namespace GpuEm.Models.CategoricalMixture;

/// <summary>Level counts L_j and the offset of each feature's first level in a row of Σ L_j values.</summary>
internal sealed class LevelLayout
{
    public LevelLayout(int[] levelCounts)
    {
        LevelCounts = levelCounts;
        Offsets = new int[levelCounts.Length + 1];
        for (int j = 0; j < levelCounts.Length; j++)
            Offsets[j + 1] = Offsets[j] + levelCounts[j];
    }

    public int[] LevelCounts { get; }

    /// <summary>d + 1 offsets; feature j's levels are [Offsets[j], Offsets[j + 1]).</summary>
    public int[] Offsets { get; }

    public int Features => LevelCounts.Length;

    /// <summary>Σ L_j.</summary>
    public int Total => Offsets[^1];
}
