using System.Reflection;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Instrumentation.Hosting;

/// <summary>
/// Decides at startup, once per endpoint, whether it is instrumented, names it, and wraps its request delegate with
/// the preallocated instruments of each method it serves.
/// </summary>
internal sealed partial class EndpointBinder
{
    private static readonly string[] StandardMethods = HttpMethodIndex.Names[..HttpMethodIndex.Other];
    private readonly InstrumentRegistry registry;
    private readonly ILogger logger;

    public EndpointBinder(InstrumentRegistry registry, ILogger<EndpointBinder> logger)
    {
        this.registry = registry;
        this.logger = logger;
    }

    public Endpoint Bind(Endpoint endpoint)
    {
        if (endpoint is not RouteEndpoint route || route.RequestDelegate is not { } inner || inner.Target is InstrumentedEndpoint)
        {
            return endpoint;
        }

        var metadata = route.Metadata.GetMetadata<IInstrumentationMetadata>();
        if (!(metadata?.Enabled ?? IsAssemblyInstrumented(route)))
        {
            return endpoint;
        }

        var entity = RoutePatternNaming.Entity(route.RoutePattern);
        var template = RoutePatternNaming.Template(route.RoutePattern);
        var traced = route.Metadata.GetMetadata<ITracingMetadata>()?.Traced ?? false;
        var declared = route.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is { Count: > 0 } methods
            ? methods.Select(HttpMethodIndex.Fold).Distinct().ToArray()
            : StandardMethods;

        var byMethod = new RouteInstruments[HttpMethodIndex.Names.Length];
        foreach (var method in declared)
        {
            byMethod[HttpMethodIndex.Of(method)] = Instruments(route, entity, template, method, metadata, traced, declared: true);
        }

        // Methods the endpoint did not declare (a CORS preflight, or anything under Map) fold into one series.
        var other = byMethod[HttpMethodIndex.Other]
            ?? Instruments(route, entity, template, HttpMethodIndex.Names[HttpMethodIndex.Other], metadata, traced, declared: false);
        for (var i = 0; i < byMethod.Length; i++)
        {
            byMethod[i] ??= other;
        }

        var wrapper = new InstrumentedEndpoint(byMethod, inner);
        return new RouteEndpoint(wrapper.Invoke, route.RoutePattern, route.Order, route.Metadata, route.DisplayName);
    }

    private RouteInstruments Instruments(
        RouteEndpoint route, string entity, string template, string method, IInstrumentationMetadata? metadata, bool traced, bool declared)
    {
        var descriptor = EndpointCatalog.Find(entity, method);
        if (descriptor is null)
        {
            descriptor = new RouteDescriptor(entity, template, method, HandlerName(route, method, template));
            if (declared)
            {
                LogNamedAtStartup(logger, route.DisplayName ?? template, entity);
            }
        }

        return registry.GetOrCreate(descriptor, metadata, traced, declared);
    }

    private static bool IsAssemblyInstrumented(RouteEndpoint route) =>
        HandlerMethod(route)?.DeclaringType?.Assembly.IsDefined(typeof(InstrumentedAttribute), inherit: false) ?? false;

    private static MethodInfo? HandlerMethod(RouteEndpoint route) =>
        route.Metadata.GetMetadata<ControllerActionDescriptor>()?.MethodInfo ?? route.Metadata.GetMetadata<MethodInfo>();

    private static string HandlerName(RouteEndpoint route, string method, string template)
    {
        var name = HandlerMethod(route)?.Name;
        if (name is null)
        {
            return $"{method} {template}";
        }

        // Compiler-generated names: a local function is <Outer>g__Name|x_y, a lambda <Outer>b__x_y (no name of its own).
        var localFunction = name.IndexOf(">g__", StringComparison.Ordinal);
        if (localFunction >= 0)
        {
            var start = localFunction + 4;
            var end = name.IndexOf('|', start);
            return end > start ? name[start..end] : name[start..];
        }

        return name.Contains('<') ? $"{method} {template}" : name;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Endpoint {Endpoint} was not in the build-time catalog; named {Entity} at startup.")]
    private static partial void LogNamedAtStartup(ILogger logger, string endpoint, string entity);
}
