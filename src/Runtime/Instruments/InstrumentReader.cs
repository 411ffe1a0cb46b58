namespace Instrumentation.Instruments;

/// <summary>
/// One sink's view of the instruments: cumulative values, and deltas since this reader's previous
/// <see cref="Read"/>. Each sink owns a reader, so sinks read independently. Not thread-safe: one reporting loop
/// per reader.
/// </summary>
internal sealed class InstrumentReader
{
    private readonly InstrumentRegistry registry;
    private readonly Dictionary<StatusInstruments, Previous> previous = new(ReferenceEqualityComparer.Instance);
    private long previousCompleted;
    private long previousErrors;

    internal InstrumentReader(InstrumentRegistry registry) => this.registry = registry;

    /// <summary>
    /// Reads every series. A value recorded while reading lands in this read's delta or the next one, never both,
    /// so deltas add up exactly to the cumulative values.
    /// </summary>
    public InstrumentReading Read()
    {
        var routes = new List<RouteReading>();
        foreach (var route in registry.Routes)
        {
            var series = new List<SeriesReading>();
            foreach (var status in route.Statuses)
            {
                previous.TryGetValue(status, out var before);
                var latency = status.Latency.Snapshot();
                var cpu = status.CpuTime?.Snapshot();
                var bytes = status.ResponseBytes;
                series.Add(new SeriesReading(
                    status,
                    latency,
                    latency.Minus(before.Latency ?? HistogramSnapshot.Empty),
                    cpu,
                    cpu?.Minus(before.Cpu ?? HistogramSnapshot.Empty),
                    bytes,
                    bytes - before.Bytes));
                previous[status] = new Previous(latency, cpu, bytes);
            }

            routes.Add(new RouteReading(route, route.InFlight, series));
        }

        var application = registry.Application;
        var completed = application.Completed;
        var errors = application.Errors;
        var reading = new InstrumentReading(
            routes, application.InFlight, completed, completed - previousCompleted, errors, errors - previousErrors);
        previousCompleted = completed;
        previousErrors = errors;
        return reading;
    }

    private readonly record struct Previous(HistogramSnapshot? Latency, HistogramSnapshot? Cpu, long Bytes);
}

/// <summary>Everything one read saw.</summary>
/// <param name="Routes">Per route and method.</param>
/// <param name="InFlight">Application-wide requests in flight.</param>
/// <param name="Completed">Application-wide completed requests, cumulative.</param>
/// <param name="CompletedDelta">Completed since this reader's previous read.</param>
/// <param name="Errors">Application-wide error requests, cumulative.</param>
/// <param name="ErrorsDelta">Errors since this reader's previous read.</param>
internal sealed record InstrumentReading(
    IReadOnlyList<RouteReading> Routes, long InFlight, long Completed, long CompletedDelta, long Errors, long ErrorsDelta);

/// <summary>One (route, method) as read.</summary>
internal sealed record RouteReading(RouteInstruments Route, long InFlight, IReadOnlyList<SeriesReading> Series);

/// <summary>One (route, method, status) series as read.</summary>
/// <param name="Series">The live series.</param>
/// <param name="Latency">Cumulative latency, nanoseconds; its count is the cumulative request count.</param>
/// <param name="LatencyInterval">Latency recorded since this reader's previous read.</param>
/// <param name="CpuTime">Cumulative CPU time, nanoseconds, when measured.</param>
/// <param name="CpuTimeInterval">CPU time recorded since the previous read, when measured.</param>
/// <param name="ResponseBytes">Cumulative response bytes.</param>
/// <param name="ResponseBytesDelta">Response bytes since the previous read.</param>
internal sealed record SeriesReading(
    StatusInstruments Series,
    HistogramSnapshot Latency,
    HistogramSnapshot LatencyInterval,
    HistogramSnapshot? CpuTime,
    HistogramSnapshot? CpuTimeInterval,
    long ResponseBytes,
    long ResponseBytesDelta)
{
    /// <summary>Cumulative request count.</summary>
    public long Count => Latency.Count;

    /// <summary>Requests since the previous read.</summary>
    public long CountDelta => LatencyInterval.Count;
}
