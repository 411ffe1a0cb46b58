using System.Collections.Concurrent;
using System.Reflection;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.Naming;

namespace Instrumentation.Kinds.Hubs;

/// <summary>
/// The instruments of SignalR hubs. A hub is registered when its connection endpoint is bound at startup (with the
/// endpoint's opt-in decision); its connections are counted by transport, and each hub method gets a series of its
/// own the first time it is invoked, named from the build-time catalog (<c>/chat/Send</c>, method <c>INVOKE</c>).
/// Hub method names are bounded by the hub's methods (SignalR rejects any other name before filters run).
/// </summary>
internal sealed class HubInstruments(InstrumentRegistry registry)
{
    private readonly ConcurrentDictionary<Type, HubRegistration> hubs = new();
    private readonly ConcurrentDictionary<(Type Hub, string Method), HubMethodInstruments?> methods = new();
    private readonly ConcurrentDictionary<(string Hub, string Transport), ConnectionInstruments> connections = new();

    /// <summary>Every (hub, transport) that has seen a connection, for the sinks.</summary>
    public IEnumerable<ConnectionInstruments> Connections =>
        connections.Values.OrderBy(c => c.Hub, StringComparer.Ordinal).ThenBy(c => c.Transport, StringComparer.Ordinal);

    /// <summary>Records that a hub class is served at a template, instrumented (its endpoint opted in).</summary>
    public void Register(Type hubType, IReadOnlyList<IReadOnlyList<RoutePart>> template, IInstrumentationMetadata? metadata) =>
        hubs.TryAdd(hubType, new HubRegistration(RouteNames.Template(template), template, metadata));

    /// <summary>The connection instruments of an instrumented hub and transport; null when the hub is not instrumented.</summary>
    public ConnectionInstruments? ConnectionsOf(Type hubType, string transport) =>
        hubs.TryGetValue(hubType, out var hub)
            ? connections.GetOrAdd((hub.Template, transport), static key => new ConnectionInstruments(key.Hub, key.Transport))
            : null;

    /// <summary>
    /// The instruments of one hub method, or null when it is not instrumented (its hub is not, or the method is marked
    /// <c>[NotInstrumented]</c>). <paramref name="namedAtStartup"/> is true the one time a method missing from the
    /// build-time catalog is named.
    /// </summary>
    public HubMethodInstruments? MethodOf(Type hubType, string hubMethodName, MethodInfo method, out bool namedAtStartup)
    {
        if (methods.TryGetValue((hubType, hubMethodName), out var known))
        {
            namedAtStartup = false;
            return known;
        }

        var created = false;
        var found = methods.GetOrAdd((hubType, hubMethodName), key =>
        {
            if (!hubs.TryGetValue(key.Hub, out var hub))
            {
                return null;
            }

            // The method's own attribute over the hub's decision, as for an action over its controller.
            var own = method.GetCustomAttributes(inherit: true).OfType<IInstrumentationMetadata>().LastOrDefault();
            if (own is { Enabled: false })
            {
                return null;
            }

            var template = hub.Template == "/" ? "/" + key.Method : hub.Template + "/" + key.Method;
            var descriptor = EndpointCatalog.Find(template, RpcNames.HubInvocationMethod);
            if (descriptor is null)
            {
                descriptor = new RouteDescriptor(RpcNames.HubMethod(hub.Parts, key.Method, method.Name));
                created = true;
            }

            var route = registry.GetOrCreate(descriptor, own ?? hub.Metadata, traced: false, declared: true);
            return new HubMethodInstruments(route, RpcNames.HubMethodSpan(key.Hub.Name, key.Method));
        });
        namedAtStartup = created;
        return found;
    }

    private sealed record HubRegistration(string Template, IReadOnlyList<IReadOnlyList<RoutePart>> Parts, IInstrumentationMetadata? Metadata);
}

/// <summary>A hub method's series and its span name (<c>ChatHub/Send</c>).</summary>
internal sealed record HubMethodInstruments(RouteInstruments Route, string SpanName);

/// <summary>
/// The connections of one hub over one transport: how many are open, and how long the closed ones lasted. Kept apart
/// from request latency: a WebSocket's request lasts as long as the connection.
/// </summary>
internal sealed class ConnectionInstruments(string hub, string transport)
{
    private long active;

    /// <summary>The hub's template, <c>/chat</c>.</summary>
    public string Hub { get; } = hub;

    /// <summary><c>WebSockets</c>, <c>ServerSentEvents</c> or <c>LongPolling</c>.</summary>
    public string Transport { get; } = transport;

    public long Active => Volatile.Read(ref active);

    /// <summary>Durations of closed connections, in nanoseconds; its count is the number of connections closed.</summary>
    public LogHistogram Duration { get; } = new();

    internal void Open() => Interlocked.Increment(ref active);

    internal void Close(long elapsedNanoseconds)
    {
        Interlocked.Decrement(ref active);
        Duration.Record(elapsedNanoseconds);
    }
}
