using System.Globalization;

namespace GpuEm.Tests.Fuzz;

/// <summary>
/// How many cases each fuzz test runs. The defaults keep the fuzz tests well under a minute on
/// two cores; GPUEM_FUZZ_SCALE (a factor) and GPUEM_FUZZ_SEED (the run seed, default 1) make a
/// longer or different local run: `GPUEM_FUZZ_SCALE=20 dotnet test --filter FullyQualifiedName~Fuzz`.
/// </summary>
internal static class FuzzCases
{
    /// <summary>The run seed: every case's mutation follows from it and the case number.</summary>
    public static int Seed { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("GPUEM_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int seed) ? seed : 1;

    private static double Scale { get; } =
        double.TryParse(Environment.GetEnvironmentVariable("GPUEM_FUZZ_SCALE"), NumberStyles.Float, CultureInfo.InvariantCulture, out double scale) && scale > 0 ? scale : 1;

    /// <summary><paramref name="count"/> cases, scaled.</summary>
    public static int Of(int count) => Math.Max(1, (int)(count * Scale));
}
