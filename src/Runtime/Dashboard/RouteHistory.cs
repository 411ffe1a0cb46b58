using Instrumentation.Instruments;

namespace Instrumentation.Dashboard;

/// <summary>
/// One (route, method)'s share of the dashboard's history: per sample, the latency quantiles of that interval, the
/// response bytes and the request count of each status, in rings aligned with <see cref="DashboardHistory"/>'s sample
/// ring. Rings are allocated the first time the route sees traffic, so the 200 quiet routes of a large application
/// cost a few hundred bytes each, and a busy one at most <see cref="DashboardHistory.Capacity"/> samples of 16 bytes
/// per status and 20 bytes for the rest (about 40 KB with two statuses).
/// </summary>
internal sealed class RouteHistory(int id, RouteInstruments route)
{
    // Table quantiles are over the last 60-90 s: the cumulative histogram minus the oldest of three anchors taken 30 s apart.
    private const int AnchorCount = 3;
    private const long AnchorEveryMs = 30_000;

    private readonly Queue<(long At, HistogramSnapshot Latency)> anchors = new();
    private readonly Dictionary<int, int[]> countsByStatus = [];
    private readonly Dictionary<int, float[]> p95ByStatus = [];
    private readonly HashSet<int> errorStatuses = [];
    private float[]? p50;
    private float[]? p95;
    private float[]? p99;
    private long[]? bytes;
    private long lastAnchorAt;

    public int Id { get; } = id;

    public RouteInstruments Route { get; } = route;

    /// <summary>Requests since the application started.</summary>
    public long Requests => Cumulative.Count;

    public long InFlight { get; private set; }

    /// <summary>The route's latency since the application started, every status merged.</summary>
    public HistogramSnapshot Cumulative { get; private set; } = HistogramSnapshot.Empty;

    /// <summary>
    /// For a route first read after the starting read (an unmatched series appears with its first request): everything
    /// it has counted happened since <paramref name="previousSample"/>, so its latency window starts there, empty.
    /// </summary>
    public void StartEmpty(long previousSample)
    {
        anchors.Enqueue((previousSample, HistogramSnapshot.Empty));
        lastAnchorAt = previousSample;
    }

    /// <summary>When the oldest anchor was taken: the start of the latency window.</summary>
    public long LatencyWindowStart => anchors.TryPeek(out var oldest) ? oldest.At : long.MaxValue;

    /// <summary>
    /// Writes one sample at <paramref name="slot"/> (zeroes when this read did not include the route); a negative slot
    /// only takes the cumulative figures, for the first read, whose deltas span the application's whole life.
    /// </summary>
    public void Record(int slot, long now, RouteReading? reading)
    {
        var interval = HistogramSnapshot.Empty;
        var cumulative = HistogramSnapshot.Empty;
        long intervalBytes = 0;
        foreach (var series in reading?.Series ?? [])
        {
            // Most routes answer with one status: merging only when there are more saves a copy per read.
            cumulative = ReferenceEquals(cumulative, HistogramSnapshot.Empty) ? series.Latency : cumulative.Plus(series.Latency);
            if (series.CountDelta == 0)
            {
                continue;
            }

            if (slot < 0)
            {
                continue;
            }

            interval = ReferenceEquals(interval, HistogramSnapshot.Empty) ? series.LatencyInterval : interval.Plus(series.LatencyInterval);
            intervalBytes += series.ResponseBytesDelta;
            var status = series.Series.StatusCode;
            if (!countsByStatus.TryGetValue(status, out var counts))
            {
                counts = new int[DashboardHistory.Capacity];
                countsByStatus[status] = counts;
                if (series.Series.IsError)
                {
                    errorStatuses.Add(status);
                }
            }

            counts[slot] = (int)Math.Min(series.CountDelta, int.MaxValue);
            if (!p95ByStatus.TryGetValue(status, out var statusP95))
            {
                // Samples before the status first answered had no latency of it: gaps, not zeros.
                statusP95 = new float[DashboardHistory.Capacity];
                Array.Fill(statusP95, float.NaN);
                p95ByStatus[status] = statusP95;
            }

            statusP95[slot] = Milliseconds(series.LatencyInterval.Quantile(0.95));
        }

        if (reading is not null)
        {
            Cumulative = cumulative;
            InFlight = reading.InFlight;
        }

        if (interval.Count > 0 && p50 is null)
        {
            p50 = new float[DashboardHistory.Capacity];
            p95 = new float[DashboardHistory.Capacity];
            p99 = new float[DashboardHistory.Capacity];
            bytes = new long[DashboardHistory.Capacity];

            // Samples before the route's first request had no latency to show: gaps, not zeros.
            Array.Fill(p50, float.NaN);
            Array.Fill(p95, float.NaN);
            Array.Fill(p99, float.NaN);
        }

        if (p50 is not null && slot >= 0)
        {
            var empty = interval.Count == 0;
            p50[slot] = empty ? float.NaN : Milliseconds(interval.Quantile(0.50));
            p95![slot] = empty ? float.NaN : Milliseconds(interval.Quantile(0.95));
            p99![slot] = empty ? float.NaN : Milliseconds(interval.Quantile(0.99));
            bytes![slot] = intervalBytes;
        }

        foreach (var (status, counts) in countsByStatus)
        {
            if (slot >= 0 && reading?.Series.Any(s => s.Series.StatusCode == status && s.CountDelta > 0) != true)
            {
                counts[slot] = 0;
                p95ByStatus[status][slot] = float.NaN;
            }
        }

        if (anchors.Count == 0 || now - lastAnchorAt >= AnchorEveryMs)
        {
            anchors.Enqueue((now, Cumulative));
            lastAnchorAt = now;
            if (anchors.Count > AnchorCount)
            {
                anchors.Dequeue();
            }
        }
    }

    /// <summary>Requests, errors and bytes over the given slots.</summary>
    public (long Requests, long Errors, long Bytes) Sum(IEnumerable<int> slots)
    {
        long requests = 0, errors = 0, sent = 0;
        foreach (var slot in slots)
        {
            foreach (var (status, counts) in countsByStatus)
            {
                requests += counts[slot];
                if (errorStatuses.Contains(status))
                {
                    errors += counts[slot];
                }
            }

            sent += bytes?[slot] ?? 0;
        }

        return (requests, errors, sent);
    }

    /// <summary>The latency of the last 60-90 seconds, or null when there was no request in that window.</summary>
    public HistogramSnapshot? LatencyWindow() =>
        anchors.TryPeek(out var oldest) && Cumulative.Count > oldest.Latency.Count ? Cumulative.Minus(oldest.Latency) : null;

    /// <summary>The interval quantiles (ms) at a slot; null where the interval had no request.</summary>
    public (double? P50, double? P95, double? P99) QuantilesAt(int slot) =>
        p50 is null || float.IsNaN(p50[slot]) ? (null, null, null) : (p50[slot], p95![slot], p99![slot]);

    /// <summary>The interval's p95 latency (ms) of one status at a slot; null where that status had no request.</summary>
    public double? StatusP95At(int status, int slot) =>
        p95ByStatus.TryGetValue(status, out var values) && !float.IsNaN(values[slot]) ? values[slot] : null;

    /// <summary>The statuses this route has answered with, and their per-sample counts.</summary>
    public IEnumerable<(int Status, int[] Counts)> StatusCounts =>
        countsByStatus.OrderBy(pair => pair.Key).Select(pair => (pair.Key, pair.Value));

    internal static float Milliseconds(double nanoseconds) => (float)(nanoseconds / 1e6);
}
