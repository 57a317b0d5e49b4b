using GpuEm.Data;
using GpuEm.Engines;
using GpuEm.Models;
using GpuEm.Models.KMeans;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.KMeansTests;

/// <summary>
/// Greedy k-means++ (2 + ln k candidates per centre, the one that lowers the potential most
/// wins): the host scores all candidates of a round in one pass over the data; that must choose
/// the centres a plain one-candidate-at-a-time implementation chooses.
/// </summary>
public sealed class SeedingTests
{
    // The textbook loop: each candidate's minima computed and summed on its own, in row order.
    private static double[] Naive(float[,] x, int k, Random random)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        int trials = 2 + (int)Math.Log(k);
        var centres = new double[k * d];
        double Distance(int row, int centre)
        {
            double sum = 0;
            for (int j = 0; j < d; j++)
            {
                double diff = x[row, j] - x[centre, j];
                sum += diff * diff;
            }
            return sum;
        }
        int first = random.Next(n);
        var closest = new double[n];
        for (int i = 0; i < n; i++)
            closest[i] = Distance(i, first);
        for (int j = 0; j < d; j++)
            centres[j] = x[first, j];
        for (int c = 1; c < k; c++)
        {
            var cumulative = new double[n];
            double running = 0;
            for (int i = 0; i < n; i++)
                cumulative[i] = running += closest[i];
            double best = double.PositiveInfinity;
            int chosen = -1;
            double[]? chosenMinima = null;
            for (int t = 0; t < trials; t++)
            {
                int index = Array.BinarySearch(cumulative, random.NextDouble() * cumulative[^1]);
                index = Math.Min(index < 0 ? ~index : index + 1, n - 1);
                var minima = new double[n];
                double potential = 0;
                for (int i = 0; i < n; i++)
                    potential += minima[i] = Math.Min(closest[i], Distance(i, index));
                if (potential < best)
                {
                    (best, chosen, chosenMinima) = (potential, index, minima);
                }
            }
            closest = chosenMinima!;
            for (int j = 0; j < d; j++)
                centres[c * d + j] = x[chosen, j];
        }
        return centres;
    }

    [Theory]
    [InlineData(3000, 5, 10, 1, true)]
    [InlineData(3000, 5, 10, 1, false)]
    [InlineData(10000, 16, 64, 2, true)]
    [InlineData(10000, 16, 64, 2, false)]
    [InlineData(500, 1, 3, 3, true)]
    public void The_host_chooses_the_centres_of_the_plain_algorithm(int n, int d, int k, int seed, bool keepMinima)
    {
        // keepMinima: the candidates' minima are kept from the scoring pass (one pass per round)
        // or the winner's are recomputed (two passes, when memory is short).
        (float[,] x, _, _) = Synthetic.Mixture(n, d, Math.Min(k, 6), seed, separation: 2);
        double[] expected = Naive(x, k, new Random(seed));
        double[] actual = Seeding.KMeansPlusPlus(DataMatrix.From(x, null), k, new Random(seed), keepMinima);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void The_device_chooses_the_host_centres()
    {
        (float[,] x, _, _) = Synthetic.Mixture(3000, 4, 5, seed: 4, separation: 3);
        DataMatrix data = DataMatrix.From(x, null);
        AcceleratorHandle handle = DeviceManager.Resolve(Backend.CpuAccelerator, null)!;
        using var engine = new AcceleratorKMeansEngine(handle, data, 12);
        Assert.Equal(Seeding.KMeansPlusPlus(data, 12, new Random(5)), engine.SeedKMeansPlusPlus(12, new Random(5)));
    }
}
