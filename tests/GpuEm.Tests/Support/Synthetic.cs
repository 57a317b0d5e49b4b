using GpuEm.Models.GaussianMixture;

namespace GpuEm.Tests.Support;

/// <summary>Seeded synthetic data for the tests.</summary>
internal static class Synthetic
{
    /// <summary>A component drawn with probabilities <paramref name="weights"/> (summing to 1).</summary>
    public static int Component(Random random, double[] weights)
    {
        double u = random.NextDouble();
        int c = 0;
        double cumulative = weights[0];
        while (c < weights.Length - 1 && u >= cumulative)
            cumulative += weights[++c];
        return c;
    }

    /// <summary>A Gaussian mixture fitted to <paramref name="data"/> on the reference engine with
    /// every other option at its default.</summary>
    public static GaussianMixtureModel FitReference(float[,] data, int k, CovarianceType type = CovarianceType.Full) =>
        new GaussianMixture(new GaussianMixtureOptions { ComponentCount = k, CovarianceType = type, Backend = Backend.Reference }).Fit(data);

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
            int c = Component(random, weights);
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

    /// <summary>
    /// A random E-step problem for the kernel parity tests: n × d points 5 + 2·N(0, 1) with weights
    /// 0.5 + U(0, 1), then (through <paramref name="prepare"/>, e.g. adding labels, drawing from
    /// the same <paramref name="random"/>) the matrix, and means at random rows plus N(0, ½²) noise
    /// with <see cref="Parameters"/>.
    /// </summary>
    public static (Data.DataMatrix Data, GaussianParameters Parameters) KernelProblem(
        CovarianceType type, int n, int d, int k, Random random, Func<Data.DataMatrix, Data.DataMatrix>? prepare = null)
    {
        var data = new float[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                data[i, j] = (float)(5 + 2 * Normal(random));
        float[] weights = Enumerable.Range(0, n).Select(_ => (float)(0.5 + random.NextDouble())).ToArray();
        Data.DataMatrix matrix = Data.DataMatrix.From(data, weights);
        if (prepare is not null)
            matrix = prepare(matrix);
        var means = new double[k * d];
        for (int c = 0; c < k; c++)
        {
            int row = random.Next(n);
            for (int j = 0; j < d; j++)
                means[c * d + j] = data[row, j] + 0.5 * Normal(random);
        }
        return (matrix, Parameters(type, k, d, means, random));
    }

    /// <summary>
    /// Random well-conditioned mixture parameters with the given means: weights 0.2 + U(0, 1)
    /// normalized; covariances A·Aᵀ/d + ½·I with A standard normal (full, tied: far from the
    /// identity, so every entry of the triangular factors matters) or ½ + U(0, 2) (diagonal,
    /// spherical).
    /// </summary>
    public static GaussianParameters Parameters(CovarianceType type, int k, int d, double[] means, Random random)
    {
        double[] weights = Enumerable.Range(0, k).Select(_ => 0.2 + random.NextDouble()).ToArray();
        double total = weights.Sum();
        for (int c = 0; c < k; c++)
            weights[c] /= total;
        var covariances = new double[GaussianParameters.CovarianceLength(type, k, d)];
        if (type is CovarianceType.Full or CovarianceType.Tied)
        {
            for (int offset = 0; offset < covariances.Length; offset += d * d)
            {
                double[] a = Enumerable.Range(0, d * d).Select(_ => Normal(random)).ToArray();
                for (int i = 0; i < d; i++)
                    for (int j = 0; j < d; j++)
                    {
                        double sum = i == j ? 0.5 : 0;
                        for (int m = 0; m < d; m++)
                            sum += a[i * d + m] * a[j * d + m] / d;
                        covariances[offset + i * d + j] = sum;
                    }
            }
        }
        else
        {
            for (int i = 0; i < covariances.Length; i++)
                covariances[i] = 0.5 + 2 * random.NextDouble();
        }
        return GaussianParameters.Create(type, k, d, weights, means, covariances);
    }

    public static double Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
