using System.Collections.Concurrent;
using Instrumentation.Model;

namespace Instrumentation.Instruments;

/// <summary>
/// Every instrument of one application, created at startup when endpoints are bound. Sinks enumerate it off the
/// request path; the request path reaches its instruments through the endpoint, never through this registry.
/// </summary>
internal sealed class InstrumentRegistry
{
    private readonly ConcurrentDictionary<(string Entity, string Method), RouteInstruments> routes = new();
    private readonly RouteInstruments[] unmatched;
    private RouteInstruments[]? sorted;
    private readonly IndexSource routeNumbers = new();
    private readonly IndexSource seriesNumbers = new();
    private bool tracksCurrentRoute;

    /// <summary>Creates an empty registry.</summary>
    public InstrumentRegistry(ErrorRule errorRule, bool measureCpu = false)
    {
        ErrorRule = errorRule;
        MeasureCpu = measureCpu;
        Application = new ApplicationInstruments(this);
        Hubs = new Kinds.Hubs.HubInstruments(this);
        unmatched = new RouteInstruments[HttpMethodIndex.Count];
        for (var i = 0; i < unmatched.Length; i++)
        {
            var descriptor = RouteDescriptor.Unmatched(HttpMethodIndex.Names[i]);
            unmatched[i] = new RouteInstruments(descriptor, metadata: null, traced: false, errorRule, measureCpu, seriesNumbers)
            {
                IsDeclared = false,
                Index = routeNumbers.Next(),
            };
        }
    }

    /// <summary>What counts as an error.</summary>
    public ErrorRule ErrorRule { get; }

    /// <summary>What counts as an error on a gRPC route, by gRPC status (Instrumentation:Grpc:NonErrorStatuses).</summary>
    public ErrorRule GrpcErrorRule { get; init; } = Kinds.Grpc.GrpcStatusCodes.ErrorRule(new Configuration.GrpcOptions().NonErrorStatuses);

    /// <summary>SignalR hubs: their connections and hub method instruments (src/Runtime/Kinds/Hubs).</summary>
    public Kinds.Hubs.HubInstruments Hubs { get; }

    /// <summary>Whether per-request CPU time is measured.</summary>
    public bool MeasureCpu { get; }

    /// <summary>
    /// Whether instrumented endpoints make their route current for the handler: set once a per-route custom metric is
    /// declared (docs/custom-metrics.md), since it costs each request an execution-context change.
    /// </summary>
    public bool TracksCurrentRoute
    {
        get => Volatile.Read(ref tracksCurrentRoute);
        internal set => Volatile.Write(ref tracksCurrentRoute, value);
    }

    /// <summary>Application-wide figures.</summary>
    public ApplicationInstruments Application { get; }

    /// <summary>
    /// The routes to report: every declared (route, method) of an instrumented endpoint, and the undeclared ones
    /// (unmatched requests, methods an endpoint did not declare) once they have seen a request.
    /// </summary>
    public IEnumerable<RouteInstruments> Routes
    {
        get
        {
            foreach (var route in Sorted())
            {
                if (route.IsDeclared || !route.Statuses.IsEmpty || route.InFlight != 0)
                {
                    yield return route;
                }
            }

            foreach (var route in unmatched)
            {
                if (!route.Statuses.IsEmpty)
                {
                    yield return route;
                }
            }
        }
    }

    // Routes are only added at startup, so the sorted view is built once and rebuilt only after an addition.
    private RouteInstruments[] Sorted()
    {
        var current = Volatile.Read(ref sorted);
        if (current is not null && current.Length == routes.Count)
        {
            return current;
        }

        current = [.. routes.Values.OrderBy(r => r.Descriptor.Entity, StringComparer.Ordinal).ThenBy(r => r.Descriptor.Method, StringComparer.Ordinal)];
        Volatile.Write(ref sorted, current);
        return current;
    }

    /// <summary>
    /// Changes whenever a series is added (after it is in its route's <see cref="RouteInstruments.Statuses"/>): a
    /// reader that finds the same value as when it last listed every series can use that list again.
    /// </summary>
    internal int SeriesGeneration => seriesNumbers.Generation;

    /// <summary>The instruments of requests that matched no endpoint, by method.</summary>
    internal RouteInstruments Unmatched(string method) => unmatched[HttpMethodIndex.Of(method)];

    /// <summary>Gets or creates the instruments of a (route, method); endpoints rebuilt at startup share them.</summary>
    internal RouteInstruments GetOrCreate(RouteDescriptor descriptor, IInstrumentationMetadata? metadata, bool traced, bool declared) =>
        routes.GetOrAdd(
            (descriptor.Entity, descriptor.Method),
            static (_, state) => new RouteInstruments(state.descriptor, state.metadata, state.traced, state.rule, state.cpu, state.registry.seriesNumbers)
            {
                IsDeclared = state.declared,
                Index = state.registry.routeNumbers.Next(),
            },
            (descriptor, metadata, traced, declared, rule: descriptor.Kind == Naming.EndpointKinds.Grpc ? GrpcErrorRule : ErrorRule, cpu: MeasureCpu, registry: this));

    /// <summary>
    /// Creates a reader for one sink: each sink's deltas are its own. With <paramref name="reuse"/>, its readings are
    /// overwritten by its next read (<see cref="InstrumentReader"/>): for a reporter that is done with each one first.
    /// </summary>
    public InstrumentReader CreateReader(bool reuse = false) => new(this, reuse);
}
