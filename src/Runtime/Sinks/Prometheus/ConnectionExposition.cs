using System.Collections.Concurrent;
using System.Text;
using Instrumentation.Kinds.Hubs;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>
/// SignalR connections (docs/prometheus.md): how many are open and how long the closed ones lasted, by hub and
/// transport. Apart from <c>request_seconds</c>, whose latencies they would otherwise swamp.
/// </summary>
internal sealed class ConnectionExposition(IReadOnlyList<KeyValuePair<string, string>> commonLabels, BucketLayout buckets)
{
    private static readonly byte[] ActivePrefix = "hub_connections_active{"u8.ToArray();
    private static readonly byte[] BucketPrefix = "hub_connection_seconds_bucket{"u8.ToArray();
    private static readonly byte[] SumPrefix = "hub_connection_seconds_sum{"u8.ToArray();
    private static readonly byte[] CountPrefix = "hub_connection_seconds_count{"u8.ToArray();

    private static readonly byte[] ActiveHeader = PrometheusExposition.Header(
        "hub_connections_active", "SignalR connections open now, by hub template (hub) and transport.", "gauge");

    private const string DurationHelp = "Duration of closed SignalR connections in seconds, by hub template (hub) and transport.";
    private static readonly byte[] DurationHeader = PrometheusExposition.Header("hub_connection_seconds", DurationHelp, "histogram");
    private static readonly byte[] DurationHeaderOpenMetrics = PrometheusExposition.Header("hub_connection_seconds", DurationHelp, "histogram", unit: "seconds");

    private readonly ConcurrentDictionary<ConnectionInstruments, byte[]> labels = new();

    /// <summary>Writes both families; nothing at all while no hub has seen a connection.</summary>
    public void Write(Utf8Buffer buffer, IEnumerable<ConnectionInstruments> connections, bool openMetrics)
    {
        var all = connections.ToList();
        if (all.Count == 0)
        {
            return;
        }

        buffer.Write(ActiveHeader);
        foreach (var connection in all)
        {
            buffer.WriteSample(ActivePrefix, LabelsOf(connection), connection.Active);
        }

        buffer.Write(openMetrics ? DurationHeaderOpenMetrics : DurationHeader);
        var bounds = buckets.Nanoseconds;
        Span<long> counts = stackalloc long[bounds.Length];
        foreach (var connection in all)
        {
            var set = LabelsOf(connection);
            var total = connection.Duration.CountAtOrBelow(bounds, counts);
            for (var i = 0; i <= bounds.Length; i++)
            {
                buffer.Write(BucketPrefix);
                buffer.Write(set);
                buffer.Write(",le=\""u8);
                buffer.Write(buckets.LabelValues[i]);
                buffer.Write("\"} "u8);
                buffer.Write(i < bounds.Length ? counts[i] : total);
                buffer.Write((byte)'\n');
            }

            buffer.Write(SumPrefix);
            buffer.Write(set);
            buffer.Write("} "u8);
            buffer.Write(connection.Duration.Sum / 1e9);
            buffer.Write((byte)'\n');
            buffer.Write(CountPrefix);
            buffer.Write(set);
            buffer.Write("} "u8);
            buffer.Write(total);
            buffer.Write((byte)'\n');
        }
    }

    private byte[] LabelsOf(ConnectionInstruments connection) =>
        labels.GetOrAdd(connection, c => Encoding.UTF8.GetBytes(
            new LabelSet().Add("hub", c.Hub).Add("transport", c.Transport).Add(commonLabels).ToString()));
}
