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
/// <remarks>
/// Usage: <c>probe report|report-steps|scrape|scrape-changed SERIES SECONDS</c>; <c>report-steps</c> also prints the
/// mean of each step of a report (record, read, format, send).
/// </remarks>
internal static class ReadingProbe
{
    public static int Run(string[] args)
    {
        var what = args[1];
        var series = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
        var seconds = double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
        Func<int> operation;
        var steps = new long[4];
        switch (what)
        {
            case "report":
                var report = WavefrontReportWorkload.Prepare(series);
                operation = report.Format;
                break;
            case "report-steps":
                var timed = WavefrontReportWorkload.Prepare(series);
                operation = () => timed.FormatTimed(steps);
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

        // What the workload keeps (instruments, the reader's and the sink's state, the sender's spare segments): the
        // memory a report walks through, against the machine's caches.
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        Array.Clear(steps);

        // Allocated before the count starts, so that the bytes per run are the operation's alone.
        var each = new double[1_000_000];
        var clock = Stopwatch.StartNew();
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        var runs = 0;
        var last = clock.Elapsed.TotalMilliseconds;
        while (last < seconds * 1000 && runs < each.Length)
        {
            operation();
            var now = clock.Elapsed.TotalMilliseconds;
            each[runs++] = now - last;
            last = now;
        }

        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Array.Sort(each, 0, runs);

        // The median as well as the mean: on a shared machine, a neighbour's burst lengthens some runs and moves the mean.
        Console.WriteLine($"{what} {series}: {runs} runs, {last / runs:F3} ms and {allocated / runs:N0} B per run, median {each[runs / 2]:F3} ms, tenth percentile {each[runs / 10]:F3} ms; heap {heap / 1e6:F1} MB");
        if (what == "report-steps")
        {
            string Mean(long ticks) => (ticks * 1000.0 / Stopwatch.Frequency / runs).ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
            Console.WriteLine($"  record {Mean(steps[0])} ms, read {Mean(steps[1])} ms, format {Mean(steps[2])} ms, send {Mean(steps[3])} ms");
        }

        return 0;
    }
}
