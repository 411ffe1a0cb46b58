using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Model;

using Instrumentation.Sinks.Wavefront;

namespace Instrumentation.Benchmarks;

/// <summary>
/// One Wavefront report as a repeatable workload in process, without a network: <see cref="Prepare"/> builds
/// <c>series</c> (route, GET, 200) series; each <see cref="Report.Format"/> records one request per series, reads the
/// instruments and formats every line (gauges, counters, four deltas, latency and cpu_ns distributions) into a
/// counting sink.
/// </summary>
internal static class WavefrontReportWorkload
{
    public static Report Prepare(int series, InstrumentationOptions? options = null)
    {
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400), measureCpu: true);
        var statuses = new StatusInstruments[series];
        for (var i = 0; i < series; i++)
        {
            var route = registry.GetOrCreate(RouteDescriptor.For($"/bench/route{i}/{{id:int}}", "GET", $"Handler{i}"), null, traced: false, declared: true);
            statuses[i] = route.ForStatus(200);
        }

        options ??= new InstrumentationOptions { Application = "Ordering", Service = "styling", Source = "host-1" };
        return new Report(registry, statuses, options);
    }

    /// <summary>One report's worth of work, repeatable.</summary>
    internal sealed class Report
    {
        private readonly StatusInstruments[] statuses;
        private readonly InstrumentReader reader;
        private readonly WavefrontReportBuilder builder;
        private readonly CountingSender sink = new();
        private DateTimeOffset now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_040);

        public Report(InstrumentRegistry registry, StatusInstruments[] statuses, InstrumentationOptions options)
        {
            Registry = registry;
            this.statuses = statuses;
            reader = registry.CreateReader();
            builder = new WavefrontReportBuilder(options, now);
        }

        public InstrumentRegistry Registry { get; }

        /// <summary>Records one request per series, then reads and formats one report. Returns the lines formatted.</summary>
        public int Format()
        {
            foreach (var status in statuses)
            {
                status.Latency.Record(2_500_000);
                status.CpuTime?.Record(150_000);
            }

            now = now.AddSeconds(60);
            sink.Count = 0;
            builder.Build(reader.Read(), now, final: true, sink);
            return sink.Count;
        }
    }

    private sealed class CountingSender : IWavefrontSender
    {
        public int Count { get; set; }

        public bool TryEnqueue(WavefrontDataKind kind, ReadOnlySpan<char> line)
        {
            Count++;
            return true;
        }
    }
}
