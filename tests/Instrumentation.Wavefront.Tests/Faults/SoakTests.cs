using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Instrumentation.TestSupport;
using Instrumentation.TestSupport.Wavefront;
using Xunit.Abstractions;

namespace Instrumentation.Wavefront.Tests.Faults;

/// <summary>
/// The soak: the sample as its own process (as it runs in production) with every sink on, Prometheus' <c>/metrics</c>
/// scraped every few seconds, Wavefront metrics, histograms and 1% of the spans to a fake proxy, Graphite to a line
/// receiver, under requests over mixed routes from eight loops on loopback. build/test.sh sends 20,000;
/// build/soak.sh a million (<c>RELIABILITY_SOAK_REQUESTS</c>). Sampled every few seconds: the process's resident memory
/// (VmRSS) and the number of series /metrics exposes. Required: after warm-up (the first quarter of the samples, at least the one
/// taken before any request) the
/// series never change, the memory grows by less than <see cref="FlatMegabytesPerMinute"/> (least-squares slope, once
/// there are enough samples to fit one), and at the end every sink counts exactly the requests sent, route by route.
/// </summary>
public sealed partial class SoakTests(ITestOutputHelper output)
{
    // Flat: at the soak's ~3,500 requests/s a leak of 24 bytes per request (the smallest object) grows by ~5 MB/min.
    private const double FlatMegabytesPerMinute = 5;
    private const int MinimumSamplesForSlope = 20;
    private const int Loops = 8;

    private static readonly int Requests =
        int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_SOAK_REQUESTS"), out var requests) && requests > 0 ? requests : 20_000;

    // Every 3 s over the soak's minutes; every second over the short version's few seconds, to have samples after warm-up.
    private static readonly TimeSpan SampleEvery = TimeSpan.FromSeconds(Requests >= 100_000 ? 3 : 1);

    // The mixed routes, each with the status it answers: the counts are checked per route.
    private static readonly (HttpMethod Method, Func<int, string> Path, HttpStatusCode Status)[] Routes =
    [
        (HttpMethod.Get, i => $"/style/{i % 97}/make", HttpStatusCode.OK),
        (HttpMethod.Get, i => $"/style/{i % 89}/price", HttpStatusCode.OK),
        (HttpMethod.Get, i => $"/style/{i % 83}/stock", HttpStatusCode.OK),
        (HttpMethod.Post, i => $"/style/{i % 79}/order?count=1&payment=card", HttpStatusCode.Accepted),
        (HttpMethod.Get, i => $"/catalog/{i % 71}", HttpStatusCode.OK),
        (HttpMethod.Get, i => $"/api/Delivery/Track/{i % 67}", HttpStatusCode.OK),
        (HttpMethod.Get, i => $"/promotions/code{i % 61}", HttpStatusCode.OK),
    ];

