using System.Collections.Immutable;

namespace Instrumentation.Instruments;

/// <summary>
/// One sink's view of the instruments: cumulative values, and deltas since this reader's previous
/// <see cref="Read"/>. Each sink owns a reader, so sinks read independently. Not thread-safe: one reporting loop
/// per reader.
/// </summary>
/// <remarks>
/// A reusing reader hands out the same reading objects every time, overwritten: a series' reading, with its snapshots
/// brought up to date in place, and its route's reading are kept from one read to the next, so a read of many series
/// allocates nothing per series and visits three objects per histogram (the live one, the cumulative snapshot and the
/// interval). Its readings are only valid until its next read: for a reporter that formats each reading before the next,
/// not for a reader that keeps readings (the dashboard's history).
/// </remarks>
internal sealed class InstrumentReader
{
    private readonly InstrumentRegistry registry;
    private readonly bool reuse;
    private readonly InstrumentTable<SeriesSlot> series = new();
    private readonly InstrumentTable<SeriesReading> reusedSeries = new();
    private readonly InstrumentTable<RouteReading> reusedRoutes = new();
    private readonly List<RouteReading> reusedRouteList = [];
    private long previousCompleted;
    private long previousErrors;

    internal InstrumentReader(InstrumentRegistry registry, bool reuse)
    {
        this.registry = registry;
        this.reuse = reuse;
    }

    /// <summary>
    /// Reads every series. A value recorded while reading lands in this read's delta or the next one, never both,
    /// so deltas add up exactly to the cumulative values.
    /// </summary>
    public InstrumentReading Read()
    {
        var routes = reuse ? reusedRouteList : [];
        routes.Clear();
        long seriesCompleted = 0;
        long seriesErrors = 0;
        foreach (var route in registry.Routes)
        {
            var reading = RouteReadingOf(route);
            var readings = reading.SeriesList;
            var statuses = route.Statuses;
            if (reuse && reading.Listed == statuses)
            {
                // The route's series are the ones listed at the last read (a route gains one rarely): read them again
                // in place, without finding each one and listing it anew.
                for (var i = 0; i < readings.Count; i++)
                {
                    var one = ReadAgain(readings[i]);
                    seriesCompleted += one.Count;
                    seriesErrors += one.Series.IsError ? one.Count : 0;
                }
            }
            else
            {
                readings.Clear();
                foreach (var status in statuses)
                {
                    var one = reuse
                        ? ReadAgain(reusedSeries.GetOrAdd(status.Index, status, SeriesReading.Reused))
                        : series.GetOrAdd(status.Index, status, static s => new SeriesSlot(s)).Read();
                    readings.Add(one);
                    seriesCompleted += one.Count;
                    seriesErrors += status.IsError ? one.Count : 0;
                }

                reading.Listed = statuses;
            }

            routes.Add(reading);
        }

        // The application's totals from the counts just read, rather than a second and third pass over every bin.
        var application = registry.Application;
        var completed = application.NotInstrumentedCompleted + seriesCompleted;
        var errors = application.NotInstrumentedErrors + seriesErrors;
        var result = new InstrumentReading(
            routes, application.InFlight, completed, completed - previousCompleted, errors, errors - previousErrors);
        previousCompleted = completed;
        previousErrors = errors;
        return result;
    }

    private RouteReading RouteReadingOf(RouteInstruments route)
    {
        if (!reuse)
        {
            return new RouteReading(route, route.InFlight, []);
        }

        var reading = reusedRoutes.GetOrAdd(route.Index, route, static r => new RouteReading(r, 0, []));
        reading.InFlight = route.InFlight;
        return reading;
    }

    // A reused reading's snapshots are brought up to date in place; its previous byte count is its own.
    private static SeriesReading ReadAgain(SeriesReading reading)
    {
        var status = reading.Series;
        status.Latency.ReadInto(reading.Latency, reading.LatencyInterval);
        reading.Count = reading.Latency.Count;
        if (status.CpuTime is { } cpuTime)
        {
            cpuTime.ReadInto(reading.CpuTime!, reading.CpuTimeInterval!);
        }

        var nowBytes = status.ResponseBytes;
        reading.ResponseBytesDelta = nowBytes - reading.ResponseBytes;
        reading.ResponseBytes = nowBytes;
        return reading;
    }

    /// <summary>What a reader that keeps its readings keeps of one series: the previous cumulative values.</summary>
    private sealed class SeriesSlot(StatusInstruments status)
    {
        private HistogramSnapshot latency = HistogramSnapshot.Empty;
        private HistogramSnapshot? cpu;
        private long bytes;

