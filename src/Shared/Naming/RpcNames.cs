namespace Instrumentation.Naming;

/// <summary>
/// The names of gRPC service methods and SignalR hubs (docs/naming.md, "Endpoint kinds"): one rule set for the
/// generator, which finds them in the compilation, and the runtime, which binds the endpoints gRPC and SignalR map.
/// </summary>
internal static class RpcNames
{
    /// <summary>Every gRPC call is an HTTP POST; gRPC maps no other method.</summary>
    public const string GrpcHttpMethod = "POST";

    /// <summary>The route parameter gRPC's own catch-alls use for a method (and a service) it does not know.</summary>
    public const string UnimplementedMethodParameter = "unimplementedMethod";

    public const string UnimplementedServiceParameter = "unimplementedService";

    /// <summary>The route constraint of gRPC's catch-alls, part of their pattern and so of their template.</summary>
    public const string UnimplementedConstraint = "grpcunimplemented";

    /// <summary>The handler of both catch-alls: whatever method was asked for, it answers UNIMPLEMENTED.</summary>
    public const string UnimplementedHandler = "unimplemented";

    /// <summary>The handler of a hub's negotiate endpoint.</summary>
    public const string NegotiateHandler = "negotiate";

    /// <summary>The literal segment SignalR appends to a hub's pattern for its negotiate endpoint.</summary>
    public const string NegotiateSegment = "negotiate";

    /// <summary>
    /// The method of a hub method invocation: it is a message on a connection, not an HTTP request, so it gets a method
    /// of its own instead of one a client could also send.
    /// </summary>
    public const string HubInvocationMethod = "INVOKE";

    /// <summary>The HTTP methods of a hub's connection endpoint (SignalR answers 405 to any other).</summary>
    public static IReadOnlyList<string> HubConnectionMethods { get; } = new[] { "GET", "POST", "DELETE" };

    /// <summary>One service method, <c>/greet.Greeter/SayHello</c>; its handler is the implementing C# method.</summary>
    public static EndpointNames GrpcMethod(string service, string method, string handlerMethodName) =>
        EndpointNames.For(new[] { Segment(RoutePart.Literal(service)), Segment(RoutePart.Literal(method)) }, GrpcHttpMethod, handlerMethodName)
            with { Kind = EndpointKinds.Grpc };

    /// <summary>The catch-all of one service's unknown methods, <c>/greet.Greeter/{unimplementedMethod:grpcunimplemented}</c>.</summary>
    public static EndpointNames GrpcUnimplementedMethod(string service) =>
        EndpointNames.For(new[] { Segment(RoutePart.Literal(service)), Segment(Unimplemented(UnimplementedMethodParameter)) }, GrpcHttpMethod, UnimplementedHandler)
            with { Kind = EndpointKinds.Grpc };

    /// <summary>The catch-all of unknown services, one for the whole application: <c>/{unimplementedService}/{unimplementedMethod:grpcunimplemented}</c>.</summary>
    public static EndpointNames GrpcUnimplementedService() =>
        EndpointNames.For(
            new[] { Segment(RoutePart.Parameter(UnimplementedServiceParameter, null, defaultValue: null, isOptional: false, isCatchAll: false, encodesSlashes: false)), Segment(Unimplemented(UnimplementedMethodParameter)) },
            GrpcHttpMethod,
            UnimplementedHandler)
            with { Kind = EndpointKinds.Grpc };

    /// <summary>A hub's negotiate endpoint, <c>/chat/negotiate</c>: an ordinary request.</summary>
    public static EndpointNames HubNegotiate(IReadOnlyList<IReadOnlyList<RoutePart>> hub, string method) =>
        EndpointNames.For(Append(hub, NegotiateSegment), method, NegotiateHandler) with { Kind = EndpointKinds.Hub };

    /// <summary>A hub's connection endpoint, <c>/chat</c>, whose handler is the hub class (<c>ChatHub</c>).</summary>
    public static EndpointNames HubConnection(IReadOnlyList<IReadOnlyList<RoutePart>> hub, string method, string hubClassName) =>
        EndpointNames.For(hub, method, hubClassName) with { Kind = EndpointKinds.Hub };

    /// <summary>
    /// One hub method, <c>/chat/Send</c> with method <see cref="HubInvocationMethod"/>: the hub's template and the name
    /// clients invoke (a <c>[HubMethodName]</c> if any); its handler is the C# method.
    /// </summary>
    public static EndpointNames HubMethod(IReadOnlyList<IReadOnlyList<RoutePart>> hub, string hubMethodName, string handlerMethodName) =>
        EndpointNames.For(Append(hub, hubMethodName), HttpMethodNames.Other, handlerMethodName)
            with { Method = HubInvocationMethod, Kind = EndpointKinds.HubMethod };

    /// <summary>The span name of a hub method invocation, <c>ChatHub/Send</c>.</summary>
    public static string HubMethodSpan(string hubClassName, string hubMethodName) => hubClassName + "/" + hubMethodName;

    private static IReadOnlyList<RoutePart> Segment(RoutePart part) => new[] { part };

    private static RoutePart Unimplemented(string parameter) =>
        RoutePart.Parameter(parameter, new[] { UnimplementedConstraint }, defaultValue: null, isOptional: false, isCatchAll: false, encodesSlashes: false);

    private static IReadOnlyList<IReadOnlyList<RoutePart>> Append(IReadOnlyList<IReadOnlyList<RoutePart>> hub, string literal)
    {
        var segments = new List<IReadOnlyList<RoutePart>>(hub.Count + 1);
        segments.AddRange(hub);
        segments.Add(Segment(RoutePart.Literal(literal)));
        return segments;
    }
}
