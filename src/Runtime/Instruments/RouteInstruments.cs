using System.Collections.Immutable;
using Instrumentation.Model;

namespace Instrumentation.Instruments;

/// <summary>
/// The instruments of one (route, HTTP method) pair: an in-flight gauge and one <see cref="StatusInstruments"/> per
/// status code seen, held in an array indexed by status code so the request path never searches.
/// </summary>
internal sealed class RouteInstruments
{
    internal const int FirstStatus = 100;
    internal const int LastStatus = 599;
    private const int OutOfRangeSlot = LastStatus - FirstStatus + 1;

    private readonly StatusInstruments?[] statuses = new StatusInstruments?[OutOfRangeSlot + 1];

    // The series that exist, in slot order, for readers: replaced (under the lock) when a status is first seen, which
    // is rare, so that a reader walks a few series rather than 501 slots and enumerates without allocating.
    private readonly Lock seenGate = new();
    private ImmutableArray<StatusInstruments> seen = [];
    private readonly ErrorRule errorRule;
    private readonly bool measureCpu;
    private readonly IndexSource seriesNumbers;
    private long inFlight;

    // By status slot; created on the first request when the OpenTelemetry names are on, never otherwise.
    private SemanticBreakdown?[]? semantic;

    internal RouteInstruments(RouteDescriptor descriptor, IInstrumentationMetadata? metadata, bool traced, ErrorRule errorRule, bool measureCpu, IndexSource seriesNumbers)
    {
        Descriptor = descriptor;
        MethodAndTemplate = $"{descriptor.Method} {descriptor.Template}";
        Buckets = metadata?.Buckets;
        IsGrpc = descriptor.Kind == Naming.EndpointKinds.Grpc;
        Traced = traced;
        this.errorRule = errorRule;
        this.measureCpu = measureCpu;
        this.seriesNumbers = seriesNumbers;
    }

    /// <summary>The names of this route and method.</summary>
    public RouteDescriptor Descriptor { get; }

    /// <summary><c>GET /style/{id}/make</c>: OpenTelemetry's span name, built once.</summary>
    public string MethodAndTemplate { get; }

    /// <summary>
    /// A gRPC method: its series are per gRPC status (0-16, from the <c>grpc-status</c> trailer), not per HTTP status,
    /// which is 200 for every call that reached the service.
    /// </summary>
    public bool IsGrpc { get; }

    /// <summary>Per-endpoint Prometheus bucket bounds (seconds), or null for the application's.</summary>
    public double[]? Buckets { get; }

    /// <summary>
    /// ASP.NET Core's own <c>http.route</c> for this route (the endpoint's <c>IRouteDiagnosticsMetadata.Route</c>,
    /// <c>/</c> when empty), set when the endpoint is bound; null for unmatched requests.
    /// </summary>
    public string? HttpRoute { get; internal set; }

    /// <summary>The controller an action belongs to (its name without the suffix), for readers that group routes by it.</summary>
    public string? Controller { get; internal set; }

    /// <summary>Whether the endpoint is marked for tracing (<c>[Traced]</c> / <c>.Traced()</c>).</summary>
    public bool Traced { get; }

    /// <summary>The endpoint's own traced attributes (<c>[Traced("Path")]</c>), set when it is bound; empty for most.</summary>
    public Tracing.TracedProperty[] TracedAttributes { get; internal set; } = [];

    /// <summary>
    /// False for series that exist only to fold traffic an endpoint did not declare (a method it does not list,
    /// unmatched requests): sinks report those only once they have seen a request.
    /// </summary>
    public bool IsDeclared { get; internal init; } = true;

    /// <summary>
    /// A small number unique among the registry's routes (unmatched requests' included), so that per-route custom
    /// metrics and readers index their state by it (<see cref="InstrumentTable{T}"/>) instead of looking the route up.
    /// </summary>
    public int Index { get; internal init; }

    /// <summary>Requests of this route and method being handled right now.</summary>
    public long InFlight => Volatile.Read(ref inFlight);

    /// <summary>The status series seen so far, in status-code order.</summary>
    public ImmutableArray<StatusInstruments> Statuses => seen;

    internal void Enter() => Interlocked.Increment(ref inFlight);

    internal void Leave() => Interlocked.Decrement(ref inFlight);

    /// <summary>Gets the series of a status code; created the first time that status is seen on this route.</summary>
    public StatusInstruments ForStatus(int statusCode)
    {
        var slot = (uint)(statusCode - FirstStatus) <= LastStatus - FirstStatus ? statusCode - FirstStatus : OutOfRangeSlot;
        return statuses[slot] ?? Create(slot);
    }

    /// <summary>Gets the series of a gRPC status (0-16) on a gRPC route; the status is its own slot.</summary>
    public StatusInstruments ForGrpcStatus(int grpcStatus)
    {
        var slot = (uint)grpcStatus < GrpcStatusSlots ? grpcStatus : GrpcUnknownStatus;
        return statuses[slot] ?? Create(slot);
    }

    // gRPC's seventeen codes fit the low slots of the same array; UNKNOWN stands for anything outside them.
    private const int GrpcStatusSlots = 17;
    private const int GrpcUnknownStatus = 2;

    private int SlotOf(int statusCode) =>
        IsGrpc ? statusCode : statusCode == 0 ? OutOfRangeSlot : statusCode - FirstStatus;

    /// <summary>The OpenTelemetry-names breakdown of a status series of this route.</summary>
    internal SemanticBreakdown SemanticOf(StatusInstruments status)
    {
        var slot = SlotOf(status.StatusCode);
        var all = Volatile.Read(ref semantic) ?? CreateSemantic();
        return all[slot] ?? CreateBreakdown(all, slot, status);
    }

    /// <summary>The OpenTelemetry-names series of this route seen so far.</summary>
    internal IEnumerable<SemanticSeries> SemanticSeries =>
        Volatile.Read(ref semantic) is { } all ? all.Where(b => b is not null).SelectMany(b => b!.All) : [];

    private SemanticBreakdown?[] CreateSemantic()
    {
        var fresh = new SemanticBreakdown?[OutOfRangeSlot + 1];
        return Interlocked.CompareExchange(ref semantic, fresh, null) ?? fresh;
    }

    private static SemanticBreakdown CreateBreakdown(SemanticBreakdown?[] all, int slot, StatusInstruments status)
    {
        var fresh = new SemanticBreakdown(status);
        return Interlocked.CompareExchange(ref all[slot], fresh, null) ?? fresh;
    }

    internal void Record(int statusCode, long elapsedNanoseconds, long bytes) => ForStatus(statusCode).Record(elapsedNanoseconds, bytes);

    private StatusInstruments Create(int slot)
    {
        var code = IsGrpc ? slot : slot == OutOfRangeSlot ? 0 : slot + FirstStatus;
        var fresh = new StatusInstruments(this, code, errorRule.IsError(code), seriesNumbers.Next())
        {
            CpuTime = measureCpu ? new LogHistogram() : null,
        };
        if (Interlocked.CompareExchange(ref statuses[slot], fresh, null) is { } other)
        {
            return other;
        }

        lock (seenGate)
        {
            var before = 0;
            while (before < seen.Length && SlotOf(seen[before].StatusCode) < slot)
            {
                before++;
            }

            seen = seen.Insert(before, fresh);
        }

        seriesNumbers.Published();

        return fresh;
    }
}
