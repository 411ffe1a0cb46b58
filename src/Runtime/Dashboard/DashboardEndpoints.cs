using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Instrumentation;
using Instrumentation.Configuration;
using Instrumentation.Dashboard;
using Instrumentation.Instruments;
using Instrumentation.Sinks.Prometheus;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Instrumentation.Dashboard
{
    /// <summary>
    /// Marks the dashboard's endpoints: they are not instrumented, and the middleware leaves them out of the application
    /// totals too, so polling the page does not show up as the application's traffic.
    /// </summary>
    internal sealed class DashboardEndpointMetadata;

    /// <summary>The dashboard's request handlers: the page, its assets, the state and one route's history.</summary>
    internal sealed class DashboardEndpoints(DashboardView view, string pattern)
    {
        // Longer than any id or window a page sends: anything beyond is not worth parsing.
        private const int MaxParameterLength = 16;

        private long ownInFlight;

        public Task Page(HttpContext context) => DashboardAssets.WritePage(context, context.Request.PathBase.Add(new PathString(pattern)).ToUriComponent());

        public Task Asset(HttpContext context) => DashboardAssets.WriteAsset(context, context.Request.RouteValues["name"] as string);

        public Task State(HttpContext context)
        {
            Interlocked.Increment(ref ownInFlight);
            try
            {
                var state = view.State(Interlocked.Read(ref ownInFlight));
                return Json(context, StatusCodes.Status200OK, state, DashboardJsonContext.Default.DashboardState);
            }
            finally
            {
                Interlocked.Decrement(ref ownInFlight);
            }
        }

        public Task RouteHistory(HttpContext context)
        {
            var window = DashboardHistory.Window;
            if (context.Request.Query.TryGetValue("minutes", out var minutes))
            {
                if (minutes.Count != 1 || minutes[0] is not { Length: <= MaxParameterLength } text
                    || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value is < 1 or > 15)
                {
                    return Error(context, StatusCodes.Status400BadRequest, "minutes must be a whole number from 1 to 15.");
                }

                window = TimeSpan.FromMinutes(value);
            }

            if (context.Request.RouteValues["id"] is not string { Length: <= MaxParameterLength } id
                || !int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var routeId)
                || view.History(routeId, window) is not { } history)
            {
                return Error(context, StatusCodes.Status404NotFound, "No route has this id.");
            }

            return Json(context, StatusCodes.Status200OK, history, DashboardJsonContext.Default.RouteHistoryView);
        }

        private static Task Error(HttpContext context, int status, string message) =>
            Json(context, status, new DashboardError(message), DashboardJsonContext.Default.DashboardError);

        private static Task Json<T>(HttpContext context, int status, T value, JsonTypeInfo<T> type)
        {
            DashboardAssets.Protect(context.Response);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json; charset=utf-8";
            return JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted);
        }
    }
}

namespace Microsoft.AspNetCore.Builder
{
    /// <summary>Maps the live dashboard.</summary>
    public static class InstrumentationDashboardEndpointRouteBuilderExtensions
    {
        /// <summary>
        /// Maps a live page of every route, its rates, errors and latency, and each sink's health at
        /// <paramref name="pattern"/>, with its JSON under <c>{pattern}/api</c>. Nothing is served unless this is called.
        /// Returns the builder of all the dashboard's endpoints, for <c>.RequireAuthorization()</c>,
        /// <c>.RequireHost()</c> or a CORS policy: in production, restrict it like any administrative page.
        /// </summary>
        public static IEndpointConventionBuilder MapInstrumentationDashboard(this IEndpointRouteBuilder endpoints, string pattern = "/instrumentation")
        {
            ArgumentNullException.ThrowIfNull(endpoints);
            ArgumentException.ThrowIfNullOrWhiteSpace(pattern);
            if (!pattern.StartsWith('/') || pattern.TrimEnd('/').Length == 0 || pattern.Contains('{', StringComparison.Ordinal) || pattern.Contains('?', StringComparison.Ordinal))
            {
                throw new ArgumentException("The dashboard's path is a literal path starting with '/', e.g. \"/instrumentation\".", nameof(pattern));
            }

            var services = endpoints.ServiceProvider;
            var registry = services.GetService<InstrumentRegistry>()
                ?? throw new InvalidOperationException(
                    "MapInstrumentationDashboard() needs the instrumentation services: call builder.Services.AddInstrumentation() first.");
            var options = services.GetRequiredService<IOptions<InstrumentationOptions>>().Value;
            var version = services.GetRequiredService<PrometheusExposition>().Version;
            var history = new DashboardHistory(registry, services.GetService<TimeProvider>() ?? TimeProvider.System);
            var view = new DashboardView(history, new SinkHealthReader(services, options), DashboardView.AppOf(options, version));
            var handlers = new DashboardEndpoints(view, pattern.TrimEnd('/'));

            var group = endpoints.MapGroup(pattern.TrimEnd('/'));
            group.WithMetadata(new NotInstrumentedAttribute(), new DashboardEndpointMetadata());
            group.MapGet("", handlers.Page).WithDisplayName("Instrumentation dashboard");
            group.MapGet("/assets/{name}", handlers.Asset).WithDisplayName("Instrumentation dashboard assets");
            group.MapGet("/api/state", handlers.State).WithDisplayName("Instrumentation dashboard state");
            group.MapGet("/api/routes/{id}", handlers.RouteHistory).WithDisplayName("Instrumentation dashboard route history");
            return group;
        }
    }
}
