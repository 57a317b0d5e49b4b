namespace GpuEm.Tests.Support;

/// <summary>Seeded synthetic data for the tests.</summary>
internal static class Synthetic
{
    /// <summary>
    /// n points from a mixture of <paramref name="k"/> isotropic Gaussians in d dimensions with
    /// means on a grid <paramref name="separation"/> apart and unit-ish, per-component scales.
    /// </summary>
    public static (float[,] Data, int[] Labels, double[,] Means) Mixture(
        int n, int d, int k, int seed, double separation = 6.0, double[]? weights = null)
    {
        var random = new Random(seed);
        var means = new double[k, d];
        for (int c = 0; c < k; c++)
            for (int j = 0; j < d; j++)
                means[c, j] = separation * (j == c % d ? 1 + c / d : 0) + 0.5 * random.NextDouble();
        weights ??= Enumerable.Repeat(1.0 / k, k).ToArray();
        var data = new float[n, d];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            double u = random.NextDouble();
            int c = 0;
            double cumulative = weights[0];
            while (c < k - 1 && u >= cumulative)
                cumulative += weights[++c];
            labels[i] = c;
            double scale = 0.5 + 0.25 * c % 3;
            for (int j = 0; j < d; j++)
                data[i, j] = (float)(means[c, j] + scale * Normal(random));
        }
        return (data, labels, means);
    }

    /// <summary>n × d independent standard normals times <paramref name="scale"/> plus <paramref name="offset"/>.</summary>
    public static float[,] Gaussian(int n, int d, int seed, double scale = 1, double offset = 0)
    {
        var random = new Random(seed);
        var data = new float[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                data[i, j] = (float)(offset + scale * Normal(random) * (1 + 0.3 * j));
        return data;
    }

    public static double Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
