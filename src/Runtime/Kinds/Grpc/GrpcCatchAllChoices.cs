using System.Collections.Concurrent;
using Instrumentation.Naming;

namespace Instrumentation.Kinds.Grpc;

/// <summary>
/// Decides for gRPC's catch-alls, which carry no metadata of the service: a service's unknown-method catch-all is
/// instrumented when that service's methods are, the unknown-service catch-all when any service's are. gRPC maps a
/// service's methods before its catch-alls, and the binder binds a data source's endpoints in order.
/// </summary>
internal sealed class GrpcCatchAllChoices
{
    private readonly ConcurrentDictionary<string, bool> instrumentedServices = new(StringComparer.Ordinal);

    /// <summary>Records the service of an instrumented gRPC method endpoint (<c>/greet.Greeter/SayHello</c>).</summary>
    public void MethodInstrumented(IReadOnlyList<IReadOnlyList<RoutePart>> parts)
    {
        if (ServiceOf(parts) is { } service)
        {
            instrumentedServices.TryAdd(service, true);
        }
    }

    public bool CoversCatchAll(IReadOnlyList<IReadOnlyList<RoutePart>> parts) =>
        ServiceOf(parts) is { } service ? instrumentedServices.ContainsKey(service) : !instrumentedServices.IsEmpty;

    // The service is the first segment when it is literal; the unknown-service catch-all has a parameter there.
    private static string? ServiceOf(IReadOnlyList<IReadOnlyList<RoutePart>> parts) =>
        parts.Count == 2 && parts[0] is [{ IsParameter: false } literal] ? literal.Text : null;
}
