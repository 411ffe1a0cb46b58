using Instrumentation.Configuration;
using Instrumentation.Sinks.Prometheus;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Instrumentation.Sinks.Prometheus
{
    /// <summary>The scrape endpoint's request handler and content negotiation.</summary>
    internal static class MetricsEndpoint
    {
        public const string DisplayName = "Prometheus metrics";

        public static Task Handle(HttpContext context)
        {
            var exposition = context.RequestServices.GetRequiredService<PrometheusExposition>();
            if (!exposition.Options.Enabled)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            var format = Negotiate(context.Request.Headers.Accept);
            var response = context.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = format switch
            {
                ExpositionFormat.Protobuf => ProtobufExposition.ContentType,
                ExpositionFormat.OpenMetrics => PrometheusExposition.OpenMetricsContentType,
                _ => PrometheusExposition.TextContentType,
            };
            response.Headers.CacheControl = "no-store";
            response.Headers.Vary = "Accept";
            return format == ExpositionFormat.Protobuf
                ? exposition.WriteProtobufAsync(response.BodyWriter, context.RequestAborted)
                : exposition.WriteAsync(response.BodyWriter, format == ExpositionFormat.OpenMetrics, context.RequestAborted);
        }

        /// <summary>
        /// The format the Accept header ranks highest (q &gt; 0): the protobuf format (only as
        /// <c>proto=io.prometheus.client.MetricFamily; encoding=delimited</c>, the form Prometheus asks for when native
        /// histograms are on), OpenMetrics, or the text format, which also serves any range it satisfies and anything
        /// unknown or malformed. Ties go to the richer format, as Prometheus' own scrape headers expect.
        /// </summary>
        public static ExpositionFormat Negotiate(StringValues accept)
        {
            var protobuf = 0.0;
            var openMetrics = 0.0;
            var text = 0.0;
            foreach (var header in accept)
            {
                if (header is null)
                {
                    continue;
                }

                foreach (var range in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                {
                    var parameters = range.Split(';', StringSplitOptions.TrimEntries);
                    var quality = 1.0;
                    var metricFamilies = false;
                    var delimited = false;
                    foreach (var parameter in parameters.AsSpan(1))
                    {
                        if (parameter.StartsWith("q=", StringComparison.OrdinalIgnoreCase))
                        {
                            // A weight that is not a number from 0 to 1 makes the range unusable, never an error.
                            quality = double.TryParse(parameter.AsSpan(2), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var q)
                                && q is >= 0 and <= 1 ? q : 0;
                        }
                        else
                        {
                            metricFamilies |= ParameterIs(parameter, "proto", "io.prometheus.client.MetricFamily");
                            delimited |= ParameterIs(parameter, "encoding", "delimited");
                        }
                    }

                    var type = parameters[0];
                    if (type.Equals("application/vnd.google.protobuf", StringComparison.OrdinalIgnoreCase))
                    {
                        // Other protobuf messages or encodings (the protobuf text format) are not served.
                        if (metricFamilies && delimited)
                        {
                            protobuf = Math.Max(protobuf, quality);
                        }
                    }
                    else if (type.Equals("application/openmetrics-text", StringComparison.OrdinalIgnoreCase))
                    {
                        openMetrics = Math.Max(openMetrics, quality);
                    }
                    else if (type.Equals("text/plain", StringComparison.OrdinalIgnoreCase) || type is "text/*" or "*/*")
                    {
                        text = Math.Max(text, quality);
                    }
                }
            }

            if (protobuf > 0 && protobuf >= openMetrics && protobuf >= text)
            {
                return ExpositionFormat.Protobuf;
            }

            return openMetrics > 0 && openMetrics >= text ? ExpositionFormat.OpenMetrics : ExpositionFormat.Text;
        }

        private static bool ParameterIs(string parameter, string name, string value)
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            return equals > 0
                && parameter.AsSpan(0, equals).Trim().Equals(name, StringComparison.OrdinalIgnoreCase)
                && parameter.AsSpan(equals + 1).Trim().Trim('"').Equals(value, StringComparison.Ordinal);
        }

        public static void AddMetadata(IList<object> metadata, PrometheusOptions options)
        {
            metadata.Add(options.CountOwnRequests ? new InstrumentedAttribute() : new NotInstrumentedAttribute());
        }
    }

    /// <summary>The scrape formats the endpoint serves.</summary>
    internal enum ExpositionFormat
    {
        /// <summary>The text format 0.0.4, the default.</summary>
        Text,

        /// <summary>OpenMetrics 1.0 text.</summary>
        OpenMetrics,

        /// <summary>Length-delimited <c>io.prometheus.client.MetricFamily</c> protobuf messages, with native histograms.</summary>
        Protobuf,
    }

    /// <summary>Whether the application mapped the endpoint itself, so the automatic one stands down.</summary>
    internal sealed class MetricsEndpointState
    {
        private readonly Lock gate = new();
        private CancellationTokenSource changed = new();

        public bool MappedByUser { get; private set; }

        public IChangeToken ChangeToken
        {
            get
            {
                lock (gate)
                {
                    return new CancellationChangeToken(changed.Token);
                }
            }
        }

        public void MarkMappedByUser()
        {
            CancellationTokenSource previous;
            lock (gate)
            {
                if (MappedByUser)
                {
                    return;
                }

                MappedByUser = true;
                previous = changed;

                // A fresh token for whoever subscribes next: a token that has already fired would fire again at once.
                changed = new CancellationTokenSource();
            }

            previous.Cancel();
        }
    }

    /// <summary>
    /// The automatic scrape endpoint, decided when routing first reads it: absent when the application called
    /// <c>MapInstrumentationMetrics()</c>, so the path is never mapped twice.
    /// </summary>
    internal sealed class MetricsEndpointDataSource : EndpointDataSource
    {
        private readonly MetricsEndpointState state;
        private readonly Endpoint[] automatic;

        public MetricsEndpointDataSource(MetricsEndpointState state, PrometheusOptions options)
        {
            this.state = state;
            var builder = new RouteEndpointBuilder(MetricsEndpoint.Handle, RoutePatternFactory.Parse(options.Path), order: 0)
            {
                DisplayName = MetricsEndpoint.DisplayName,
            };
            builder.Metadata.Add(new HttpMethodMetadata([HttpMethods.Get]));
            MetricsEndpoint.AddMetadata(builder.Metadata, options);
            automatic = [builder.Build()];
        }

        public override IReadOnlyList<Endpoint> Endpoints => state.MappedByUser ? [] : automatic;

        public override IChangeToken GetChangeToken() => state.ChangeToken;
    }
}

