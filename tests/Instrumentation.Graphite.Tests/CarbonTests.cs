using System.Net;

namespace Instrumentation.Graphite.Tests;

/// <summary>The sample reporting to a real carbon-cache; what carbon stored is read back from its whisper files.</summary>
public class CarbonTests : IClassFixture<CarbonFixture>
{
    private static readonly string[] TimingSuffixes = ["pt", "pt.total", "pt.p50", "pt.p95", "pt.p99", "pt.max"];
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly CarbonFixture carbon;

    public CarbonTests(CarbonFixture carbon) => this.carbon = carbon;

    [Fact]
    public async Task Carbon_stores_every_request_once_under_flask_graphite_names()
    {
        var sent = new Expected();
        await Send(sent, HttpMethod.Get, "/style/1/make", 5, HttpStatusCode.OK, "style.id.make");
        await Send(sent, HttpMethod.Get, "/style/7/stock", 3, HttpStatusCode.OK, "style.id.stock");
        await Send(sent, HttpMethod.Get, "/style/missing/stock", 2, HttpStatusCode.NotFound, "style.id.stock");
        await Send(sent, HttpMethod.Get, "/api/Delivery/carrier", 4, HttpStatusCode.BadGateway, "api.Delivery.carrier");
        await Send(sent, HttpMethod.Get, "/catalog/12", 3, HttpStatusCode.OK, "catalog.sku");
        await Send(sent, HttpMethod.Get, "/catalog/abc", 2, HttpStatusCode.NotFound, "unmatched");
        await Send(sent, HttpMethod.Get, "/no/such/page", 3, HttpStatusCode.NotFound, "unmatched");
        await Send(sent, HttpMethod.Post, "/style/3/order", 2, HttpStatusCode.Accepted, "style.id.order");
        await Send(sent, HttpMethod.Post, "/catalog/refresh", 1, HttpStatusCode.InternalServerError, "catalog.refresh");

        // Carbon writes each metric's file on its own schedule: poll until everything checks out, then report what does not.
        Assert.Empty(await Settled(() => StoredProblems(sent)));
        Assert.True(await carbon.Sum($"{CarbonFixture.Stem}.style.id.make.size") > 0, "response bytes of style.id.make");

        // A declared route without traffic reports zero requests every interval and no timings.
        var idle = await carbon.Fetch($"{CarbonFixture.Stem}.style.id.price.count");
        Assert.NotEmpty(idle);
        Assert.All(idle, point => Assert.Equal(0, point.Value));
        Assert.False(carbon.Exists($"{CarbonFixture.Stem}.style.id.price.pt"));
        Assert.Equal(0, carbon.Reporter.DroppedPoints);
    }

    [Fact]
    public async Task Processing_time_and_size_are_stored_in_flask_graphite_units()
    {
        const string route = "legacy.LegacyOrders.Details.id";
        const int requests = 4;
        const int bodyBytes = 8; // {"id":7}
        using (var warmUp = await carbon.Server.Client.GetAsync("/legacy/LegacyOrders/Index"))
        {
            // MVC's first request compiles a lot; it should not stretch a timed one.
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        }

        for (var i = 0; i < requests; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/legacy/LegacyOrders/Details/7");
            request.Headers.Add(Instrumentation.TestSupport.DelayedActions.Header, "200");
            using var response = await carbon.Server.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(bodyBytes, (await response.Content.ReadAsByteArrayAsync()).Length);
        }

        var name = $"{CarbonFixture.Stem}.{route}";
        Assert.Empty(await Settled(async () =>
        {
            var problems = new List<string>();
            var count = await carbon.Sum($"{name}.count");
            var sizeTotal = await carbon.Sum($"{name}.size.total");
            var ptTotal = await carbon.Sum($"{name}.pt.total");
            if (count != requests || sizeTotal != requests * bodyBytes || ptTotal < requests * 0.195)
            {
                problems.Add($"stored count {count}, size.total {sizeTotal}, pt.total {ptTotal}");
            }

            return problems;
        }));

        // pt: a mean in seconds. A request that waits 200 ms gives at least 0.195; in milliseconds it would read at least
        // 195, so the upper bound only has to stay below that (a loaded CI machine has taken over a second for one
        // such request; none can outlast the wait above). size: a mean in bytes per response.
        var pt = await carbon.Fetch($"{name}.pt");
        Assert.NotEmpty(pt);
        Assert.All(pt, point => Assert.InRange(point.Value, 0.195, Patience.TotalSeconds));
        var size = await carbon.Fetch($"{name}.size");
        Assert.NotEmpty(size);
        Assert.All(size, point => Assert.Equal(bodyBytes, point.Value));
        Assert.All(await carbon.Fetch($"{name}.pt.max"), point => Assert.InRange(point.Value, 0.195, Patience.TotalSeconds));
    }

