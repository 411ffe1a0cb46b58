using System.Diagnostics;

namespace Instrumentation.Instruments;

/// <summary>The measurements of one (route, method, status code) series.</summary>
public sealed class StatusInstruments
{
    private long responseBytes;

    // Mutated in place: a field, never copied.
    private LatestExemplar latestExemplar;

    internal StatusInstruments(RouteInstruments route, int statusCode, bool isError)
    {
        Route = route;
        StatusCode = statusCode;
        IsError = isError;
    }

    /// <summary>The route and method this series belongs to.</summary>
    public RouteInstruments Route { get; }

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

    /// <summary>The trace of this series' latest sampled request; false before one was recorded.</summary>
    internal bool TryReadExemplar(out Exemplar exemplar) => latestExemplar.TryRead(out exemplar);

    /// <summary>Keeps a sampled request's trace as this series' exemplar; the latest writer wins.</summary>
    internal void RecordExemplar(long elapsedNanoseconds, ActivityTraceId traceId, ActivitySpanId spanId) =>
        latestExemplar.Write(traceId, spanId, elapsedNanoseconds, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

    internal void Record(long elapsedNanoseconds, long bytes)
    {
        Latency.Record(elapsedNanoseconds);
        if (bytes > 0)
        {
            Interlocked.Add(ref responseBytes, bytes);
        }
    }
}
