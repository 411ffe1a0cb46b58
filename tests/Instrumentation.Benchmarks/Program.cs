using BenchmarkDotNet.Running;
using Instrumentation.Benchmarks;

if (args.Length > 0 && args[0] == "probe")
{
    return ReadingProbe.Run(args);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
