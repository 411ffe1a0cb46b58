using BenchmarkDotNet.Attributes;

namespace Instrumentation.Benchmarks;

/// <summary>
/// One Wavefront report: read the instruments and format every line, no network; from 1,000 to 100,000 series to show
/// how it grows (issue 12: at most 10 ms and 1 MB for 10,000).
/// </summary>
[MemoryDiagnoser]
public class ReportBenchmarks
{
    [Params(1_000, 10_000, 100_000)]
    public int Series { get; set; }

    private WavefrontReportWorkload.Report report = null!;

    [GlobalSetup]
    public void Setup()
    {
        report = WavefrontReportWorkload.Prepare(Series);
        report.Format();
    }

    [Benchmark(Description = "Wavefront report")]
    public int WavefrontReport() => report.Format();
}
