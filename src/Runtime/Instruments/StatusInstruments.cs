using System.Diagnostics;

namespace Instrumentation.Instruments;

/// <summary>The measurements of one (route, method, status code) series.</summary>
internal sealed class StatusInstruments
{
    private long responseBytes;

    // Null until the series' first sampled request: most series never see one.
    private ExemplarSlots? exemplars;

    internal StatusInstruments(RouteInstruments route, int statusCode, bool isError, int index)
    {
        Route = route;
        Index = index;
        StatusCode = statusCode;
        IsError = isError;
    }

    /// <summary>The route and method this series belongs to.</summary>
    public RouteInstruments Route { get; }

    /// <summary>
    /// A small number unique among the registry's series, so that readers keep their per-series state in arrays
    /// (<see cref="InstrumentTable{T}"/>).
    /// </summary>
    public int Index { get; }

    /// <summary>The HTTP status code (100-599), or 0 for a status outside that range.</summary>
    public int StatusCode { get; }

    /// <summary>Whether this status counts as an error under the configured rule.</summary>
    public bool IsError { get; }

    /// <summary>Request latency in nanoseconds; its count is the request count.</summary>
    public LogHistogram Latency { get; } = new();

    /// <summary>
    /// CPU time consumed by the request's synchronous parts, in nanoseconds, when CPU measurement is on; else null.
    /// </summary>
    public LogHistogram? CpuTime { get; internal init; }

    /// <summary>The number of requests.</summary>
    public long Count => Latency.Count;

    /// <summary>The number of error requests: all of them or none, since the error rule depends on the status.</summary>
    public long ErrorCount => IsError ? Count : 0;

    /// <summary>The response body bytes sent.</summary>
    public long ResponseBytes => Volatile.Read(ref responseBytes);

    /// <summary>
    /// Copies this series' exemplars (the latest sampled request per power of two of latency) into
    /// <paramref name="into"/>, <see cref="ExemplarSlots.Count"/> long; returns how many there are.
    /// </summary>
    internal int ReadExemplars(Exemplar[] into) => Volatile.Read(ref exemplars)?.Read(into) ?? 0;

    /// <summary>Keeps a sampled request's trace as an exemplar of this series.</summary>
    internal void RecordExemplar(long elapsedNanoseconds, ActivityTraceId traceId, ActivitySpanId spanId)
    {
        var slots = Volatile.Read(ref exemplars) ?? CreateExemplarSlots();
        slots.Write(traceId, spanId, elapsedNanoseconds, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
    }

    internal void Record(long elapsedNanoseconds, long bytes)
    {
        Latency.Record(elapsedNanoseconds);
        if (bytes > 0)
        {
            Interlocked.Add(ref responseBytes, bytes);
        }
    }

    private ExemplarSlots CreateExemplarSlots()
    {
        var created = new ExemplarSlots();
        return Interlocked.CompareExchange(ref exemplars, created, null) ?? created;
    }
}
