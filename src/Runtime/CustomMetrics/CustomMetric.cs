using Instrumentation.Instruments;
using Instrumentation.Naming;

namespace Instrumentation.CustomMetrics;

/// <summary>What a custom metric measures.</summary>
internal enum CustomMetricKind
{
    /// <summary>A count that only grows.</summary>
    Counter,

    /// <summary>A value that is set, or moved up and down.</summary>
    Gauge,

    /// <summary>A distribution over declared bucket bounds.</summary>
    Histogram,
}

/// <summary>
/// One declared custom metric and its cells. A series is one tag slot (a declared value, or <c>other</c>) of one route
/// (per-route metrics) or of the application. Each route's cells are one <c>long[]</c> with every tag slot in it,
/// created once, the first time the route records; application-wide cells exist from the declaration. Recording reads
/// the current route, indexes two arrays and does one interlocked operation: no lookup, no lock, no allocation.
/// </summary>
internal sealed class CustomMetric
{
    private readonly Lock gate = new();

    // Indexed by RouteInstruments.Index; grown (copied) under the gate, so a recorder may hold a stale outer array
    // but always the same inner cells.
    private long[]?[] byRoute = [];
    private RouteInstruments?[] routes = [];

    // Application-wide metrics: every recording; per-route metrics: recordings outside an instrumented endpoint.
    private long[]? unrouted;

    internal CustomMetric(string name, string description, CustomMetricKind kind, bool perRoute, CustomMetricTag? tag, double[] bounds)
    {
        Name = name;
        Description = description;
        Kind = kind;
        PerRoute = perRoute;
        TagKey = tag?.Key;
        TagValues = tag is null ? [""] : [.. tag.Values, CustomMetricNames.Other];
        Bounds = bounds;
        Stride = kind == CustomMetricKind.Histogram ? bounds.Length + 2 : 1;
        if (!perRoute)
        {
            unrouted = NewCells();
        }
    }

    public string Name { get; }

    public string Description { get; }

    public CustomMetricKind Kind { get; }

    /// <summary>Whether each instrumented route (and method) has its own series.</summary>
    public bool PerRoute { get; }

    /// <summary>The declared tag's key, or null when the metric has no tag.</summary>
    public string? TagKey { get; }

    /// <summary>The declared tag values then <c>other</c>; one empty value when the metric has no tag.</summary>
    public string[] TagValues { get; }

    /// <summary>Histogram bucket upper bounds, ascending; empty for other kinds.</summary>
    public double[] Bounds { get; }

    /// <summary>Cells per tag slot: 1, or for a histogram each bucket, +Inf, then the sum's bits.</summary>
    public int Stride { get; }

    /// <summary>The slot of a tag value: its declared position, or <c>other</c>'s.</summary>
    public int SlotOf(string? value)
    {
        var last = TagValues.Length - 1;
        for (var i = 0; i < last; i++)
        {
            if (string.Equals(TagValues[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return last;
    }

    /// <summary>The cells the current recording lands in.</summary>
    public long[] Cells()
    {
        if (!PerRoute)
        {
            return unrouted!;
        }

        var route = CurrentRoute.Value;
        if (route is null)
        {
            return unrouted ?? CreateUnrouted();
        }

        var all = Volatile.Read(ref byRoute);
        var index = route.Index;
        return (uint)index < (uint)all.Length && all[index] is { } cells ? cells : Create(route);
    }

    /// <summary>Every series' cells so far, for readers: (route or null, cells).</summary>
    public List<(RouteInstruments? Route, long[] Cells)> Series()
    {
        var series = new List<(RouteInstruments?, long[])>();
        lock (gate)
        {
            if (unrouted is { } application)
            {
                series.Add((null, application));
            }

            for (var i = 0; i < byRoute.Length; i++)
            {
                if (byRoute[i] is { } cells)
                {
                    series.Add((routes[i], cells));
                }
            }
        }

        return series;
    }

    private long[] NewCells() => new long[TagValues.Length * Stride];

    private long[] CreateUnrouted()
    {
        lock (gate)
        {
            return unrouted ??= NewCells();
        }
    }

    private long[] Create(RouteInstruments route)
    {
        lock (gate)
        {
            var index = route.Index;
            if (index >= byRoute.Length)
            {
                var size = Math.Max(index + 1, byRoute.Length * 2);
                var grownRoutes = new RouteInstruments?[size];
                routes.CopyTo(grownRoutes, 0);
                routes = grownRoutes;
                var grown = new long[]?[size];
                byRoute.CopyTo(grown, 0);
                Volatile.Write(ref byRoute, grown);
            }

            if (byRoute[index] is { } existing)
            {
                return existing;
            }

            routes[index] = route;
            var cells = NewCells();
            Volatile.Write(ref byRoute[index], cells);
            return cells;
        }
    }
}
