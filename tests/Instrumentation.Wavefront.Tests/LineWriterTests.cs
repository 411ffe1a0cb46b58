using System.Text;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.Sinks.Wavefront;

namespace Instrumentation.Wavefront.Tests;

/// <summary>
/// Lines written in place into the sender's segments (reports) reach the transport exactly as enqueued strings do:
/// in order, within the batch size, whole across segment ends, and counted the same way.
/// </summary>
public class LineWriterTests
{
    [Fact]
    public async Task Lines_written_in_place_arrive_whole_in_order_within_the_batch_size()
    {
        var transport = new RecordingTransport();
        using var sender = SenderTests.Sender(transport, capacity: 10_000, batch: 1_000, new ListLogger(), TimeProvider.System);

        // 200-byte lines: 2,500 of them cross the end of the 256 KB segments, so some lines move to the next one.
        var lines = Enumerable.Range(0, 2_500).Select(i => $"\"m.{i}\" {i} source=\"h\" \"v\"=\"{new string('x', 170)}\"").ToList();
        var writer = sender.Writer(WavefrontDataKind.Metric);
        foreach (var line in lines)
        {
            Assert.True(writer.BeginLine());
            var bytes = Encoding.UTF8.GetBytes(line);

            // In two pieces, as a formatter writes a line: the second may not fit where the first went.
            bytes.AsSpan(0, 100).CopyTo(writer.GetSpan(100));
            writer.Advance(100);
            bytes.AsSpan(100).CopyTo(writer.GetSpan(bytes.Length - 100));
            writer.Advance(bytes.Length - 100);
            writer.EndLine();
        }

        Assert.Empty(transport.Batches);
        writer.Flush();
        await sender.FlushAsync(CancellationToken.None);

        Assert.Equal(lines, transport.Batches.SelectMany(b => b.Lines));
        Assert.All(transport.Batches, b => Assert.InRange(b.Lines.Count, 1, 1_000));
        var stats = sender.Stats(WavefrontDataKind.Metric);
        Assert.Equal((2_500L, 2_500L, 0, 0L), (stats.Produced, stats.Sent, stats.QueueSize, stats.Unaccounted));
    }

    [Fact]
    public async Task A_full_buffer_drops_lines_written_in_place_and_counts_them()
    {
        var transport = new RecordingTransport();
        using var sender = SenderTests.Sender(transport, capacity: 3, batch: 100, new ListLogger(), TimeProvider.System);
        var writer = sender.Writer(WavefrontDataKind.Histogram);
        var accepted = 0;
        for (var i = 0; i < 5; i++)
        {
            if (writer.BeginLine())
            {
                var line = "!M 1700000040 #1 2 \"h\" source=\"h\""u8;
                line.CopyTo(writer.GetSpan(line.Length));
                writer.Advance(line.Length);
                writer.EndLine();
                accepted++;
            }
        }

        writer.Flush();
        await sender.FlushAsync(CancellationToken.None);

        Assert.Equal(3, accepted);
        var stats = sender.Stats(WavefrontDataKind.Histogram);
        Assert.Equal((5L, 3L, 2L, 0L), (stats.Produced, stats.Sent, stats.DroppedFull, stats.Unaccounted));
    }

    [Fact]
    public async Task Room_reserved_for_lines_not_written_goes_back_at_flush()
    {
        // The writer reserves room for lines ahead; once it flushes, the channel holds exactly the lines written, and
        // the rest of its bound is free for other producers again.
        var transport = new RecordingTransport();
        using var sender = SenderTests.Sender(transport, capacity: 6_400, batch: 1_000, new ListLogger(), TimeProvider.System);
        var writer = sender.Writer(WavefrontDataKind.Metric);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(writer.BeginLine());
            writer.Write("\"m\" 1 source=\"h\""u8);
            writer.EndLine();
        }

        var writing = sender.Stats(WavefrontDataKind.Metric);
        Assert.InRange(writing.QueueSize, 10, 10 + 64);
        Assert.Equal(writing.QueueSize, writing.Produced);

        writer.Flush();
        var flushed = sender.Stats(WavefrontDataKind.Metric);
        Assert.Equal((10, 6_390, 10L, 0L), (flushed.QueueSize, flushed.RemainingCapacity, flushed.Produced, flushed.Unaccounted));

        await sender.FlushAsync(CancellationToken.None);
        var sent = sender.Stats(WavefrontDataKind.Metric);
        Assert.Equal((0, 10L, 10L, 0L), (sent.QueueSize, sent.Sent, sent.Produced, sent.Unaccounted));
    }

    [Fact]
    public void A_reusing_reader_reads_what_a_fresh_reader_reads()
    {
        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400), measureCpu: true);
        var route = registry.GetOrCreate(RouteDescriptor.For("/style/{id}/make", "GET", "MakeShirts"), null, traced: false, declared: true);
        var fresh = registry.CreateReader();
        var reusing = registry.CreateReader(reuse: true);
        for (var round = 1; round <= 4; round++)
        {
            foreach (var status in new[] { 200, 404 })
            {
                var series = route.ForStatus(status);
                for (var i = 0; i < round * status / 100; i++)
                {
                    series.Record(1_000_000L * (i + round), bytes: 10);
                    series.CpuTime!.Record(10_000L * round);
                }
            }

            var expected = fresh.Read();
            var actual = reusing.Read();
            Assert.Equal(
                (expected.Completed, expected.CompletedDelta, expected.Errors, expected.ErrorsDelta),
                (actual.Completed, actual.CompletedDelta, actual.Errors, actual.ErrorsDelta));
            Assert.Equal(Describe(expected), Describe(actual));
        }
    }

    private static List<string> Describe(InstrumentReading reading) =>
        [.. reading.Routes.SelectMany(route => route.Series.Select(s =>
            $"{s.Series.StatusCode} {s.Count} {s.CountDelta} {s.ResponseBytes} {s.ResponseBytesDelta} " +
            $"{Bins(s.Latency)} | {Bins(s.LatencyInterval)} | {Bins(s.CpuTime!)} | {Bins(s.CpuTimeInterval!)}"))];

    private static string Bins(HistogramSnapshot snapshot) =>
        $"{snapshot.Sum}: " + string.Join(",", snapshot.Bins.Select(b => $"{b.LowerBound}x{b.Count}"));
}
