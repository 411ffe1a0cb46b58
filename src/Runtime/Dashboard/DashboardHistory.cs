using Instrumentation.Instruments;

namespace Instrumentation.Dashboard;

/// <summary>
/// The dashboard as a reader of the instruments, like any sink: its own <see cref="InstrumentReader"/> and a ring of
/// the last 15 minutes of samples. There is no background loop: the page's poll takes a sample when the previous one is
/// at least a second old, so with no page open nothing runs and nothing grows. A gap in polling becomes one long
/// sample (its duration is kept, so rates stay right) or, past 15 minutes, drops out of the window.
/// </summary>
internal sealed class DashboardHistory(InstrumentRegistry registry, TimeProvider time)
{
    /// <summary>Samples kept: 15 minutes at the fastest sampling, one a second.</summary>
    public const int Capacity = 900;

    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private const long MinIntervalMs = 1_000;
    private const long RateWindowMs = 10_000;

    private readonly Lock gate = new();
    private readonly long[] times = new long[Capacity];
    private readonly double[] durations = new double[Capacity];
    private readonly long[] completed = new long[Capacity];
    private readonly long[] errors = new long[Capacity];
    private readonly Dictionary<RouteInstruments, RouteHistory> routes = new(ReferenceEqualityComparer.Instance);
    private readonly List<RouteHistory> byId = [];
    private InstrumentReader? reader;
    private long lastSample;
    private int head;
    private int count;

    /// <summary>Application-wide requests in flight at the last sample.</summary>
    public long InFlight { get; private set; }

    /// <summary>Application-wide completed requests at the last sample, the dashboard's own left out.</summary>
    public long Completed { get; private set; }

    /// <summary>The time of the latest sample, Unix milliseconds.</summary>
    public long Now { get; private set; }

    public IReadOnlyCollection<RouteHistory> Routes => byId;

    /// <summary>Samples if the last sample is old enough, then builds <paramref name="view"/> from a consistent history.</summary>
    public T Read<T>(Func<DashboardHistory, T> view)
    {
        lock (gate)
        {
            Sample(time.GetUtcNow().ToUnixTimeMilliseconds());
            return view(this);
        }
    }

    /// <summary>The history of an id, or null when no route has it.</summary>
    public RouteHistory? Find(int id) => (uint)id < (uint)byId.Count ? byId[id] : null;

    /// <summary>The history of a route, or null when it has not been read yet.</summary>
    public RouteHistory? Find(RouteInstruments route) => routes.GetValueOrDefault(route);

    /// <summary>The slots inside the last <paramref name="ms"/> milliseconds, newest first, and the seconds they cover.</summary>
    public (List<int> Slots, double Seconds) Recent(long ms)
    {
        var slots = new List<int>();
        var seconds = 0.0;
        for (var i = 1; i <= count; i++)
        {
            var slot = (head - i + Capacity) % Capacity;
            if (times[slot] <= Now - ms)
            {
                break;
            }

            slots.Add(slot);
            seconds += durations[slot];
        }

        return (slots, seconds);
    }

    /// <summary>The window the table's rates are over.</summary>
    public (List<int> Slots, double Seconds) RateWindow() => Recent(RateWindowMs);

    /// <summary>Application-wide requests and errors over the given slots.</summary>
    public (long Requests, long Errors) Totals(IEnumerable<int> slots)
    {
        long requests = 0, failed = 0;
        foreach (var slot in slots)
        {
            requests += completed[slot];
            failed += errors[slot];
        }

        return (requests, failed);
    }

    /// <summary>The sample time of a slot, Unix milliseconds.</summary>
    public long TimeOf(int slot) => times[slot];

    /// <summary>The duration of a slot's sample, seconds.</summary>
    public double DurationOf(int slot) => durations[slot];

    private void Sample(long now)
    {
        if (reader is not null && now - lastSample < MinIntervalMs)
        {
            return;
        }

        // The first read's deltas span the application's life so far: it only sets the starting point.
        var first = reader is null;
        reader ??= registry.CreateReader();
        var reading = reader.Read();
        var slot = first ? -1 : head;
        if (!first)
        {
            times[slot] = now;
            durations[slot] = (now - lastSample) / 1000.0;
            completed[slot] = reading.CompletedDelta;
            errors[slot] = reading.ErrorsDelta;
            head = (head + 1) % Capacity;
            count = Math.Min(count + 1, Capacity);
        }

        var seen = new HashSet<RouteHistory>(ReferenceEqualityComparer.Instance);
        foreach (var route in reading.Routes)
        {
            if (!routes.TryGetValue(route.Route, out var history))
            {
                history = new RouteHistory(byId.Count, route.Route);
                if (!first)
                {
                    history.StartEmpty(lastSample);
                }

                routes[route.Route] = history;
                byId.Add(history);
            }

            history.Record(slot, now, route);
            seen.Add(history);
        }

        foreach (var history in byId)
        {
            if (!seen.Contains(history))
            {
                history.Record(slot, now, reading: null);
            }
        }

        InFlight = reading.InFlight;
        Completed = reading.Completed;
        lastSample = now;
        Now = now;
    }
}
