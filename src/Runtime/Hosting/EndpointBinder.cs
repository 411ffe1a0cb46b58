using System.Reflection;
using Instrumentation.Instruments;
using Instrumentation.Kinds;
using Instrumentation.Kinds.Grpc;
using Instrumentation.Kinds.Hubs;
using Instrumentation.Model;
using Instrumentation.Naming;
using Instrumentation.Tracing;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Instrumentation.Hosting.Kinds;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Hosting;

/// <summary>
/// Decides at startup, once per endpoint, whether it is instrumented, finds its names in the build-time catalog (or,
/// for an endpoint the generator could not see, names it by the same rules and says so once), and wraps its request
/// delegate with the preallocated instruments of each method it serves.
/// </summary>
internal sealed partial class EndpointBinder
{
    private readonly InstrumentRegistry registry;
    private readonly ILogger logger;
    private readonly GrpcCatchAllChoices grpcCatchAlls = new();

    // Data sources are read more than once (routing, our own binding, endpoint changes): say each thing once.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> reported = new(StringComparer.Ordinal);

    private readonly System.Collections.Concurrent.ConcurrentQueue<string> namedAtStartupEndpoints = new();
    private readonly Lazy<Assembly?> application;
    private int summarized;

    public EndpointBinder(InstrumentRegistry registry, ILogger<EndpointBinder> logger, IHostEnvironment? environment = null)
    {
        this.registry = registry;
        this.logger = logger;
        application = new Lazy<Assembly?>(() => ApplicationAssembly(environment?.ApplicationName));
    }

    public Endpoint Bind(Endpoint endpoint)
    {
        if (endpoint is not RouteEndpoint route || route.RequestDelegate is not { } inner || inner.Target is InstrumentedEndpoint)
        {
            return endpoint;
        }

        var kind = EndpointKindRules.Of(route);
        var metadata = EndpointKindRules.Choice(route.Metadata);
        var parts = RoutePatternParts.Of(route.RoutePattern);
        var grpcCatchAll = kind == EndpointKinds.Grpc && KindOfEndpoint.IsGrpcCatchAll(route);
        if (!(grpcCatchAll ? grpcCatchAlls.CoversCatchAll(parts) : metadata?.Enabled ?? IsAssemblyInstrumented(route, kind)))
        {
            return endpoint;
        }

        if (kind == EndpointKinds.Grpc && !grpcCatchAll)
        {
            grpcCatchAlls.MethodInstrumented(parts);
        }

        var template = EndpointKindRules.CatalogTemplate(route, kind, RouteNames.Template(parts));
        if (kind == EndpointKinds.Hub && KindOfEndpoint.IsHubConnection(route))
        {
            // Its requests last as long as their connections: the hub filter measures those instead.
            registry.Hubs.Register(KindOfEndpoint.HubType(route)!, parts, metadata);
            return new RouteEndpoint(new HubConnectionEndpoint(inner).Invoke, route.RoutePattern, route.Order, route.Metadata, route.DisplayName);
        }

        var traced = route.Metadata.GetMetadata<ITracingMetadata>()?.Traced ?? false;
        var declared = route.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods
            ? methods.Select(HttpMethodNames.Fold).Distinct().ToArray()
            : KindOfEndpoint.ImpliedMethods(route, kind) ?? HttpMethodNames.Standard;

        var byMethod = new RouteInstruments[HttpMethodIndex.Count];
        var namedAtStartup = false;
        foreach (var method in declared)
        {
            var descriptor = EndpointCatalog.Find(template, method);
            if (descriptor is null)
            {
                descriptor = new RouteDescriptor(EndpointKindRules.Names(route, kind, template, parts, method));
                namedAtStartup = true;
            }

            byMethod[HttpMethodIndex.Of(method)] = registry.GetOrCreate(descriptor, metadata, traced, declared: true);
        }

        if (namedAtStartup && reported.TryAdd(route.DisplayName ?? template, true))
        {
            namedAtStartupEndpoints.Enqueue(route.DisplayName ?? template);
            LogNamedAtStartup(logger, route.DisplayName ?? template, kind, byMethod.First(instruments => instruments is not null).Descriptor.Template);
        }

        // Methods the endpoint did not declare (a CORS preflight, or anything under Map) fold into one series.
        var other = byMethod[HttpMethodIndex.Other] ?? registry.GetOrCreate(
            EndpointCatalog.Find(template, HttpMethodNames.Other)
                ?? new RouteDescriptor(EndpointKindRules.Names(route, kind, template, parts, HttpMethodNames.Other)),
            metadata,
            traced,
            declared: false);
        for (var i = 0; i < byMethod.Length; i++)
        {
            byMethod[i] ??= other;
        }

        // ASP.NET Core's own http.route (what its hosting meter tags), so the OpenTelemetry names join with it.
        var httpRoute = route.Metadata.GetMetadata<IRouteDiagnosticsMetadata>()?.Route ?? route.RoutePattern.RawText;
        var tracedAttributes = TracedProperty.ForEndpoint(route.Metadata, route.DisplayName ?? template);
        var controller = route.Metadata.GetMetadata<Microsoft.AspNetCore.Mvc.Controllers.ControllerActionDescriptor>()?.ControllerName;
        foreach (var instruments in byMethod)
        {
            instruments.HttpRoute ??= string.IsNullOrEmpty(httpRoute) ? "/" : httpRoute;
            instruments.Controller ??= controller;
            if (tracedAttributes.Length > 0)
            {
                instruments.TracedAttributes = tracedAttributes;
            }
        }

        var wrapper = new InstrumentedEndpoint(byMethod, inner, registry);
        var bound = new RouteEndpoint(wrapper.Invoke, route.RoutePattern, route.Order, route.Metadata, route.DisplayName);
        if (EndpointKindRules.MayClearEndpoint(kind))
        {
            wrapper.RestoreWhenCleared = bound;
        }

        return bound;
    }

    /// <summary>
    /// Says, in one line, every endpoint instrumented so far without being known at build time (endpoints a library
    /// maps, patterns from configuration): INSTR001 could not have reported them. Only when that list grew.
    /// </summary>
    public void SummarizeNamedAtStartup()
    {
        var named = namedAtStartupEndpoints.ToArray();
        if (named.Length > 0 && Interlocked.Exchange(ref summarized, named.Length) != named.Length)
        {
            LogSummary(logger, named.Length, string.Join(", ", named));
        }
    }

    private bool IsAssemblyInstrumented(RouteEndpoint route, string kind) =>
        EndpointKindRules.Owner(route, kind, application.Value)?.IsDefined(typeof(InstrumentedAttribute), inherit: false) ?? false;

    // The application's own assembly: its [assembly: Instrumented] covers what frameworks and libraries map for it.
    private static Assembly? ApplicationAssembly(string? name) =>
        name is null ? null : AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(assembly => assembly.GetName().Name == name);

    // Information, once per endpoint: an endpoint the build could not see (a pattern from configuration, one a library
    // maps) is measured all the same, but INSTR001 could not have reported it, so startup says so.
    [LoggerMessage(Level = LogLevel.Information, Message = "Endpoint {Endpoint} ({Kind}) was not in the build-time catalog; instrumented as {Template}, named at startup.")]
    private static partial void LogNamedAtStartup(ILogger logger, string endpoint, string kind, string template);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} endpoint(s) were instrumented without being known at build time: {Endpoints}.")]
    private static partial void LogSummary(ILogger logger, int count, string endpoints);
}
