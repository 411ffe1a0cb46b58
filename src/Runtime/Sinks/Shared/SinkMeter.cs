using System.Diagnostics.Metrics;

namespace Instrumentation.Sinks.Shared;

/// <summary>
/// Publishes one sender's accounting as a <see cref="Meter"/> named <c>Instrumentation.AspNetCore.Sinks</c>, so that
/// any <see cref="MeterListener"/> (the OpenTelemetry SDK, a test) can check the identity
/// produced = delivered + dropped + buffered per sink and channel. Every instrument is observable: the counts are
/// read from the channels when a collector asks, so publishing costs the sender nothing.
/// </summary>
internal sealed class SinkMeter : IDisposable
{
    public const string MeterName = "Instrumentation.AspNetCore.Sinks";

    /// <summary>The value of the <c>reason</c> tag of each <see cref="DropReason"/>.</summary>
    public static readonly IReadOnlyDictionary<DropReason, string> ReasonNames = new Dictionary<DropReason, string>
    {
        [DropReason.BufferFull] = "buffer_full",
        [DropReason.Shutdown] = "shutdown",
        [DropReason.Rejected] = "rejected",
    };

    private readonly bool owned;

    /// <param name="sink">The <c>sink</c> tag: wavefront, graphite.</param>
    /// <param name="channels">Each channel's name (the <c>channel</c> tag) and how to read its counters.</param>
    /// <param name="factory">The application's meter factory; without one the meter is this object's own.</param>
    public SinkMeter(string sink, IReadOnlyList<(string Name, Func<LineChannelStats> Read)> channels, IMeterFactory? factory)
    {
        // The sink tag on the meter too: a factory hands out one meter per name and tags, so each sink gets its own.
        var options = new MeterOptions(MeterName)
        {
            Version = typeof(SinkMeter).Assembly.GetName().Version?.ToString(),
            Tags = [new("sink", sink)],
        };
        owned = factory is null;
        Meter = factory?.Create(options) ?? new Meter(options);

        var tags = channels.Select(c => new KeyValuePair<string, object?>[] { new("sink", sink), new("channel", c.Name) }).ToArray();
        IEnumerable<Measurement<long>> Each(Func<LineChannelStats, long> value) =>
            channels.Select((c, i) => new Measurement<long>(value(c.Read()), tags[i]));

        Meter.CreateObservableCounter(
            "instrumentation.sink.points.produced", () => Each(s => s.Produced), "{point}",
            "Points handed to the sink, whether they fitted in its buffer or not.");
        Meter.CreateObservableCounter(
            "instrumentation.sink.points.delivered", () => Each(s => s.Sent), "{point}",
            "Points the receiver took: written to its socket, or answered with 2xx.");
        Meter.CreateObservableCounter(
            "instrumentation.sink.points.dropped", () => Dropped(channels, tags), "{point}",
            "Points given up, by reason: buffer_full, shutdown (unsent when shutdown ran out of time), rejected (HTTP 401/403).");
        Meter.CreateObservableUpDownCounter(
            "instrumentation.sink.points.buffered", () => Each(s => s.QueueSize), "{point}",
            "Points held right now, waiting to be delivered.");
        Meter.CreateObservableCounter(
            "instrumentation.sink.send.failures", () => Each(s => s.Failures), "{send}",
            "Send attempts that failed and were kept for a retry.");
    }

    public Meter Meter { get; }

    public void Dispose()
    {
        // A factory's meters live as long as the factory.
        if (owned)
        {
            Meter.Dispose();
        }
    }

    private static IEnumerable<Measurement<long>> Dropped(
        IReadOnlyList<(string Name, Func<LineChannelStats> Read)> channels, KeyValuePair<string, object?>[][] tags)
    {
        for (var i = 0; i < channels.Count; i++)
        {
            var stats = channels[i].Read();
            foreach (var (reason, name) in ReasonNames)
            {
                yield return new Measurement<long>(stats.DroppedFor(reason), [.. tags[i], new("reason", name)]);
            }
        }
    }
}