    [Fact]
    public async Task Soak_every_sink_on_memory_and_series_stay_flat_and_every_count_is_exact()
    {
        await using var proxy = FakeWavefrontProxy.Create();
        await using var carbon = FakeWavefrontProxy.Create(); // a plain line receiver: carbon's plaintext protocol is lines too
        var port = FreePort.Next();
        var directory = AppContext.BaseDirectory;
        var log = Path.Combine(Directory.CreateTempSubdirectory("instr-soak-").FullName, "sample.log");
        string[] arguments =
        [
            Path.Combine(directory, "ShirtShop.dll"),
            $"--urls=http://127.0.0.1:{port}",
            "--Instrumentation:Source=soakhost",
            "--Instrumentation:Wavefront:ProxyHost=127.0.0.1",
            $"--Instrumentation:Wavefront:MetricsPort={proxy.Port}",
            $"--Instrumentation:Wavefront:HistogramsPort={proxy.Port}",
            $"--Instrumentation:Wavefront:TracingPort={proxy.Port}",
            "--Instrumentation:Wavefront:ReportingIntervalSeconds=1",
            "--Instrumentation:Tracing:SamplingRate=0.01",
            "--Instrumentation:Graphite:Enabled=true",
            "--Instrumentation:Graphite:Host=127.0.0.1",
            $"--Instrumentation:Graphite:Port={carbon.Port}",
            "--Instrumentation:Graphite:Group=shop",
            "--Instrumentation:Graphite:ReportingIntervalSeconds=1",
            "--Logging:LogLevel:Default=Warning",
        ];
        using var sample = ExternalProcess.Start("dotnet", arguments, directory, log);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = Loops })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
            Timeout = TimeSpan.FromSeconds(30),
        };
        await ExternalProcess.WaitUntil(
            async () => !sample.HasExited && (await client.GetAsync("/healthz")).IsSuccessStatusCode, TimeSpan.FromSeconds(60), "the sample did not start serving");
        var pid = DotnetProcess(sample.Id);

        // Prometheus' part: /metrics scraped every few seconds, which is also where the series are counted.
        var samples = new List<(double Seconds, double ResidentMegabytes, int Series)>();
        var clock = Stopwatch.StartNew();
        var sent = 0;
        using var stopSampling = new CancellationTokenSource();
        var sampling = Task.Run(async () =>
        {
            while (!stopSampling.IsCancellationRequested)
            {
                var series = CountSeries(await client.GetStringAsync("/metrics"));
                lock (samples)
                {
                    samples.Add((clock.Elapsed.TotalSeconds, ResidentMegabytes(pid), series));
                }

                await Task.Delay(SampleEvery, stopSampling.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        });

        var expected = new long[Routes.Length];
        await Task.WhenAll(Enumerable.Range(0, Loops).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref sent) is var n && n <= Requests)
            {
                var route = n % Routes.Length;
                var (method, path, status) = Routes[route];
                using var request = new HttpRequestMessage(method, path(n));
                using var response = await client.SendAsync(request);
                Assert.Equal(status, response.StatusCode);
                Interlocked.Increment(ref expected[route]);
            }
        })));
        var loadTook = clock.Elapsed;
        await stopSampling.CancelAsync();
        await sampling;

        // Prometheus counts, read before the stop (the process serves them).
        var exposition = await client.GetStringAsync("/metrics");
        sample.Stop(grace: TimeSpan.FromSeconds(30)); // SIGTERM: every push sink makes its final report and drains
        await proxy.WaitForSendersToCloseAsync(TimeSpan.FromSeconds(10));
        await carbon.WaitForSendersToCloseAsync(TimeSpan.FromSeconds(10));

        var prometheus = PrometheusCounts(exposition);
        var cumulative = WavefrontCounts(proxy.Lines, CumulativeCount(), (a, b) => Math.Max(a, b));
        // The delta counters of the routes only (the application's overall completed and errors have them too), and the
        // routes Graphite saw requests on (it reports every declared route, idle ones with a zero count).
        var deltas = WavefrontCounts(proxy.Lines, DeltaCount(), (a, b) => a + b).Where(d => cumulative.ContainsKey(d.Key)).ToDictionary();
        var graphite = GraphiteCounts(carbon.Lines).Where(g => g.Value > 0).ToDictionary();

        var total = expected.Sum();
        var steady = samples.Skip(Math.Max(1, samples.Count / 4)).ToList(); // the first is taken before any request
        Assert.True(steady.Count >= 2, $"{samples.Count} samples: the memory and the series were not sampled after warm-up");
        var slope = Slope(steady);
        output.WriteLine(FormattableString.Invariant(
            $"requests {total} in {loadTook.TotalSeconds:F0} s ({total / loadTook.TotalSeconds:F0}/s), {Loops} loops, {samples.Count} samples every {SampleEvery.TotalSeconds} s"));
        output.WriteLine("   t (s) | VmRSS (MB) | series");
        foreach (var (seconds, megabytes, series) in samples)
        {
            output.WriteLine(FormattableString.Invariant($"{seconds,8:F0} | {megabytes,10:F1} | {series,6}"));
        }

        output.WriteLine(FormattableString.Invariant(
            $"after warm-up: VmRSS {steady.Min(s => s.ResidentMegabytes):F1}-{steady.Max(s => s.ResidentMegabytes):F1} MB, slope {slope:F2} MB/min; series {steady.Min(s => s.Series)}-{steady.Max(s => s.Series)}"));
        output.WriteLine($"counts: sent {total}, Prometheus {prometheus.Values.Sum()}, Wavefront cumulative {cumulative.Values.Sum()}, Wavefront deltas {deltas.Values.Sum()}, Graphite {graphite.Values.Sum()}");
        foreach (var (name, count) in cumulative.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  wavefront {name}: cumulative {count}, deltas {deltas.GetValueOrDefault(name)}");
        }

        foreach (var (name, count) in graphite.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"  graphite {name}: {count}");
        }

        Assert.Equal(steady.Min(s => s.Series), steady.Max(s => s.Series));
        if (steady.Count >= MinimumSamplesForSlope)
        {
            Assert.True(slope < FlatMegabytesPerMinute, $"resident memory grew by {slope:F2} MB/min after warm-up");
        }

        // Route by route, in the order sent: every sink counts every request, once.
        var perRoute = expected.Order().ToList();
        Assert.Equal(perRoute, prometheus.Values.Order().ToList());
        Assert.Equal(perRoute, cumulative.Values.Order().ToList());
        Assert.Equal(perRoute, deltas.Values.Order().ToList());
        Assert.Equal(perRoute, graphite.Values.Order().ToList());
    }

    // A Prometheus scrape's series: every sample line (comments and blank lines are not series).
    private static int CountSeries(string exposition) =>
        exposition.Split('\n').Count(line => line.Length > 0 && line[0] != '#');

    private static Dictionary<string, long> PrometheusCounts(string exposition)
    {
        var counts = new Dictionary<string, long>();
        foreach (Match match in PrometheusCount().Matches(exposition))
        {
            if (match.Groups["addr"].Value == "/metrics")
            {
                continue; // the scrapes themselves, counted like any request
            }

            var key = match.Groups["method"].Value + " " + match.Groups["addr"].Value;
            counts[key] = counts.GetValueOrDefault(key) + long.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
        }

        return counts;
    }

    private static Dictionary<string, long> WavefrontCounts(IEnumerable<string> lines, Regex pattern, Func<long, long, long> combine)
    {
        var counts = new Dictionary<string, long>();
        foreach (var line in lines)
        {
            if (pattern.Match(line) is { Success: true } match)
            {
                var value = (long)double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
                var route = match.Groups["route"].Value;
                counts[route] = counts.TryGetValue(route, out var seen) ? combine(seen, value) : value;
            }
        }

        return counts;
    }

    private static Dictionary<string, long> GraphiteCounts(IEnumerable<string> lines)
    {
        var counts = new Dictionary<string, long>();
        foreach (var line in lines)
        {
            if (GraphiteCount().Match(line) is { Success: true } match)
            {
                var route = match.Groups["route"].Value;
                counts[route] = counts.GetValueOrDefault(route) + (long)double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return counts;
    }

    // Least squares, megabytes per minute.
    private static double Slope(List<(double Seconds, double ResidentMegabytes, int Series)> points)
    {
        if (points.Count < 2)
        {
            return 0;
        }

        var meanT = points.Average(p => p.Seconds);
        var meanM = points.Average(p => p.ResidentMegabytes);
        var covariance = points.Sum(p => (p.Seconds - meanT) * (p.ResidentMegabytes - meanM));
        var variance = points.Sum(p => (p.Seconds - meanT) * (p.Seconds - meanT));
        return variance == 0 ? 0 : covariance / variance * 60;
    }

    private static double ResidentMegabytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        throw new InvalidOperationException($"no VmRSS for process {pid}");
    }

    // The started process execs into dotnet through setsid and sh; should setsid have forked, dotnet is its child.
    private static int DotnetProcess(int pid)
    {
        for (var depth = 0; depth < 3; depth++)
        {
            if (File.ReadAllText($"/proc/{pid}/comm").Trim() == "dotnet")
            {
                return pid;
            }

            var children = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries);
            pid = int.Parse(children.Single(), CultureInfo.InvariantCulture);
        }

        throw new InvalidOperationException("the sample's dotnet process was not found");
    }

    // Label values may hold braces (addr="/style/{id}/make"): the labels are found by lookahead within the line.
    [GeneratedRegex(@"^request_seconds_count\{(?=[^\n]*?method=""(?<method>[^""]*)"")(?=[^\n]*?addr=""(?<addr>[^""]*)"")[^\n]*\} (?<value>\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex PrometheusCount();

    [GeneratedRegex(@"^""aspnetcore\.response\.(?<route>.+)\.cumulative\.count"" (?<value>\S+) ")]
    private static partial Regex CumulativeCount();

    [GeneratedRegex(@"^""\u2206aspnetcore\.response\.(?<route>.+)\.aggregated_per_shard\.count"" (?<value>\S+) ")]
    private static partial Regex DeltaCount();

    [GeneratedRegex(@"^soakhost\.shop\.(?<route>.+)\.count (?<value>\S+) ")]
    private static partial Regex GraphiteCount();
}
