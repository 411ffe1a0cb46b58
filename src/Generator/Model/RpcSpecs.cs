namespace Instrumentation.Generator.Model;

/// <summary>What maps an RPC-style endpoint set.</summary>
internal enum RpcKind
{
    /// <summary><c>MapGrpcService&lt;T&gt;()</c>: one endpoint per method of the gRPC-generated base.</summary>
    Grpc,

    /// <summary><c>MapHub&lt;T&gt;(pattern)</c>: negotiate, the connection endpoint, and the hub's methods.</summary>
    Hub,
}

/// <summary>One <c>MapGrpcService&lt;T&gt;()</c> or <c>MapHub&lt;T&gt;(pattern)</c> call and what it maps.</summary>
/// <param name="ClassName">The service or hub class (<c>GreeterService</c>, <c>ChatHub</c>).</param>
/// <param name="Route">
/// gRPC: the service's full name (<c>greet.Greeter</c>); hub: the normalized template (<c>/chat</c>). Null unless
/// <paramref name="Status"/> is resolved.
/// </param>
/// <param name="Methods">gRPC: the generated base's methods; hub: the hub's public methods.</param>
/// <param name="Choice">The class hierarchy's attributes, then the conventions chained on the call.</param>
internal sealed record RpcServiceSpec(
    RpcKind Kind,
    string ClassName,
    string? Route,
    TemplateStatus Status,
    EquatableArray<RpcMethodSpec> Methods,
    InstrumentationChoice Choice);

/// <param name="Name">The name on the wire: the gRPC method, or the hub method clients invoke.</param>
/// <param name="HandlerName">The C# method that serves it.</param>
/// <param name="Choice">The method's own attributes.</param>
internal sealed record RpcMethodSpec(string Name, string HandlerName, InstrumentationChoice Choice);