namespace Microsoft.AspNetCore.Builder
{
    /// <summary>Maps the Prometheus scrape endpoint yourself, to restrict it like any endpoint.</summary>
    public static class PrometheusEndpointRouteBuilderExtensions
    {
        /// <summary>
        /// Maps the Prometheus scrape endpoint at <paramref name="pattern"/> (default <c>Instrumentation:Prometheus:Path</c>)
        /// and returns its builder, for <c>.RequireAuthorization()</c>, <c>.RequireHost()</c> and the like.
        /// <c>UseInstrumentation()</c> then does not map it again.
        /// </summary>
        public static IEndpointConventionBuilder MapInstrumentationMetrics(this IEndpointRouteBuilder endpoints, string? pattern = null)
        {
            ArgumentNullException.ThrowIfNull(endpoints);
            var state = endpoints.ServiceProvider.GetService<MetricsEndpointState>()
                ?? throw new InvalidOperationException(
                    "MapInstrumentationMetrics() needs the instrumentation services: call builder.Services.AddInstrumentation() first.");
            var options = endpoints.ServiceProvider.GetRequiredService<IOptions<InstrumentationOptions>>().Value.Prometheus;
            state.MarkMappedByUser();
            var builder = endpoints.MapGet(pattern ?? options.Path, MetricsEndpoint.Handle).WithDisplayName(MetricsEndpoint.DisplayName);
            builder.Add(endpoint => MetricsEndpoint.AddMetadata(endpoint.Metadata, options));
            return builder;
        }
    }
}

namespace Microsoft.Extensions.DependencyInjection
{
    /// <summary>Watches dependencies for the Prometheus <c>dependency_up</c> gauge.</summary>
    public static class DependencyWatchServiceCollectionExtensions
    {
        /// <summary>
        /// Reports <c>dependency_up{name}</c> from <paramref name="check"/> (true: up), run off the request path every
        /// <paramref name="interval"/> (default <c>Instrumentation:Prometheus:DependencyIntervalSeconds</c>). A check
        /// that throws, or has not finished within <paramref name="timeout"/> (default: the interval), reads 0; it is
        /// not started again while a previous call is still running. Health checks registered with
        /// <c>AddHealthChecks()</c> are watched without this.
        /// </summary>
        public static IServiceCollection WatchDependency(
            this IServiceCollection services, string name, Func<CancellationToken, Task<bool>> check, TimeSpan? interval = null, TimeSpan? timeout = null)
        {
            ArgumentNullException.ThrowIfNull(services);
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
            ArgumentNullException.ThrowIfNull(check);
            if (interval is { } every && every < TimeSpan.FromSeconds(1))
            {
                throw new ArgumentOutOfRangeException(nameof(interval), interval, "A dependency is checked at most once a second.");
            }

            if (timeout is { } limit && limit <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be positive.");
            }

            if (services.Any(d => d.ImplementationInstance is DependencyWatch existing && existing.Name == name))
            {
                throw new ArgumentException($"The dependency '{name}' is already watched.", nameof(name));
            }

            services.AddSingleton(new DependencyWatch(name, check, interval, timeout));
            return services;
        }
    }
}
