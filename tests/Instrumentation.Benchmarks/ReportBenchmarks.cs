using BenchmarkDotNet.Attributes;

namespace Instrumentation.Benchmarks;

/// <summary>One Wavefront report of 10,000 series: read the instruments and format every line, no network.</summary>
[MemoryDiagnoser]
public class ReportBenchmarks
{
    private WavefrontReportWorkload.Report report = null!;

    [GlobalSetup]
    public void Setup()
    {
        report = WavefrontReportWorkload.Prepare(10_000);
        report.Format();
    }

    [Benchmark(Description = "Wavefront report, 10,000 series")]
    public int WavefrontReport() => report.Format();
}
