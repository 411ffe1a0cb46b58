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
    private static readonly HistogramPrefixes DurationPrefixes = new("hub_connection_seconds");

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
        Span<long> counts = stackalloc long[buckets.Cuts.Length];
        foreach (var connection in all)
        {
            var total = connection.Duration.CountAtOrBelow(buckets.Cuts, counts);
            buffer.WriteHistogram(DurationPrefixes, LabelsOf(connection), buckets, counts, total, connection.Duration.Sum / 1e9);
        }
    }

    private byte[] LabelsOf(ConnectionInstruments connection) =>
        labels.GetOrAdd(connection, c => Encoding.UTF8.GetBytes(
            new LabelSet().Add("hub", c.Hub).Add("transport", c.Transport).Add(commonLabels).ToString()));
}
