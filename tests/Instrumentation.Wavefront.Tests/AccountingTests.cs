using Instrumentation.Sinks.Shared;
using Instrumentation.Sinks.Wavefront;
using Instrumentation.TestSupport;

namespace Instrumentation.Wavefront.Tests;

/// <summary>
/// The shared sender's accounting identity, produced = delivered + dropped (by reason) + buffered, read through its
/// meter as a collector reads it, at every step of a life with every outcome: full buffer, retry, delivery, refusal,
/// shutdown with lines still held.
/// </summary>
public class AccountingTests
{
    [Fact]
    public async Task Every_line_is_delivered_dropped_for_a_reason_or_still_buffered_at_every_step()
    {
        var transport = new RecordingTransport
        {
            Outcomes = new([SendOutcome.Retry, SendOutcome.Delivered, SendOutcome.Delivered, SendOutcome.Rejected]),
        };
        var time = new ManualTime();
        using var sender = SenderTests.Sender(transport, capacity: 10, batch: 4, new ListLogger(), time);
        SinkAccounting Read() => SinkAccounting.Read(meter => meter == sender.Meter);

        Enqueue(sender, WavefrontDataKind.Metric, 12); // 2 do not fit
        Enqueue(sender, WavefrontDataKind.Span, 3);
        var offered = Read();
        offered.AssertIdentity();
        Assert.Equal((15L, 0L, 2L, 13L), (offered.Produced(), offered.Delivered(), offered.Dropped("buffer_full"), offered.Buffered()));

        await sender.FlushAsync(CancellationToken.None); // metric batch fails (retry); spans delivered
        var retrying = Read();
        retrying.AssertIdentity();
        Assert.Equal((3L, 10L), (retrying.Delivered(channel: "span"), retrying.Buffered(channel: "metric")));

        time.Advance(Backoff.Longest);
        await sender.FlushAsync(CancellationToken.None); // the failed batch delivered, the next refused (paused after)
        var refused = Read();
        refused.AssertIdentity();
        Assert.Equal((7L, 4L, 2L), (refused.Delivered(), refused.Dropped("rejected"), refused.Buffered()));

        time.Advance(TimeSpan.FromMinutes(2));
        Enqueue(sender, WavefrontDataKind.Histogram, 1);
        using var expired = new CancellationTokenSource();
        await expired.CancelAsync();
        await sender.DrainAsync(expired.Token); // nothing more may be sent: what is held is dropped at shutdown

        var end = Read();
        end.AssertIdentity();
        Assert.Equal((16L, 7L, 2L, 4L, 3L, 0L), (end.Produced(), end.Delivered(), end.Dropped("buffer_full"), end.Dropped("rejected"), end.Dropped("shutdown"), end.Buffered()));
        Assert.Equal(
            ["histogram", "metric", "span", "spanlog"],
            end.Channels.Where(c => c.Sink == "unnamed").Select(c => c.Channel).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_identity_holds_while_producers_and_the_loop_race()
    {
        var transport = new RecordingTransport();
        using var sender = SenderTests.Sender(transport, capacity: 500, batch: 50, new ListLogger(), TimeProvider.System);
        sender.Start();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                sender.TryEnqueue(WavefrontDataKind.Metric, "\"m\" 1 source=\"h\"");
                if (i % 100 == 0)
                {
                    sender.RequestFlush();
                }
            }
        })));

        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await sender.DrainAsync(limit.Token);
        var end = SinkAccounting.Read(meter => meter == sender.Meter);
        end.AssertIdentity();
        Assert.Equal((20_000L, 0L), (end.Produced(), end.Buffered()));
        Assert.Equal(end.Delivered(), transport.Batches.Sum(b => b.Lines.Count));
    }

    private static void Enqueue(WavefrontSender sender, WavefrontDataKind kind, int count)
    {
        for (var i = 0; i < count; i++)
        {
            sender.TryEnqueue(kind, $"line {i}");
        }
    }
}
