namespace Instrumentation.Instruments;

/// <summary>
/// Application-wide figures. In-flight is counted for every request; completed and errors are derived from the
/// per-route series plus a counter for requests to endpoints that are not instrumented, so an instrumented request
/// pays for no extra counter.
/// </summary>
internal sealed class ApplicationInstruments
{
    private readonly InstrumentRegistry registry;
    private long inFlight;
    private long otherCompleted;
    private long otherErrors;

    internal ApplicationInstruments(InstrumentRegistry registry) => this.registry = registry;

    /// <summary>Requests anywhere in the pipeline after the instrumentation middleware, right now.</summary>
    public long InFlight => Volatile.Read(ref inFlight);

    /// <summary>Every request that completed (success and errors), instrumented or not.</summary>
    public long Completed => NotInstrumentedCompleted + SumSeries(errorsOnly: false);

    /// <summary>Every completed request whose status counts as an error.</summary>
    public long Errors => NotInstrumentedErrors + SumSeries(errorsOnly: true);

    /// <summary>Completed requests to endpoints that are not instrumented (a reader adds the series' counts it read).</summary>
    internal long NotInstrumentedCompleted => Volatile.Read(ref otherCompleted);

    /// <summary>Error requests to endpoints that are not instrumented.</summary>
    internal long NotInstrumentedErrors => Volatile.Read(ref otherErrors);

    internal void Enter() => Interlocked.Increment(ref inFlight);

    internal void Leave() => Interlocked.Decrement(ref inFlight);

    internal void RecordNotInstrumented(bool isError)
    {
        Interlocked.Increment(ref otherCompleted);
        if (isError)
        {
            Interlocked.Increment(ref otherErrors);
        }
    }

    private long SumSeries(bool errorsOnly)
    {
        long total = 0;
        foreach (var route in registry.Routes)
        {
            foreach (var status in route.Statuses)
            {
                total += errorsOnly ? status.ErrorCount : status.Count;
            }
        }

        return total;
    }
}
