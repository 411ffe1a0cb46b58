using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.Sinks.Shared;
using Instrumentation.Sinks.Wavefront;
using Microsoft.Extensions.Logging.Abstractions;

namespace Instrumentation.Benchmarks;

/// <summary>
/// One Wavefront report as a repeatable workload in process, without a network: <see cref="Prepare"/> builds
/// <c>series</c> (route, GET, 200) series; each <see cref="Report.Format"/> records one request per series, reads the
/// instruments and formats every line (gauges, counters, four deltas, latency and cpu_ns distributions) into a real
/// sender's buffers, then has the sender hand every batch to a transport that discards it, as a delivered send does.
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
        private readonly WavefrontSender sender;
        private readonly DiscardingTransport transport = new();
        private List<(WavefrontDataKind Kind, byte[] Line)> prepared = [];
        private DateTimeOffset now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_040);

        public Report(InstrumentRegistry registry, StatusInstruments[] statuses, InstrumentationOptions options)
        {
            Registry = registry;
            this.statuses = statuses;
            reader = registry.CreateReader(reuse: true);
            builder = new WavefrontReportBuilder(options, now);

            // Room for a whole report: the benchmark measures formatting, not what a full buffer drops.
            var settings = new LineSenderSettings("nowhere", int.MaxValue, options.Wavefront.BatchSize, TimeSpan.FromSeconds(1));
            sender = new WavefrontSender(transport, settings, NullLogger.Instance, TimeProvider.System);
        }

        public InstrumentRegistry Registry { get; }

        /// <summary>
        /// Records one request per series, then reads, formats and sends one report. Returns the lines the sender
        /// delivered.
        /// </summary>
        public int Format()
        {
            RecordOnly();

            now = now.AddSeconds(60);
            var sent = sender.Total().Sent;
            builder.Build(reader.Read(), now, final: true, sender);
            sender.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
            return (int)(sender.Total().Sent - sent);
        }

        /// <summary>
        /// <see cref="Format"/> with each step timed into <paramref name="ticks"/> (recording, reading, formatting,
        /// sending: <see cref="System.Diagnostics.Stopwatch"/> ticks added), for the probe's breakdown.
        /// </summary>
        public int FormatTimed(long[] ticks)
        {
            var start = System.Diagnostics.Stopwatch.GetTimestamp();
            RecordOnly();
            var recorded = System.Diagnostics.Stopwatch.GetTimestamp();
            now = now.AddSeconds(60);
            var sent = sender.Total().Sent;
            var reading = reader.Read();
            var read = System.Diagnostics.Stopwatch.GetTimestamp();
            builder.Build(reading, now, final: true, sender);
            var built = System.Diagnostics.Stopwatch.GetTimestamp();
            sender.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
            var flushed = System.Diagnostics.Stopwatch.GetTimestamp();
            ticks[0] += recorded - start;
            ticks[1] += read - recorded;
            ticks[2] += built - read;
            ticks[3] += flushed - built;
            return (int)(sender.Total().Sent - sent);
        }

        /// <summary>
        /// What <see cref="Format"/> does before it formats anything: the recording, then the reading of every series
        /// (the interval of each histogram computed, nothing formatted or sent). Returns the routes read.
        /// </summary>
        public int RecordAndRead()
        {
            RecordOnly();
            return reader.Read().RouteList.Count;
        }

        /// <summary>The recording <see cref="Format"/> starts with: one request per series. Returns the series.</summary>
        public int RecordOnly()
        {
            foreach (var status in statuses)
            {
                status.Latency.Record(2_500_000);
                status.CpuTime?.Record(150_000);
            }

            return statuses.Length;
        }

        /// <summary>Formats one report and keeps its lines' bytes, for <see cref="WritePrepared"/>.</summary>
        public void PrepareLines()
        {
            transport.Kept = [];
            Format();
            prepared = [.. transport.Kept.SelectMany(batch => Lines(batch.Payload).Select(line => (batch.Kind, line)))];
            transport.Kept = null;
        }

        /// <summary>
        /// The floor under <see cref="Format"/>: the lines of a report formatted before (<see cref="PrepareLines"/>)
        /// copied into the sender's buffers one by one, and sent. Returns the lines the sender delivered.
        /// </summary>
        public int WritePrepared()
        {
            var sent = sender.Total().Sent;
            foreach (var (kind, line) in prepared)
            {
                var writer = sender.Writer(kind);
                if (writer.BeginLine())
                {
                    writer.Write(line);
                    writer.EndLine();
                }
            }

            foreach (var kind in Enum.GetValues<WavefrontDataKind>())
            {
                sender.Writer(kind).Flush();
            }

            sender.FlushAsync(CancellationToken.None).GetAwaiter().GetResult();
            return (int)(sender.Total().Sent - sent);
        }

        private static IEnumerable<byte[]> Lines(byte[] payload)
        {
            for (var start = 0; start < payload.Length;)
            {
                var end = Array.IndexOf(payload, (byte)'\n', start);
                yield return payload[start..end];
                start = end + 1;
            }
        }
    }

    private sealed class DiscardingTransport : ILineTransport<WavefrontDataKind>
    {
        private static readonly Task<SendResult> Delivered = Task.FromResult<SendResult>(SendOutcome.Delivered);

        /// <summary>Where batches are copied while set.</summary>
        public List<(WavefrontDataKind Kind, byte[] Payload)>? Kept { get; set; }

        public Task<SendResult> SendAsync(WavefrontDataKind channel, ReadOnlyMemory<byte> payload, CancellationToken cancellation)
        {
            Kept?.Add((channel, payload.ToArray()));
            return Delivered;
        }

        public void Dispose()
        {
        }
    }
}
