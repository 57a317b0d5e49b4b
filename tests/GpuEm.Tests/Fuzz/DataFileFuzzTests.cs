using GpuEm.Cli;
using GpuEm.Data;
using GpuEm.Models;
using GpuEm.Tests.Support;
using GpuEm.Tests.Surface;
using Xunit;

namespace GpuEm.Tests.Fuzz;

/// <summary>
/// Mutated CSV and .npy inputs: the readers return finite rows (NaN only as a missing value) or
/// throw <see cref="InvalidDataException"/>; fit, kmeans, bernoulli, categorical, predict and
/// score exit 0, 1 or 2 with an error line, never a stack trace, never NaN with exit 0, never a
/// hang. Fits run 3 iterations with k = 2 on the reference backend: milliseconds each.
/// </summary>
public sealed class DataFileFuzzTests : TempFolderTests
{
    public DataFileFuzzTests()
        : base("gpuem-fuzz-data-")
    {
    }

    // Thrown by a case whose reader returned something it promises not to.
    private sealed class BrokenPromise(string message) : Exception(message);

    [Fact]
    public void Mutated_csv_files_read_as_finite_rows_or_fail_with_an_invalid_data_error()
    {
        IReadOnlyList<FuzzCorpus.DataSeed> seeds = FuzzCorpus.Csvs();
        var run = new FuzzRun("csv-read", FuzzCases.Seed + 2);
        int cases = FuzzCases.Of(2_000);
        for (int index = 0; index < cases; index++)
        {
            FuzzCorpus.DataSeed seed = seeds[index % seeds.Count];
            (byte[] mutant, string mutation) = new Mutator(run.CaseSeed(index)).Mutate(seed.Bytes, Mutator.Kind.Csv);
            string path = PathOf($"data{index % 4}.csv");
            File.WriteAllBytes(path, mutant);
            run.Mutation = mutation;
            bool allowMissing = index / seeds.Count % 2 == 0;
            run.Library(index, $"CsvMatrixReader.Read(allowMissing: {allowMissing})", seed.Name, mutant, () =>
            {
                float[,] rows = CsvMatrixReader.Read(path, allowMissing);
                if (rows.Length == 0 || rows.Cast<float>().Any(v => float.IsInfinity(v) || (float.IsNaN(v) && !allowMissing)))
                    throw new BrokenPromise($"CsvMatrixReader returned {rows.GetLength(0)} × {rows.GetLength(1)} rows with a non-finite value or none");
            }, typeof(InvalidDataException));
            run.Library(index, "CsvDataSource.Open + ReadRows", seed.Name, mutant, () =>
            {
                using CsvDataSource source = CsvDataSource.Open(path, new CsvOptions { EmptyAsMissing = allowMissing });
                ReadAll(source);
            }, typeof(InvalidDataException));
        }
        run.AssertNoFailures(cases * 2);
    }

    [Fact]
    public void Mutated_npy_files_open_and_read_or_fail_with_an_invalid_data_error()
    {
        IReadOnlyList<FuzzCorpus.DataSeed> seeds = FuzzCorpus.Npys(Folder);
        var run = new FuzzRun("npy-read", FuzzCases.Seed + 3);
        int cases = FuzzCases.Of(4_000);
        for (int index = 0; index < cases; index++)
        {
            FuzzCorpus.DataSeed seed = seeds[index % seeds.Count];
            (byte[] mutant, string mutation) = new Mutator(run.CaseSeed(index)).Mutate(seed.Bytes, Mutator.Kind.Npy);
            string path = PathOf($"data{index % 4}.npy");
            File.WriteAllBytes(path, mutant);
            run.Mutation = mutation;
            run.Library(index, "MappedDataSource.OpenNpy + ReadRows", seed.Name, mutant, () =>
            {
                using MappedDataSource source = MappedDataSource.OpenNpy(path);
                if (source.RowCount < 1 || source.ColumnCount < 1 || source.RowCount * source.ColumnCount * 4 > mutant.Length)
                    throw new BrokenPromise($"OpenNpy gave {source.RowCount} × {source.ColumnCount} rows from {mutant.Length} bytes");
                ReadAll(source);
                _ = ((IMemorySource)source).InPlace(0, (int)source.RowCount);
            }, typeof(InvalidDataException));
        }
        run.AssertNoFailures(cases);
    }

    [Fact]
    public void Mutated_csv_and_npy_inputs_through_fit_kmeans_and_predict_exit_cleanly()
    {
        string gaussian = PathOf("gaussian.json");
        string kmeans = PathOf("kmeans.json");
        RegisteredModels.Fits[Models.GaussianMixture.GaussianMixtureModel.FormatName]().Model.Save(gaussian);
        RegisteredModels.Fits[Models.KMeans.KMeansModel.FormatName]().Model.Save(kmeans);
        List<FuzzCorpus.DataSeed> seeds = [.. FuzzCorpus.Csvs(), .. FuzzCorpus.Npys(Folder)];
        var run = new FuzzRun("data-cli", FuzzCases.Seed + 4);
        int cases = FuzzCases.Of(5_000);
        string[] covariances = ["full", "diag", "spherical", "tied"];
        string[] fit = ["--k", "2", "--max-iter", "3", "--backend", "reference"];
        for (int index = 0; index < cases; index++)
        {
            FuzzCorpus.DataSeed seed = seeds[index % seeds.Count];
            var mutator = new Mutator(run.CaseSeed(index));
            bool npy = seed.Name.EndsWith(".npy", StringComparison.Ordinal);
            (byte[] mutant, string mutation) = mutator.Mutate(seed.Bytes, npy ? Mutator.Kind.Npy : Mutator.Kind.Csv);
            string path = PathOf($"input{index % 4}" + Path.GetExtension(seed.Name));
            File.WriteAllBytes(path, mutant);
            run.Mutation = mutation;
            int round = index / seeds.Count;
            string[] missing = round % 3 == 0 ? ["--missing", "marginalize"] : [];
            string[] args = (seed.Name, round % 5) switch
            {
                ("binary.csv", _) => ["bernoulli", "--input", "{input}", .. fit],
                ("levels.csv", _) => ["categorical", "--input", "{input}", .. fit],
                (_, 0 or 1) => ["fit", "--input", "{input}", .. fit, "--covariance", covariances[round / 5 % 4], .. missing],
                (_, 2) => ["kmeans", "--input", "{input}", .. fit],
                (_, 3) => ["predict", "--model", round % 2 == 0 ? gaussian : kmeans, "--input", "{input}", .. round % 4 == 3 ? missing : []],
                _ => ["score", "--model", round % 2 == 0 ? gaussian : kmeans, "--input", "{input}"],
            };
            run.Cli(index, seed.Name, path, mutant, args);
        }
        run.AssertNoFailures(cases);
    }

    private static void ReadAll(IDataSource source)
    {
        const int Chunk = 7;
        var buffer = new float[Chunk * source.ColumnCount];
        for (long first = 0; first < source.RowCount; first += Chunk)
        {
            int rows = (int)Math.Min(Chunk, source.RowCount - first);
            source.ReadRows(first, rows, buffer.AsSpan(0, rows * source.ColumnCount));
        }
    }
}
