using System.Collections.Immutable;
using Instrumentation.Generator.Model;
using Instrumentation.Naming;

namespace Instrumentation.Generator.Parsing.Kinds;

/// <summary>
/// The catalog entries of gRPC services and SignalR hubs (docs/naming.md, "Endpoint kinds"): every endpoint gRPC and
/// SignalR will map for them, and every hub method, named by the shared rules in <see cref="RpcNames"/>.
/// </summary>
internal static class RpcEndpoints
{
    public static IEnumerable<EndpointNames> Names(ImmutableArray<RpcServiceSpec> services)
    {
        var grpcMapped = false;
        foreach (var service in services)
        {
            grpcMapped |= service.Kind == RpcKind.Grpc;
            if (service.Status != TemplateStatus.Resolved || service.Route is null)
            {
                continue; // named at startup
            }

            if (service.Kind == RpcKind.Grpc)
            {
                foreach (var method in service.Methods)
                {
                    yield return RpcNames.GrpcMethod(service.Route, method.Name, method.HandlerName);
                }

                yield return RpcNames.GrpcUnimplementedMethod(service.Route);
                continue;
            }

            if (RouteNaming.Parts(service.Route) is not { } hub)
            {
                continue;
            }

            yield return RpcNames.HubNegotiate(hub, "POST");
            foreach (var method in RpcNames.HubConnectionMethods)
            {
                yield return RpcNames.HubConnection(hub, method, service.ClassName);
            }

            foreach (var method in service.Methods)
            {
                yield return RpcNames.HubMethod(hub, method.Name, method.HandlerName);
            }
        }

        // gRPC maps one catch-all for unknown services as soon as any service is mapped.
        if (grpcMapped)
        {
            yield return RpcNames.GrpcUnimplementedService();
        }
    }

    /// <summary>Whether a service's (or hub's) method is instrumented: the method's attributes over the service's choice.</summary>
    public static bool IsInstrumented(RpcServiceSpec service, RpcMethodSpec? method, bool assemblyInstrumented) =>
        InstrumentationChoices.IsInstrumented(
            assemblyInstrumented,
            InstrumentationChoices.Override(service.Choice, method?.Choice ?? InstrumentationChoice.Unspecified));
}
