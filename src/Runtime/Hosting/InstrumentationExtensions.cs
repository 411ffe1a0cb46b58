using Instrumentation.Configuration;
using Instrumentation.Hosting;
using Instrumentation.Instruments;
using Instrumentation.Sinks.Graphite;
using Instrumentation.Sinks.Prometheus;
using Instrumentation.Sinks.Wavefront;
using Instrumentation.Tracing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// Conventional for ASP.NET Core: the registration methods live where users already have a using.
namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>Registers the instrumentation services.</summary>
    public static class InstrumentationServiceCollectionExtensions
    {
        /// <summary>
        /// Adds instrumentation: binds and validates the <c>Instrumentation</c> configuration section at startup, and
        /// registers the instruments and the sinks the section turns on.
        /// </summary>
        public static IServiceCollection AddInstrumentation(this IServiceCollection services, Action<InstrumentationOptions>? configure = null)
        {
            ArgumentNullException.ThrowIfNull(services);
            var options = services.AddOptions<InstrumentationOptions>()
                .BindConfiguration(InstrumentationOptions.SectionName, binder => binder.ErrorOnUnknownConfiguration = true)
                .ValidateOnStart();
            if (configure is not null)
            {
                options.Configure(configure);
            }

            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InstrumentationOptions>, InstrumentationOptionsValidator>());
            services.TryAddSingleton(provider =>
            {
                var settings = provider.GetRequiredService<IOptions<InstrumentationOptions>>().Value;
                var minimum = settings.ErrorStatusCodeMinimum;
                var rule = new ErrorRule(settings.IsError ?? (status => status >= minimum));
                // CPU time costs two thread-clock reads per request: only worth it when a sink reports cpu_ns.
                return new InstrumentRegistry(rule, settings.Wavefront.CpuTime && settings.Wavefront.IsActive)
                {
                    GrpcErrorRule = Instrumentation.Kinds.Grpc.GrpcStatusCodes.ErrorRule(settings.Grpc.NonErrorStatuses),
                };
            });
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InstrumentationOptions>, Instrumentation.Kinds.Grpc.GrpcOptionsValidator>());
            Instrumentation.Kinds.Hubs.HubFilterRegistration.Add(services);
            Instrumentation.Hosting.Kinds.DynamicEndpoints.Add(services);
            services.TryAddSingleton<EndpointBinder>();
            services.TryAddSingleton<EndpointBindingTargets>();
            services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, EndpointBindingStartupFilter>());
            // Registration order is shutdown order reversed: span export finishes before Wavefront drains.
            services.AddPrometheus().AddWavefront().AddGraphite().AddTracing();
            services.AddCustomMetricFactory();
            return services;
        }
    }
}

namespace Microsoft.AspNetCore.Builder
{
    /// <summary>Adds the instrumentation middleware.</summary>
    public static class InstrumentationApplicationBuilderExtensions
    {
        /// <summary>
        /// Measures every request. Call it early, before exception handlers, so it sees the status the client gets.
        /// The application's endpoints are bound to their instruments when the pipeline is built, wherever they are
        /// mapped.
        /// </summary>
        public static IApplicationBuilder UseInstrumentation(this IApplicationBuilder app)
        {
            ArgumentNullException.ThrowIfNull(app);
            var registry = app.ApplicationServices.GetService<InstrumentRegistry>()
                ?? throw new InvalidOperationException(
                    "UseInstrumentation() needs the instrumentation services: call builder.Services.AddInstrumentation() first.");
            app.ApplicationServices.GetRequiredService<EndpointBindingTargets>().Add(EndpointBinding.RouteBuilders(app));
            app.UsePrometheus();
            app.UseTracing();
            app.Use(next =>
            {
                // Runs when the pipeline is built, after every Map call; catches UseEndpoints-style route builders that
                // the startup filter could not see.
                EndpointBinding.Bind(app);
                var services = app.ApplicationServices;
                var options = services.GetRequiredService<IOptions<InstrumentationOptions>>().Value;
                var observer = options.Tracing.Enabled ? services.GetService<IRequestObserver>() : null;
                var exemplars = options.Prometheus is { Enabled: true, Exemplars: true };
                var semantic = options.Prometheus.ServesOpenTelemetryNames ? services.GetRequiredService<SemanticInstruments>() : null;
                return new InstrumentationMiddleware(next, registry, options.CountResponseBytes, observer, exemplars, semantic).Invoke;
            });
            return app;
        }
    }
}
