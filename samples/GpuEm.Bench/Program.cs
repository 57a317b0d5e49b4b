try
{
    return GpuEm.Bench.BenchRunner.Run(args, Console.Out, Console.Error);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or InvalidOperationException
    or NotSupportedException)
{
    // Bad options (an unknown backend, a number that does not parse, a device-memory limit too
    // small for one row) or a backend this machine lacks: the message, not a stack trace.
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine("run with --help for the options.");
    return 2;
}
