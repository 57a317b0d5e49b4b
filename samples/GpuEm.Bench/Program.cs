using GpuEm.Cli;

// The benchmark's own program; `gpuem bench` runs the same code. Errors are one line, as gpuem's:
// a bad or unknown option is a usage error (exit 2); a backend this machine lacks or a
// device-memory limit too small for one row is a run error (exit 1).
try
{
    return GpuEm.Bench.BenchRunner.Run(args, Console.Out, Console.Error);
}
catch (UsageException e)
{
    Console.Error.WriteLine($"gpuem-bench: error: {e.Message} (see --help)");
    return 2;
}
catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException or IOException)
{
    Console.Error.WriteLine($"gpuem-bench: error: {CliErrors.Describe(e)}");
    return 1;
}
