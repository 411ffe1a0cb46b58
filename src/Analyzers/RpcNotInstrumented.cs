using Instrumentation.Generator.Model;
using Instrumentation.Generator.Parsing.Kinds;
using Microsoft.CodeAnalysis;

namespace Instrumentation.Analyzers;

/// <summary>A <c>MapGrpcService</c> / <c>MapHub</c> call's spec and the service or hub class it maps.</summary>
internal sealed record LocatedRpcService(RpcServiceSpec Spec, INamedTypeSymbol Service);

/// <summary>
/// INSTR001 for gRPC services and hubs nobody opted in (without <c>[assembly: Instrumented]</c>): reported on the class,
/// where the code fix puts <c>[Instrumented]</c>, since gRPC and SignalR copy the class's attributes onto every endpoint
/// they map for it. A class excluded on purpose (<c>[NotInstrumented]</c>, <c>.NotInstrumented()</c>) is not reported.
/// </summary>
internal static class RpcNotInstrumented
{
    public static IEnumerable<(Location Location, string What)> Find(IEnumerable<LocatedRpcService> services)
    {
        foreach (var located in services.OrderBy(s => s.Service.Name, StringComparer.Ordinal))
        {
            var spec = located.Spec;
            if (spec.Choice != InstrumentationChoice.Unspecified)
            {
                continue;
            }

            // A hub's negotiate and connection endpoints follow the class alone; a gRPC service is off when any method is.
            var off = spec.Kind == RpcKind.Hub || spec.Methods.Count == 0
                || spec.Methods.Any(method => !RpcEndpoints.IsInstrumented(spec, method, assemblyInstrumented: false));
            if (!off || located.Service.Locations.FirstOrDefault(location => location.IsInSource) is not { } location)
            {
                continue;
            }

            var route = spec.Route ?? "a route named at startup";
            yield return (location, spec.Kind == RpcKind.Grpc
                ? $"gRPC service '{located.Service.Name}' ({route})"
                : $"Hub '{located.Service.Name}' ({route})");
        }
    }
}
