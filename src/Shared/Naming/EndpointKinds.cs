namespace Instrumentation.Naming;

/// <summary>
/// The kinds of endpoint the catalog knows, one closed set shared by the generator (which finds them), the analyzers
/// (which report the unmarked ones) and the runtime (which binds and reads them). Strings rather than an enum because
/// the generated catalog passes them to a public constructor without the runtime exposing another public type; the
/// values are what the dashboard and docs/naming.md show.
/// </summary>
internal static class EndpointKinds
{
    /// <summary>A controller action or a minimal API handler: an ordinary route with a handler method.</summary>
    public const string Route = "route";

    /// <summary>A Razor Page (<c>MapRazorPages</c>): one entry per page and handler method.</summary>
    public const string Page = "page";

    /// <summary>A routable Blazor component (<c>MapRazorComponents</c>).</summary>
    public const string Component = "component";

    /// <summary>A gRPC service method (<c>MapGrpcService</c>), or its unimplemented-method catch-all.</summary>
    public const string Grpc = "grpc";

    /// <summary>A SignalR hub's HTTP endpoints (<c>MapHub</c>): negotiate and the connection endpoint.</summary>
    public const string Hub = "hub";

    /// <summary>One hub method invocation (no HTTP endpoint of its own; found from the hub's public methods).</summary>
    public const string HubMethod = "hub_method";

    /// <summary>A health check endpoint (<c>MapHealthChecks</c>).</summary>
    public const string HealthCheck = "health";

    /// <summary>The OpenAPI document (<c>MapOpenApi</c>).</summary>
    public const string OpenApi = "openapi";

    /// <summary>An endpoint of <c>MapIdentityApi</c>.</summary>
    public const string Identity = "identity";

    /// <summary>A fallback (<c>MapFallback*</c>): one series whatever path it serves.</summary>
    public const string Fallback = "fallback";

    /// <summary>Static files (<c>MapStaticAssets</c>, <c>UseStaticFiles</c>): one series whatever the number of files.</summary>
    public const string StaticAssets = "static";
}
