using System.Globalization;
using System.Runtime.CompilerServices;
using Instrumentation.Configuration;
using Instrumentation.Hosting;
using Instrumentation.Instruments;
using Instrumentation.Sinks.Prometheus;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;


namespace Instrumentation.Sinks
{
    internal static partial class Sinks
    {
        static partial void AddPrometheus(IServiceCollection services)
        {
            services.TryAddSingleton(provider =>
            {
                var options = provider.GetRequiredService<IOptions<InstrumentationOptions>>().Value;
                var version = PrometheusExposition.ResolveVersion(options.AppVersion, provider.GetService<IHostEnvironment>()?.ApplicationName);
                return new PrometheusExposition(
                    provider.GetRequiredService<InstrumentRegistry>(),
                    options,
                    version,
                    provider.GetRequiredService<DependencyMonitor>(),
                    provider.GetRequiredService<ILoggerFactory>().CreateLogger("Instrumentation.Prometheus"));
            });
            services.TryAddSingleton<MetricsEndpointState>();
            services.TryAddSingleton<DependencyMonitor>();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, DependencyMonitor>(provider => provider.GetRequiredService<DependencyMonitor>()));
        }

        static partial void UsePrometheus(IApplicationBuilder app)
        {
            var options = app.ApplicationServices.GetRequiredService<IOptions<InstrumentationOptions>>().Value.Prometheus;
            if (!options.Enabled)
            {
                return;
            }

            // The application's route builder: WebApplication itself, or the one UseRouting() published.
            var endpoints = EndpointBinding.RouteBuilders(app).FirstOrDefault();
            if (endpoints is not null)
            {
                // Added now, so routing sees a data source; its endpoint is decided when routing first reads it, after
                // the application had its chance to call MapInstrumentationMetrics() itself.
                endpoints.DataSources.Add(new MetricsEndpointDataSource(app.ApplicationServices.GetRequiredService<MetricsEndpointState>(), options));
            }
            else
            {
                app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger("Instrumentation.Prometheus").LogWarning(
                    "UseInstrumentation() found no route builder; map the Prometheus endpoint with endpoints.MapInstrumentationMetrics().");
            }

            app.Use(next =>
            {
                // Runs once when the pipeline is built, after every Map call: a bad [Instrumented(...)] fails the start.
                if (endpoints is not null)
                {
                    BucketLayout.ValidateEndpoints(endpoints.DataSources);
                }

                return next;
            });
        }
    }
}

namespace Instrumentation.Configuration
{
    internal sealed partial class InstrumentationOptionsValidator
    {
        static partial void ValidatePrometheus(PrometheusOptions options, List<string> failures)
        {
            const string section = InstrumentationOptions.SectionName + ":Prometheus";
            if (string.IsNullOrWhiteSpace(options.Path) || !options.Path.StartsWith('/'))
            {
                failures.Add($"{section}:Path must start with '/' (got '{options.Path}').");
            }

            if (options.DependencyIntervalSeconds < 1)
            {
                failures.Add($"{section}:DependencyIntervalSeconds must be at least 1 (got {options.DependencyIntervalSeconds.ToString(CultureInfo.InvariantCulture)}).");
            }

            if (options.Buckets is { Length: > 0 } buckets && BucketLayout.Problem(buckets) is { } problem)
            {
                failures.Add($"{section}:Buckets {problem}");
            }
        }
    }
}
