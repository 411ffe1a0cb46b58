using BenchmarkDotNet.Attributes;

namespace Instrumentation.Benchmarks;

/// <summary>
/// One Wavefront report: read the instruments, format every line into the sender's buffers and send them to a
/// transport that discards them; from 1,000 to 100,000 series to show how it grows (issue 12: at most 10 ms and 1 MB
/// for 10,000). The floor copies the same report's lines, formatted once beforehand, into the same buffers and sends
/// them: what any report of that many lines costs in the sender. The other floor is the recording each report starts
/// with, so that every series has changed: part of the report's time, not of the reporting. The part row adds the
/// reading of every series to it: what is left of a report beyond it and the sender's floor is the formatting.
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
        report.PrepareLines();
    }

    [Benchmark(Description = "Wavefront report")]
    public int WavefrontReport() => report.Format();

    [Benchmark(Description = "floor: one request recorded per series (part of each report above)")]
    public int RecordOnly() => report.RecordOnly();

    [Benchmark(Description = "part: that recording, then every series read (nothing formatted)")]
    public int RecordAndRead() => report.RecordAndRead();

    [Benchmark(Description = "floor: the report's lines, prepared, into the sender")]
    public int WritePrepared() => report.WritePrepared();
}
