using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Instrumentation.Naming;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;

namespace Instrumentation.Kinds;

/// <summary>
/// Recognizes, at startup, the endpoints gRPC and SignalR map, from the metadata they put on them. gRPC is read by
/// type name, so the runtime does not depend on the gRPC packages; SignalR is part of the shared framework.
/// </summary>
internal static class KindOfEndpoint
{
    private const string GrpcMethodMetadata = "Grpc.AspNetCore.Server.GrpcMethodMetadata";

    /// <summary>The endpoint's kind: <see cref="EndpointKinds.Grpc"/>, <see cref="EndpointKinds.Hub"/>, or null for an ordinary route.</summary>
    public static string? Of(RouteEndpoint route)
    {
        if (route.Metadata.GetMetadata<HubMetadata>() is not null)
        {
            return EndpointKinds.Hub;
        }

        return GrpcMetadata(route) is not null || IsGrpcCatchAll(route) ? EndpointKinds.Grpc : null;
    }

    /// <summary>
    /// The methods a gRPC or SignalR endpoint serves though its metadata declares none (both map with <c>Map</c>): a gRPC
    /// call is a POST, and so is a hub's negotiate (what the catalog has). Any other method folds into <c>OTHER</c>.
    /// </summary>
    public static string[]? ImpliedMethods(RouteEndpoint route, string kind) => kind switch
    {
        EndpointKinds.Grpc => PostOnly,
        EndpointKinds.Hub when route.Metadata.GetMetadata<NegotiateMetadata>() is not null => PostOnly,
        _ => null,
    };

    private static readonly string[] PostOnly = [RpcNames.GrpcHttpMethod];

    /// <summary>
    /// A hub's connection endpoint: its request lasts as long as the connection (a WebSocket, a stream) or a poll, so
    /// it is measured as connections, not as requests.
    /// </summary>
    public static bool IsHubConnection(RouteEndpoint route) =>
        route.Metadata.GetMetadata<HubMetadata>() is not null && route.Metadata.GetMetadata<NegotiateMetadata>() is null;

    /// <summary>The hub class a SignalR endpoint serves.</summary>
    public static Type? HubType(RouteEndpoint route) => route.Metadata.GetMetadata<HubMetadata>()?.HubType;

    /// <summary>The assembly whose <c>[assembly: Instrumented]</c> covers a gRPC or hub endpoint: the service's or the hub's.</summary>
    public static Assembly? AssemblyOf(RouteEndpoint route, string kind) =>
        kind == EndpointKinds.Hub ? HubType(route)?.Assembly : GrpcServiceType(route)?.Assembly;

    private static object? GrpcMetadata(RouteEndpoint route)
    {
        foreach (var item in route.Metadata)
        {
            if (item.GetType().FullName == GrpcMethodMetadata)
            {
                return item;
            }
        }

        return null;
    }

    /// <summary>
    /// One of gRPC's catch-alls (unknown method of a service, unknown service): they carry its route constraint and
    /// no other metadata, so no attribute of the service reaches them.
    /// </summary>
    public static bool IsGrpcCatchAll(RouteEndpoint route) =>
        route.RoutePattern.ParameterPolicies.TryGetValue(RpcNames.UnimplementedMethodParameter, out var policies)
        && policies.Any(policy => policy.Content == RpcNames.UnimplementedConstraint);

    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2075",
        Justification = "GrpcMethodMetadata.ServiceType is public API gRPC itself reads; if trimming removed it, the service's own [Instrumented] still applies and only the assembly-wide default is not seen.")]
    private static Type? GrpcServiceType(RouteEndpoint route) =>
        GrpcMetadata(route) is { } metadata ? metadata.GetType().GetProperty("ServiceType")?.GetValue(metadata) as Type : null;
}
