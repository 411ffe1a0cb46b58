using System.Diagnostics;
using Instrumentation.Configuration;
using Instrumentation.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Instrumentation.Tracing;

/// <summary>Registers tracing: the request tracer, the span exporter and the configured trace-context propagator.</summary>
internal static class TracingSink
{
    public static IServiceCollection AddTracing(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InstrumentationOptions>, TracingOptionsValidator>());
        services.TryAddSingleton<RequestTracer>();
        services.TryAddSingleton<IRequestObserver>(s => s.GetRequiredService<RequestTracer>().Spans);
        services.TryAddSingleton<RouteMeter>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, SpanExporter>());

        // Hosting reads incoming trace context with the DI propagator. Tracing replaces it with one that speaks the
        // configured formats; with tracing off, the registration that was there (hosting's default) stays in effect.
        var previous = services.LastOrDefault(d => d.ServiceType == typeof(DistributedContextPropagator) && !d.IsKeyedService);
        if (previous?.ImplementationFactory?.Target is TracingPropagatorFactory)
        {
            return services;
        }

        var factory = new TracingPropagatorFactory(previous);
        services.Replace(ServiceDescriptor.Singleton<DistributedContextPropagator>(factory.Create));
        return services;
    }

    /// <summary>Starts the request tracer and installs the propagator process-wide, when tracing is enabled.</summary>
    public static void UseTracing(this IApplicationBuilder app)
    {
        var services = app.ApplicationServices;
        services.GetRequiredService<RouteMeter>();
        if (!services.GetRequiredService<IOptions<InstrumentationOptions>>().Value.Tracing.Enabled)
        {
            return;
        }

        // Creating the tracer starts its Activity listener when spans are exported: from the first request on, hosting
        // creates request Activities. When nothing exports them, only requests that bring context get one.
        var tracer = services.GetRequiredService<RequestTracer>();
        var propagator = services.GetRequiredService<DistributedContextPropagator>();
        var passThrough = !tracer.Exporting && propagator is TraceContextPropagator ours && services.GetService<DiagnosticListener>() is { } hosting
            ? new ContextPassThrough(hosting, ours)
            : null;

        // HttpClient handlers take DistributedContextPropagator.Current when they are created: set it before any is.
        var before = DistributedContextPropagator.Current;
        DistributedContextPropagator.Current = propagator;
        services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() =>
        {
            passThrough?.Dispose();
            if (ReferenceEquals(DistributedContextPropagator.Current, propagator))
            {
                DistributedContextPropagator.Current = before;
            }
        });
    }

    private sealed class TracingPropagatorFactory(ServiceDescriptor? previous)
    {
        public DistributedContextPropagator Create(IServiceProvider services)
        {
            var tracing = services.GetRequiredService<IOptions<InstrumentationOptions>>().Value.Tracing;
            if (tracing.Enabled)
            {
                return new TraceContextPropagator(tracing.EffectivePropagation);
            }

            return previous switch
            {
                { ImplementationInstance: DistributedContextPropagator instance } => instance,
                { ImplementationFactory: { } create } => (DistributedContextPropagator)create(services),
                { ImplementationType: { } type } => (DistributedContextPropagator)ActivatorUtilities.CreateInstance(services, type),
                _ => DistributedContextPropagator.Current,
            };
        }
    }
}
