using System.Text;
using Instrumentation.Sinks.Shared;
using Instrumentation.Sinks.Wavefront;

namespace Instrumentation.Wavefront.Tests;

/// <summary>
/// The sender's buffers hold lines as the UTF-8 payload the transports send. What a transport receives, batch by
/// batch, must be exactly the lines given, encoded as <see cref="Encoding.UTF8"/> encodes a string, within the batch size.
/// </summary>
public class SenderBufferTests
{
    [Fact]
    public async Task Batches_hold_at_most_the_batch_size_in_order()
    {
        var transport = new RecordingTransport();
        using var sender = SenderTests.Sender(transport, capacity: 1000, batch: 100, new ListLogger(), TimeProvider.System);
        for (var i = 0; i < 250; i++)
        {
            Assert.True(sender.TryEnqueue(WavefrontDataKind.Metric, $"\"m.{i}\" {i} source=\"h\""));
        }

        await sender.FlushAsync(CancellationToken.None);

        Assert.Equal([100, 100, 50], transport.Batches.Select(b => b.Lines.Count));
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"\"m.{i}\" {i} source=\"h\""), transport.Batches.SelectMany(b => b.Lines));
        Assert.Equal((250L, 0), (sender.Stats(WavefrontDataKind.Metric).Sent, sender.Stats(WavefrontDataKind.Metric).QueueSize));
    }

    [Fact]
    public async Task Lines_are_encoded_as_UTF8_encodes_the_string_whatever_their_size()
    {
        var transport = new RecordingTransport();
        using var sender = SenderTests.Sender(transport, capacity: 100, batch: 100, new ListLogger(), TimeProvider.System);
        string[] lines =
        [
            "\"größe\" 1 source=\"Zürich\" \"emoji\"=\"\U0001F600\"",
            "\"lone\" 1 source=\"h\" \"bad\"=\"\uD800x\"", // a lone surrogate becomes U+FFFD, as Encoding.UTF8 does
            "\"big\" 1 source=\"h\" \"v\"=\"" + new string('x', 200_000) + "\"", // larger than a buffer segment
            "\"after\" 1 source=\"h\"",
        ];
        foreach (var line in lines)
        {
            Assert.True(sender.TryEnqueue(WavefrontDataKind.Metric, line));
        }

        await sender.FlushAsync(CancellationToken.None);

        var expected = lines.SelectMany(line => Encoding.UTF8.GetBytes(line + "\n")).ToArray();
        Assert.Equal(expected, transport.Batches.SelectMany(b => b.Payload).ToArray());
    }

    [Fact]
    public async Task A_failed_batch_is_sent_again_byte_for_byte_before_anything_newer()
    {
        var transport = new RecordingTransport { Outcomes = new([SendOutcome.Retry, SendOutcome.Delivered, SendOutcome.Delivered]) };
        var time = new ManualTime();
        using var sender = SenderTests.Sender(transport, capacity: 100, batch: 3, new ListLogger(), time);
        for (var i = 0; i < 3; i++)
        {
            sender.TryEnqueue(WavefrontDataKind.Span, $"line {i}");
        }

        await sender.FlushAsync(CancellationToken.None); // fails: the batch stays
        sender.TryEnqueue(WavefrontDataKind.Span, "line 3");
        time.Advance(Backoff.Longest);
        await sender.FlushAsync(CancellationToken.None);

        Assert.Equal(3, transport.Batches.Count);
        Assert.Equal(transport.Batches[0].Payload, transport.Batches[1].Payload);
        Assert.Equal(["line 3"], transport.Batches[2].Lines);
        var stats = sender.Stats(WavefrontDataKind.Span);
        Assert.Equal((4L, 1L, 0), (stats.Sent, stats.Failures, stats.QueueSize));
    }

    [Fact]
    public async Task Dropping_at_shutdown_counts_every_line_held_in_flight_queued_or_filling()
    {
        var transport = new RecordingTransport { Outcomes = new(Enumerable.Repeat<SendResult>(SendOutcome.Retry, 100)) };
        using var sender = SenderTests.Sender(transport, capacity: 100, batch: 4, new ListLogger(), TimeProvider.System);
        for (var i = 0; i < 10; i++)
        {
            sender.TryEnqueue(WavefrontDataKind.Metric, $"line {i}");
        }

        await sender.FlushAsync(CancellationToken.None); // one batch of 4 now in flight, 6 more held
        using var expired = new CancellationTokenSource();
        await expired.CancelAsync();
        await sender.DrainAsync(expired.Token);

        var stats = sender.Stats(WavefrontDataKind.Metric);
        Assert.Equal((10L, 0L, 0, 100), (stats.Dropped, stats.Sent, stats.QueueSize, stats.RemainingCapacity));
    }
}
