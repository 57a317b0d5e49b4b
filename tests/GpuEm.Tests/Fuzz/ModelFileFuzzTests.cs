using GpuEm.Persistence;
using GpuEm.Tests.Support;
using Xunit;

namespace GpuEm.Tests.Fuzz;

/// <summary>
/// Mutated model files (every registered format, every Gaussian covariance type): the loader
/// returns a model or throws <see cref="ModelFormatException"/>; predict, score and info exit
/// 0, 1 or 2 with an error line, never a stack trace, never NaN with exit 0, never a hang.
/// </summary>
public sealed class ModelFileFuzzTests : TempFolderTests
{
    public ModelFileFuzzTests()
        : base("gpuem-fuzz-models-")
    {
    }

    [Fact]
    public void Mutated_model_files_load_or_fail_with_a_model_format_error()
    {
        IReadOnlyList<FuzzCorpus.ModelSeed> seeds = FuzzCorpus.Models();
        var run = new FuzzRun("model-load", FuzzCases.Seed);
        int cases = FuzzCases.Of(6_000);
        for (int index = 0; index < cases; index++)
        {
            FuzzCorpus.ModelSeed seed = seeds[index % seeds.Count];
            (byte[] mutant, string mutation) = new Mutator(run.CaseSeed(index)).Mutate(seed.Json, Mutator.Kind.Json);
            string path = PathOf($"model{index % 4}.json");
            File.WriteAllBytes(path, mutant);
            run.Mutation = mutation;
            run.Library(index, "ModelFile.Load", seed.Name + ".json", mutant, () => ModelFile.Load(path), typeof(ModelFormatException));
        }
        run.AssertNoFailures(cases);
    }

    [Fact]
    public void Mutated_model_files_through_predict_score_and_info_exit_cleanly()
    {
        IReadOnlyList<FuzzCorpus.ModelSeed> seeds = FuzzCorpus.Models();
        var rows = new string[seeds.Count];
        for (int s = 0; s < seeds.Count; s++)
        {
            rows[s] = PathOf($"rows{s}.csv");
            File.WriteAllText(rows[s], seeds[s].RowsCsv ?? "0,1\n");
        }
        var run = new FuzzRun("model-cli", FuzzCases.Seed + 1);
        int cases = FuzzCases.Of(6_000);
        for (int index = 0; index < cases; index++)
        {
            int s = index % seeds.Count;
            var mutator = new Mutator(run.CaseSeed(index));
            (byte[] mutant, string mutation) = mutator.Mutate(seeds[s].Json, Mutator.Kind.Json);
            string path = PathOf($"model{index % 4}.json");
            File.WriteAllBytes(path, mutant);
            run.Mutation = mutation;
            // Missing cells (the discrete seeds' rows have some) are marginalized in every other case.
            string[] missing = index / seeds.Count % 2 == 0 ? ["--missing", "marginalize"] : [];
            string[] args = (index / seeds.Count % 4) switch
            {
                0 => ["predict", "--model", "{input}", "--input", rows[s], .. missing],
                1 => ["predict", "--model", "{input}", "--input", rows[s], "--proba", .. missing],
                2 => ["score", "--model", "{input}", "--input", rows[s], .. missing],
                _ => ["info", "--model", "{input}"],
            };
            run.Cli(index, seeds[s].Name + ".json", path, mutant, args);
        }
        run.AssertNoFailures(cases);
    }
}
