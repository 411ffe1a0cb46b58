using System.Diagnostics;
using System.IO.Pipelines;
using Instrumentation.Configuration;
using Instrumentation.Sinks.Prometheus;

namespace Instrumentation.Benchmarks;

/// <summary>
/// A plain loop over one reading operation for a number of seconds, for profilers (<c>perf</c>, <c>dotnet-counters</c>):
/// BenchmarkDotNet's forced collections between iterations land in the profile otherwise. Prints the mean per
/// operation and the bytes allocated per operation. Not a benchmark: the figures in docs come from BenchmarkDotNet.
/// </summary>
/// <remarks>Usage: <c>probe report|scrape|scrape-changed SERIES SECONDS</c>.</remarks>
internal static class ReadingProbe
{
    public static int Run(string[] args)
    {
        var what = args[1];
        var series = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var seconds = double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        Func<int> operation;
        switch (what)
        {
            case "report":
                var report = WavefrontReportWorkload.Prepare(series);
                operation = report.Format;
                break;
            case "scrape":
            case "scrape-changed":
                var registry = SeriesFixture.Create(series: series);
                var exposition = new PrometheusExposition(registry, new InstrumentationOptions(), "1.0");
                var sink = PipeWriter.Create(Stream.Null);
                var all = SeriesFixture.AllSeries(registry);
                var random = new Random(2);
                operation = () =>
                {
                    if (what == "scrape-changed")
                    {
                        SeriesFixture.RecordOneEach(all, random);
                    }

                    exposition.WriteAsync(sink, openMetrics: false).GetAwaiter().GetResult();
                    return 0;
                };
                break;
            default:
                Console.Error.WriteLine($"unknown probe '{what}'");
                return 2;
        }

        operation();
        var clock = Stopwatch.StartNew();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var runs = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            operation();
            runs++;
        }

        var elapsed = clock.Elapsed.TotalMilliseconds;
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Console.WriteLine($"{what} {series}: {runs} runs, {elapsed / runs:F3} ms and {allocated / runs:N0} B per run");
        return 0;
    }
}
