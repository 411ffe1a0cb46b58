using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Instrumentation.Model;

namespace Instrumentation.EndpointKinds.App;

/// <summary>
/// What the proof reads from outside the process, each endpoint a deliberate exclusion: the runtime endpoint table, the
/// build-time catalog, and the spans an in-process listener recorded (as OpenTelemetry's SDK would), when
/// <c>Kinds:RecordSpans</c> asks for them.
/// </summary>
internal static class TestWindow
{
    // The sources an OpenTelemetry user adds: ASP.NET Core's request spans, and this library's hub method spans.
    private static readonly string[] SpanSources = ["Microsoft.AspNetCore", "Instrumentation.SignalR"];

    public static void MapTestWindow(this WebApplication app)
    {
        var spans = new ConcurrentQueue<SpanRow>();
        if (app.Configuration.GetValue<bool>("Kinds:RecordSpans"))
        {
            ActivitySource.AddActivityListener(new ActivityListener
            {
                ShouldListenTo = source => SpanSources.Contains(source.Name),
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
                ActivityStopped = span => spans.Enqueue(new SpanRow(
                    span.Source.Name,
                    span.DisplayName,
                    span.Status.ToString(),
                    span.TagObjects.GroupBy(tag => tag.Key).ToDictionary(tag => tag.Key, tag => tag.Last().Value))),
            });
        }

        app.MapGet("/_kinds/endpoints", [NotInstrumented] (EndpointDataSource endpoints) => Results.Text(
            JsonSerializer.Serialize(endpoints.Endpoints.OfType<RouteEndpoint>().Select(endpoint => new EndpointRow(
                endpoint.DisplayName ?? "",
                endpoint.RoutePattern.RawText ?? "",
                endpoint.RequestDelegate?.Target?.GetType().Name ?? ""))),
            "application/json"));

        app.MapGet("/_kinds/catalog", [NotInstrumented] () => Results.Text(
            JsonSerializer.Serialize(EndpointCatalog.Routes.Select(route => new CatalogRow(route.Entity, route.Template, route.Method, route.Handler, route.Kind))),
            "application/json"));

        app.MapGet("/_kinds/spans", [NotInstrumented] () => Results.Text(JsonSerializer.Serialize(spans.ToArray()), "application/json"));
    }

    /// <param name="Binding">The type of the endpoint's request delegate target: the instrumentation's wrapper when it is bound.</param>
    private sealed record EndpointRow(string DisplayName, string Pattern, string Binding);

    private sealed record CatalogRow(string Entity, string Template, string Method, string Handler, string Kind);

    private sealed record SpanRow(string SourceName, string DisplayName, string Status, Dictionary<string, object?> Tags);
}
