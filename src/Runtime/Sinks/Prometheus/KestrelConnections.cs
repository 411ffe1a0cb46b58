using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>
/// Kestrel's own <c>kestrel.active_connections</c> (meter <c>Microsoft.AspNetCore.Server.Kestrel</c>), served as
/// <c>kestrel_active_connections</c> with the OpenTelemetry names, under the name and labels the OpenTelemetry
/// Prometheus exporters give it, so the "Current Connections" panel of the .NET dashboards has data. Only this
/// application's Kestrel is read (its meter's scope is the application's meter factory). Kestrel records a connection
/// only if something listened when the connection opened, so this listens from startup: see PrometheusSink.
/// </summary>
internal sealed class KestrelConnections : IDisposable
{
    public const string MeterName = "Microsoft.AspNetCore.Server.Kestrel";
    public const string InstrumentName = "kestrel.active_connections";

    private static readonly byte[] Header = PrometheusExposition.Header(
        "kestrel_active_connections", "Number of connections that are currently active on the server.", "gauge");

    private static readonly byte[] Prefix = "kestrel_active_connections{"u8.ToArray();

    // One entry per endpoint Kestrel listens on (transport, address family, address, port): a closed set, created on
    // the endpoint's first connection; a connection opening or closing only adds to its count.
    private readonly ConcurrentDictionary<(object?, object?, object?, object?), Endpoint> endpoints = new();
    private readonly MeterListener listener = new();
    private readonly object? scope;

    public KestrelConnections(IMeterFactory? meterFactory)
    {
        scope = meterFactory;
        listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name == InstrumentName &&
                (scope is null || ReferenceEquals(instrument.Meter.Scope, scope)))
            {
                listener.EnableMeasurementEvents(instrument, this);
            }
        };
        listener.SetMeasurementEventCallback<long>(static (_, change, tags, state) => ((KestrelConnections)state!).Add(change, tags));
        listener.Start();
    }

    public void Write(Utf8Buffer buffer)
    {
        buffer.Write(Header);
        foreach (var endpoint in endpoints.Values)
        {
            buffer.WriteSample(Prefix, endpoint.Labels, endpoint.Count);
        }
    }

    public void Dispose() => listener.Dispose();

    private void Add(long change, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        object? transport = null, type = null, address = null, port = null;
        foreach (var tag in tags)
        {
            switch (tag.Key)
            {
                case "network.transport": transport = tag.Value; break;
                case "network.type": type = tag.Value; break;
                case "server.address": address = tag.Value; break;
                case "server.port": port = tag.Value; break;
            }
        }

        endpoints.GetOrAdd((transport, type, address, port), static key => new Endpoint(key)).Add(change);
    }

    private sealed class Endpoint((object? Transport, object? Type, object? Address, object? Port) key)
    {
        private long count;

        public byte[] Labels { get; } = Encode(key);

        public long Count => Volatile.Read(ref count);

        public void Add(long change) => Interlocked.Add(ref count, change);

        private static byte[] Encode((object? Transport, object? Type, object? Address, object? Port) key)
        {
            var set = new LabelSet();
            foreach (var (name, value) in new[] { ("network_transport", key.Transport), ("network_type", key.Type), ("server_address", key.Address), ("server_port", key.Port) })
            {
                if (value is not null)
                {
                    set.Add(name, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
                }
            }

            return set.ToUtf8();
        }
    }
}
