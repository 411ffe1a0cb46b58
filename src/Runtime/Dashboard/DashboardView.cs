using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Model;
using Instrumentation.Naming;

namespace Instrumentation.Dashboard;

/// <summary>
/// Turns the history into what the page shows: one row per (route, method) the build-time catalog knows, instrumented
/// or not, plus the routes named at startup, the unmatched row and the application totals.
/// </summary>
internal sealed class DashboardView(DashboardHistory history, SinkHealthReader sinks, AppInfo app)
{
    /// <summary>
    /// The diagnostic that reports an endpoint left out of the instruments, whatever maps it; the page shows it next to
    /// a greyed route so its fix is one search away (docs/diagnostics/INSTR001.md).
    /// </summary>
    public const string NotInstrumentedDiagnostic = "INSTR001";

    /// <summary>The state, sampled now; <paramref name="ownInFlight"/> is the dashboard's own requests being served.</summary>
    public DashboardState State(long ownInFlight) => history.Read(h => Build(h, ownInFlight));

    /// <summary>One route's history for its charts, or null for an unknown id.</summary>
    public RouteHistoryView? History(int id, TimeSpan window) => history.Read(h =>
    {
        if (h.Find(id) is not { } route)
        {
            return null;
        }

        var (slots, _) = h.Recent((long)window.TotalMilliseconds);
        slots.Reverse();
        var times = slots.Select(slot => h.TimeOf(slot) / 1000.0).ToArray();
        var quantiles = slots.Select(route.QuantilesAt).ToArray();
        var rates = route.StatusCounts.ToDictionary(
            pair => pair.Status == 0 ? "other" : pair.Status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            pair => slots.Select(slot => Round(pair.Counts[slot] / Math.Max(h.DurationOf(slot), 0.001))).ToArray());
        var descriptor = route.Route.Descriptor;
        return new RouteHistoryView(
            id, descriptor.Method, descriptor.Template, times,
            [.. quantiles.Select(q => Round(q.P50))], [.. quantiles.Select(q => Round(q.P95))], [.. quantiles.Select(q => Round(q.P99))],
            rates,
            route.StatusCounts.ToDictionary(
                pair => pair.Status == 0 ? "other" : pair.Status.ToString(System.Globalization.CultureInfo.InvariantCulture),
                pair => slots.Select(slot => Round(route.StatusP95At(pair.Status, slot))).ToArray()));
    });

    private DashboardState Build(DashboardHistory h, long ownInFlight)
    {
        var (slots, seconds) = h.RateWindow();
        var rows = new List<RouteRow>();
        var instrumented = new HashSet<(string Entity, string Method)>();
        var unmatched = new List<RouteHistory>();
        foreach (var route in h.Routes)
        {
            if (route.Route.Descriptor.Entity == RouteNames.UnmatchedEntity)
            {
                unmatched.Add(route);
                continue;
            }

            instrumented.Add((route.Route.Descriptor.Entity, route.Route.Descriptor.Method));
            rows.Add(Row([route], slots, seconds));
        }

        foreach (var descriptor in EndpointCatalog.Routes)
        {
            if (instrumented.Add((descriptor.Entity, descriptor.Method)))
            {
                rows.Add(new RouteRow(
                    null, descriptor.Kind, GroupOf(descriptor, controller: null), descriptor.Method, descriptor.Template, descriptor.Entity, descriptor.Handler,
                    Instrumented: false, NotInstrumentedDiagnostic, 0, null, null, null, null, null, 0, null));
            }
        }

        rows.Sort((a, b) =>
            string.CompareOrdinal(a.Kind, b.Kind) is var kind and not 0 ? kind
            : string.CompareOrdinal(a.Group, b.Group) is var group and not 0 ? group
            : string.CompareOrdinal(a.Template, b.Template) is var template and not 0 ? template
            : string.CompareOrdinal(a.Method, b.Method));

        var (requests, errors) = h.Totals(slots);
        var bytes = h.Routes.Sum(route => route.Sum(slots).Bytes);
        var totals = new RouteRow(
            null, "application", "application", "*", "all requests", "application", "", true, null,
            h.Completed,
            seconds > 0 ? Round(requests / seconds) : null,
            requests > 0 ? Round((double)errors / requests) : null,
            null, null, null,
            Math.Max(0, h.InFlight - ownInFlight),
            seconds > 0 ? Round(bytes / seconds) : null);
        var latencyWindow = h.Routes.Count == 0 ? 0 : (h.Now - h.Routes.Min(route => route.LatencyWindowStart)) / 1000.0;

        return new DashboardState(
            app, h.Now, Round(seconds), Math.Max(0, latencyWindow), totals,
            unmatched.Count == 0 ? null : Row(unmatched, slots, seconds) with { Method = "*" }, rows, sinks.Read(), sinks.Tracing());
    }

    // One (route, method), or the unmatched series of every method merged into one row (charted by its busiest).
    private static RouteRow Row(IReadOnlyList<RouteHistory> routes, List<int> slots, double seconds)
    {
        long requests = 0, errors = 0, bytes = 0, total = 0, inFlight = 0;
        HistogramSnapshot? latency = null;
        foreach (var route in routes)
        {
            var sum = route.Sum(slots);
            requests += sum.Requests;
            errors += sum.Errors;
            bytes += sum.Bytes;
            total += route.Requests;
            inFlight += route.InFlight;
            if (route.LatencyWindow() is { } window)
            {
                latency = latency?.Plus(window) ?? window;
            }
        }

        var first = routes.MaxBy(route => route.Requests)!;
        var descriptor = first.Route.Descriptor;
        return new RouteRow(
            first.Id, descriptor.Kind, GroupOf(descriptor, first.Route.Controller), descriptor.Method, descriptor.Template, descriptor.Entity, descriptor.Handler,
            Instrumented: true, null,
            total,
            seconds > 0 ? Round(requests / seconds) : null,
            requests > 0 ? Round((double)errors / requests) : null,
            Quantile(latency, 0.50), Quantile(latency, 0.95), Quantile(latency, 0.99),
            inFlight,
            seconds > 0 ? Round(bytes / seconds) : null);
    }

    /// <summary>
    /// Where a route sits within its kind on the page: a controller's actions under the controller, a page's handlers
    /// under the page, anything else under its template's first segment (a minimal API group's prefix, a gRPC service,
    /// a hub). A catalog entry the application never bound has no controller metadata: it sits under its first segment.
    /// </summary>
    internal static string GroupOf(RouteDescriptor descriptor, string? controller)
    {
        if (controller is not null)
        {
            return controller;
        }

        if (descriptor.Kind == EndpointKinds.Page && descriptor.Handler.StartsWith('/'))
        {
            var colon = descriptor.Handler.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? descriptor.Handler : descriptor.Handler[..colon];
        }

        var template = descriptor.Template;
        var end = template.IndexOf('/', 1);
        return end < 0 ? template : template[..end];
    }

    private static double? Quantile(HistogramSnapshot? latency, double q) =>
        latency is null ? null : Round(RouteHistory.Milliseconds(latency.Quantile(q)));

    private static double Round(double value) => Math.Round(value, 3);

    private static double? Round(double? value) => value is { } v ? Math.Round(v, 3) : null;

    /// <summary>The application tags and version: the four tags, the source and nothing else (never a custom tag or a credential).</summary>
    public static AppInfo AppOf(InstrumentationOptions options, string version) =>
        new(options.Application, options.Service, options.Cluster, options.Shard, options.Source, version);
}
