return GpuEm.Bench.BenchRunner.Run(args, Console.Out, Console.Error);
