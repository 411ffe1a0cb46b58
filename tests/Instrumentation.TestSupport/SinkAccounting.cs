using System.Diagnostics.Metrics;
using Xunit;

namespace Instrumentation.TestSupport;

/// <summary>
/// One reading of the sinks' own meter (<c>Instrumentation.AspNetCore.Sinks</c>), taken the way any collector takes
/// it: through a <see cref="MeterListener"/>, by name and tags, not through the sender's internals.
/// </summary>
public sealed class SinkAccounting
{
    public const string MeterName = "Instrumentation.AspNetCore.Sinks";

    private readonly List<(string Instrument, string Sink, string Channel, string? Reason, long Value)> values;

    private SinkAccounting(List<(string, string, string, string?, long)> values) => this.values = values;

    /// <summary>Every (sink, channel) pair measured.</summary>
    public IReadOnlyList<(string Sink, string Channel)> Channels => values.Select(v => (v.Sink, v.Channel)).Distinct().ToList();

    /// <summary>Collects every sink meter <paramref name="which"/> accepts (one sender's, one application's).</summary>
    public static SinkAccounting Read(Func<Meter, bool> which)
    {
        var values = new List<(string, string, string, string?, long)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == MeterName && which(instrument.Meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? sink = null, channel = null, reason = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "sink": sink = tag.Value as string; break;
                    case "channel": channel = tag.Value as string; break;
                    case "reason": reason = tag.Value as string; break;
                }
            }

            values.Add((instrument.Name, sink ?? "", channel ?? "", reason, value));
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return new SinkAccounting(values);
    }

    public long Produced(string? sink = null, string? channel = null) => Sum("produced", sink, channel);

    public long Delivered(string? sink = null, string? channel = null) => Sum("delivered", sink, channel);

    public long Buffered(string? sink = null, string? channel = null) => Sum("buffered", sink, channel);

    /// <summary>Points dropped, for one reason (buffer_full, shutdown, rejected) or all.</summary>
    public long Dropped(string? reason = null, string? sink = null, string? channel = null) =>
        values.Where(v => v.Instrument == "instrumentation.sink.points.dropped" && (reason is null || v.Reason == reason) && Matches(v, sink, channel)).Sum(v => v.Value);

    /// <summary>Asserts produced = delivered + dropped + buffered for every channel measured, and that some were.</summary>
    public void AssertIdentity()
    {
        Assert.NotEmpty(Channels);
        foreach (var (sink, channel) in Channels)
        {
            var produced = Produced(sink, channel);
            var accounted = (Delivered(sink, channel), Dropped(sink: sink, channel: channel), Buffered(sink, channel));
            Assert.True(
                produced == accounted.Item1 + accounted.Item2 + accounted.Item3,
                $"{sink}/{channel}: produced {produced} != delivered {accounted.Item1} + dropped {accounted.Item2} + buffered {accounted.Item3}");
        }
    }

    public override string ToString() =>
        $"produced {Produced()}, delivered {Delivered()}, dropped {Dropped()} (buffer_full {Dropped("buffer_full")}, shutdown {Dropped("shutdown")}, rejected {Dropped("rejected")}), buffered {Buffered()}";

    private long Sum(string what, string? sink, string? channel) =>
        values.Where(v => v.Instrument == "instrumentation.sink.points." + what && Matches(v, sink, channel)).Sum(v => v.Value);

    private static bool Matches((string Instrument, string Sink, string Channel, string? Reason, long Value) v, string? sink, string? channel) =>
        (sink is null || v.Sink == sink) && (channel is null || v.Channel == channel);
}
