using GpuEm.Models.GaussianMixture;
using GpuEm.Models.HiddenMarkov;
using Xunit;

namespace GpuEm.Tests.Hmm;

/// <summary>
/// On tiny models the likelihood, the posteriors and the Viterbi path equal enumeration over
/// all K^T state paths (p(x, z) = π_z0 b_z0(x_0) Π A_{z(t−1) z(t)} b_zt(x_t)), to 1e-10.
/// </summary>
public sealed class HmmBruteForceTests
{
    public static TheoryData<int, int, int> Shapes => new() { { 1, 1, 1 }, { 2, 1, 2 }, { 3, 2, 3 }, { 4, 3, 5 }, { 5, 3, 6 }, { 6, 2, 7 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void CategoricalMatchesEnumeration(int steps, int k, int seed)
    {
        var random = new Random(seed);
        HiddenMarkovModel model = HmmTestModels.RandomCategorical(k, 4, random);
        float[,] rows = new float[steps, 1];
        for (int t = 0; t < steps; t++)
            rows[t, 0] = random.Next(4);
        double[,] e = model.EmissionProbabilities!;
        Check(model, rows, (state, t) => Math.Log(e[state, (int)rows[t, 0]]));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DiagonalGaussianMatchesEnumeration(int steps, int k, int seed)
    {
        var random = new Random(100 + seed);
        int d = 2;
        double[] means = Enumerable.Range(0, k * d).Select(_ => 2 * random.NextDouble() - 1).ToArray();
        double[] variances = Enumerable.Range(0, k * d).Select(_ => 0.3 + random.NextDouble()).ToArray();
        var planted = HmmTestModels.RandomCategorical(k, 2, random);
        HiddenMarkovModel model = HmmTestModels.Model(
            planted.StartProbabilities, planted.TransitionMatrix.Cast<double>().ToArray(),
            HmmTestModels.Gaussian(CovarianceType.Diagonal, means, variances, k, d));
        float[,] rows = new float[steps, d];
        for (int t = 0; t < steps; t++)
            for (int j = 0; j < d; j++)
                rows[t, j] = (float)(2 * random.NextDouble() - 1);
        Check(model, rows, (state, t) =>
        {
            double sum = 0;
            for (int j = 0; j < d; j++)
            {
                double v = variances[state * d + j];
                double z = rows[t, j] - means[state * d + j];
                sum += -0.5 * Math.Log(2 * Math.PI * v) - 0.5 * z * z / v;
            }
            return sum;
        });
    }

    private static void Check(HiddenMarkovModel model, float[,] rows, Func<int, int, double> logB)
    {
        int steps = rows.GetLength(0);
        int k = model.States;
        double[] pi = model.StartProbabilities;
        double[,] a = model.TransitionMatrix;
        int paths = (int)Math.Pow(k, steps);
        var joint = new double[paths];
        var z = new int[steps];
        double best = double.NegativeInfinity;
        int[] bestPath = new int[steps];
        for (int path = 0; path < paths; path++)
        {
            int code = path;
            for (int t = 0; t < steps; t++)
            {
                z[t] = code % k;
                code /= k;
            }
            double log = Math.Log(pi[z[0]]) + logB(z[0], 0);
            for (int t = 1; t < steps; t++)
                log += Math.Log(a[z[t - 1], z[t]]) + logB(z[t], t);
            joint[path] = log;
            if (log > best)
            {
                best = log;
                z.CopyTo(bestPath, 0);
            }
        }
        double max = joint.Max();
        double logLikelihood = max + Math.Log(joint.Sum(v => Math.Exp(v - max)));
        HmmScore score = model.Score(rows);
        Assert.Equal(logLikelihood, score.LogLikelihood, 1e-10);

        double[,] gamma = model.PredictProba(rows);
        for (int t = 0; t < steps; t++)
            for (int state = 0; state < k; state++)
            {
                double sum = 0;
                for (int path = 0; path < paths; path++)
                    if (path / (int)Math.Pow(k, t) % k == state)
                        sum += Math.Exp(joint[path] - logLikelihood);
                Assert.Equal(sum, gamma[t, state], 1e-10);
            }

        HmmPath decoded = model.Decode(rows);
        Assert.Equal(best, decoded.LogProbability, 1e-10);
        Assert.Equal(bestPath, decoded.States);
    }
}