    private async Task<List<string>> StoredProblems(Expected sent)
    {
        var problems = new List<string>();
        async Task Expect(string metric, double expected)
        {
            var stored = await carbon.Sum(metric);
            if (stored != expected)
            {
                problems.Add($"{metric}: stored {stored}, sent {expected}");
            }
        }

        foreach (var (route, statuses) in sent.Routes)
        {
            var name = $"{CarbonFixture.Stem}.{route}";
            await Expect($"{name}.count", statuses.Values.Sum());
            foreach (var (status, count) in statuses)
            {
                await Expect($"{name}.status_code.{status}", count);
            }

            foreach (var type in statuses.GroupBy(s => s.Key / 100))
            {
                await Expect($"{name}.status_type.{type.Key}XX", type.Sum(s => s.Value));
            }

            foreach (var size in new[] { "size", "size.total" })
            {
                if (!carbon.Exists($"{name}.{size}"))
                {
                    problems.Add($"{name}.{size} missing");
                }
            }

            // Timings exist exactly for the intervals with requests, are positive, and the median is within the maximum.
            var busy = (await carbon.Fetch($"{name}.count")).Where(p => p.Value > 0).Select(p => p.Timestamp).ToList();
            var timings = new Dictionary<string, Dictionary<long, double>>();
            foreach (var suffix in TimingSuffixes)
            {
                timings[suffix] = (await carbon.Fetch($"{name}.{suffix}")).ToDictionary(p => p.Timestamp, p => p.Value);
                if (!timings[suffix].Keys.Order().SequenceEqual(busy))
                {
                    problems.Add($"{name}.{suffix} at [{string.Join(", ", timings[suffix].Keys.Order())}], requests at [{string.Join(", ", busy)}]");
                }

                problems.AddRange(timings[suffix].Where(p => p.Value <= 0).Select(p => $"{name}.{suffix} = {p.Value} at {p.Key}"));
            }

            foreach (var (timestamp, median) in timings["pt.p50"])
            {
                if (timings["pt.max"].TryGetValue(timestamp, out var max) && median > max)
                {
                    problems.Add($"{name}: p50 {median} > max {max} at {timestamp}");
                }
            }
        }

        return problems;
    }

    [Fact]
    public async Task Intervals_reported_while_carbon_is_down_arrive_later_with_their_own_timestamps()
    {
        var reporter = carbon.Reporter;
        await Eventually(() => Task.FromResult(reporter.SentPoints > 0), "the reporter never reached carbon");
        var droppedBefore = reporter.DroppedPoints;

        carbon.StopCarbon();
        var down = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var sent = new Expected();
        await Send(sent, HttpMethod.Get, "/catalog/files/a/b", 2, HttpStatusCode.OK, "catalog.files.path");
        await Send(sent, HttpMethod.Get, "/", 1, HttpStatusCode.OK, "root");
        await NextIntervalReported(reporter);
        await Send(sent, HttpMethod.Get, "/catalog/files/c", 2, HttpStatusCode.OK, "catalog.files.path");
        await Send(sent, HttpMethod.Get, "/", 2, HttpStatusCode.OK, "root");
        await Eventually(() => Task.FromResult(reporter.BufferedPoints > 0), "nothing was buffered while carbon was down");
        await NextIntervalReported(reporter);
        var up = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await carbon.StartCarbon();

        var times = new SortedSet<long>();
        Assert.Empty(await Settled(async () =>
        {
            times.Clear();
            var problems = await StoredProblems(sent);
            foreach (var route in sent.Routes.Keys)
            {
                foreach (var (timestamp, value) in await carbon.Fetch($"{CarbonFixture.Stem}.{route}.count"))
                {
                    if (value > 0)
                    {
                        times.Add(timestamp);
                        if (timestamp <= down || timestamp > up)
                        {
                            problems.Add($"{route}.count: {value} at {timestamp}, outside the outage ({down}, {up}]");
                        }
                    }
                }
            }

            return problems;
        }));

        Assert.True(times.Count >= 2, $"expected the outage's intervals kept apart, got timestamps {string.Join(", ", times)}");
        Assert.Equal(droppedBefore, reporter.DroppedPoints);
    }

    private async Task Send(Expected expected, HttpMethod method, string path, int times, HttpStatusCode status, string route)
    {
        for (var i = 0; i < times; i++)
        {
            using var response = await carbon.Server.Client.SendAsync(new HttpRequestMessage(method, path));
            Assert.Equal(status, response.StatusCode);
        }

        expected.Add(route, (int)status, times);
    }

    // Every interval reports every declared route, so while carbon is down the buffer grows once per interval: the
    // requests sent before this call are in an interval that has been read.
    private static Task NextIntervalReported(Instrumentation.Sinks.Graphite.GraphiteReporter reporter)
    {
        var before = reporter.BufferedPoints;
        return Eventually(() => Task.FromResult(reporter.BufferedPoints > before), "no interval was reported while carbon was down");
    }

    private static async Task<List<string>> Settled(Func<Task<List<string>>> problems)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var found = await problems();
            if (found.Count == 0 || DateTime.UtcNow > deadline)
            {
                return found;
            }

            await Task.Delay(250);
        }
    }

    private static async Task Eventually(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(failure);
            }

            await Task.Delay(250);
        }
    }

    private sealed class Expected
    {
        public Dictionary<string, Dictionary<int, int>> Routes { get; } = [];

        public void Add(string route, int status, int count)
        {
            if (!Routes.TryGetValue(route, out var statuses))
            {
                statuses = [];
                Routes[route] = statuses;
            }

            statuses[status] = statuses.GetValueOrDefault(status) + count;
        }
    }
}