        public SeriesReading Read()
        {
            var nowLatency = status.Latency.Snapshot();
            var nowCpu = status.CpuTime?.Snapshot();
            var nowBytes = status.ResponseBytes;
            var result = new SeriesReading(
                status, nowLatency, nowLatency.Minus(latency), nowCpu, nowCpu?.Minus(cpu ?? HistogramSnapshot.Empty), nowBytes, nowBytes - bytes);
            (latency, cpu, bytes) = (nowLatency, nowCpu, nowBytes);
            return result;
        }
    }
}

/// <summary>Everything one read saw.</summary>
/// <param name="RouteList">Per route and method (indexed without an interface call by the reporters' loops).</param>
/// <param name="InFlight">Application-wide requests in flight.</param>
/// <param name="Completed">Application-wide completed requests, cumulative.</param>
/// <param name="CompletedDelta">Completed since this reader's previous read.</param>
/// <param name="Errors">Application-wide error requests, cumulative.</param>
/// <param name="ErrorsDelta">Errors since this reader's previous read.</param>
internal sealed record InstrumentReading(
    List<RouteReading> RouteList, long InFlight, long Completed, long CompletedDelta, long Errors, long ErrorsDelta)
{
    /// <summary>Per route and method.</summary>
    public IReadOnlyList<RouteReading> Routes => RouteList;
}

/// <summary>One (route, method) as read.</summary>
internal sealed class RouteReading(RouteInstruments route, long inFlight, List<SeriesReading> series)
{
    /// <summary>The live route.</summary>
    public RouteInstruments Route { get; } = route;

    /// <summary>
    /// The route's <see cref="RouteInstruments.Index"/>, kept here: a reporter that finds its state by it does not
    /// visit the route itself (at 10,000 series, one cache miss per route).
    /// </summary>
    public int Index { get; } = route.Index;

    /// <summary>Its requests in flight when read.</summary>
    public long InFlight { get; internal set; } = inFlight;

    /// <summary>Its status series.</summary>
    public IReadOnlyList<SeriesReading> Series => SeriesList;

    internal List<SeriesReading> SeriesList { get; } = series;

    /// <summary>
    /// The route's series when <see cref="SeriesList"/> was last made (a reusing reader's), compared by reference: a
    /// route that gains a series gets a new array.
    /// </summary>
    internal ImmutableArray<StatusInstruments> Listed { get; set; }
}

/// <summary>One (route, method, status) series as read.</summary>
/// <param name="series">The live series.</param>
/// <param name="latency">Cumulative latency, nanoseconds; its count is the cumulative request count.</param>
/// <param name="latencyInterval">Latency recorded since this reader's previous read.</param>
/// <param name="cpuTime">Cumulative CPU time, nanoseconds, when measured.</param>
/// <param name="cpuTimeInterval">CPU time recorded since the previous read, when measured.</param>
/// <param name="responseBytes">Cumulative response bytes.</param>
/// <param name="responseBytesDelta">Response bytes since the previous read.</param>
internal sealed class SeriesReading(
    StatusInstruments series,
    HistogramSnapshot latency,
    HistogramSnapshot latencyInterval,
    HistogramSnapshot? cpuTime,
    HistogramSnapshot? cpuTimeInterval,
    long responseBytes,
    long responseBytesDelta)
{
    /// <summary>A reading a reusing reader overwrites at each read: empty snapshots, brought up to date in place.</summary>
    internal static SeriesReading Reused(StatusInstruments series) => new(
        series,
        new HistogramSnapshot(),
        new HistogramSnapshot(),
        series.CpuTime is null ? null : new HistogramSnapshot(),
        series.CpuTime is null ? null : new HistogramSnapshot(),
        0,
        0);

    public StatusInstruments Series { get; } = series;

    /// <summary>
    /// The series' <see cref="StatusInstruments.Index"/>, kept here, as <see cref="Count"/> is: a reporter that
    /// formats a reading visits the reading and its interval, not the live series or the cumulative snapshot.
    /// </summary>
    public int Index { get; } = series.Index;

    public HistogramSnapshot Latency { get; } = latency;

    public HistogramSnapshot LatencyInterval { get; } = latencyInterval;

    public HistogramSnapshot? CpuTime { get; } = cpuTime;

    public HistogramSnapshot? CpuTimeInterval { get; } = cpuTimeInterval;

    public long ResponseBytes { get; internal set; } = responseBytes;

    public long ResponseBytesDelta { get; internal set; } = responseBytesDelta;

    /// <summary>Cumulative request count.</summary>
    public long Count { get; internal set; } = latency.Count;

    /// <summary>Requests since the previous read.</summary>
    public long CountDelta => LatencyInterval.Count;
}
