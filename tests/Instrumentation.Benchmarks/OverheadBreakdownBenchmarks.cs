using BenchmarkDotNet.Attributes;

namespace Instrumentation.Benchmarks;

/// <summary>Where the metrics path's cost goes: the same request with each optional part of it switched off.</summary>
[MemoryDiagnoser]
public class OverheadBreakdownBenchmarks
{
    private const string Path = "/style/42/make";
    private BenchmarkHost host = null!;

    [Params("default", "no byte counting", "no exemplars", "neither")]
    public string Variant { get; set; } = "default";

    [GlobalSetup]
    public void Setup()
    {
        var settings = new Dictionary<string, string?>(RequestBenchmarks.MetricsOnly);
        if (Variant is "no byte counting" or "neither")
        {
            settings["Instrumentation:CountResponseBytes"] = "false";
        }

        if (Variant is "no exemplars" or "neither")
        {
            settings["Instrumentation:Prometheus:Exemplars"] = "false";
        }

        host = BenchmarkHost.Instrumented(settings);
    }

    [GlobalCleanup]
    public void Cleanup() => host.Dispose();

    [Benchmark]
    public Task Request() => host.Send(Path);
}
