using System.Net.Http.Json;
using Instrumentation.Prometheus.Tests;

namespace Instrumentation.EndpointKinds.Tests;

/// <summary>
/// The proof of issue 11: an application with <c>[assembly: Instrumented]</c> that maps every kind (Razor Pages,
/// components, a controller, minimal APIs, gRPC, SignalR, health checks, OpenAPI, the identity API, fallbacks and static
/// files), on Kestrel. Its build-time catalog, its runtime endpoint table and the series of <c>/metrics</c> are
/// compared; the gRPC and SignalR clients' tests are in Rpc/.
/// </summary>
[Collection(SharedKindsApp.Name)]
public sealed class EndpointKindsTests(KindsApp app)
{
    /// <summary>The deliberate exclusions, by display name: nothing else may go unmeasured.</summary>
    private static readonly string[] Excluded =
    [
        "Prometheus metrics",               // the library's own scrape endpoint
        "HTTP: GET /_kinds/endpoints",      // the test's windows on the endpoint table, the catalog, the spans: [NotInstrumented]
        "HTTP: GET /_kinds/catalog",
        "HTTP: GET /_kinds/spans",
        "HTTP: GET /api/quiet",             // .DisableHttpMetrics(), honoured as [NotInstrumented]
        "/Internal",                        // a page whose model is [NotInstrumented]
    ];

    /// <summary>
    /// What a library maps through calls the generator cannot follow: Blazor's own redirection endpoint, which
    /// MapRazorComponents adds. Named at startup and listed in the log. (The identity API's endpoints are known to the
    /// generator from its list of them; this test proves that list against the live table.)
    /// </summary>
    private static readonly string[] KnownOnlyAtStartup = ["Blazor Opaque Redirection"];

    [Fact]
    public async Task Every_endpoint_but_the_deliberate_exclusions_is_instrumented()
    {
        var endpoints = await app.Endpoints();
        Assert.True(endpoints.Count > 50, $"only {endpoints.Count} endpoints: the static assets are missing");
        Assert.Equal(Excluded.Order(StringComparer.Ordinal), endpoints.Where(e => !e.Instrumented).Select(e => e.DisplayName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_endpoint_the_generator_could_see_came_from_the_build_time_catalog()
    {
        // Binding happened at startup, before the app answered: the log is complete. Each endpoint named at startup is
        // logged once, and the summary lists them all.
        await app.Endpoints();
        var named = app.Log.Split('\n')
            .Where(line => line.Contains("was not in the build-time catalog", StringComparison.Ordinal))
            .Select(line => line.Trim())
            .ToList();
        Assert.Equal(KnownOnlyAtStartup.Length, named.Count);
        foreach (var endpoint in KnownOnlyAtStartup)
        {
            Assert.Single(named, line => line.StartsWith("Endpoint " + endpoint + " (", StringComparison.Ordinal));
        }

        var summary = Assert.Single(app.Log.Split('\n'), line => line.Contains("were instrumented without being known at build time", StringComparison.Ordinal));
        Assert.All(KnownOnlyAtStartup, endpoint => Assert.Contains(endpoint, summary, StringComparison.Ordinal));
        Assert.DoesNotContain(named, line => line.Contains("(identity)", StringComparison.Ordinal));
        Assert.Equal(10, (await app.Endpoints()).Count(endpoint => endpoint.Pattern.StartsWith("/account/", StringComparison.Ordinal) && endpoint.Instrumented));
    }

    [Fact]
    public async Task Each_kind_is_recorded_under_its_names()
    {
        var requests = new (string Path, int Status, string Addr)[]
        {
            ("/", 200, "/"),
            ("/Index", 200, "/"),                                      // the two endpoints of Index: one page
            ("/Orders", 200, "/Orders"),
            ("/Orders/Index", 200, "/Orders"),
            ("/Orders/Details/5", 200, "/Orders/Details/{id:int}"),
            ("/Orders/Details/404", 404, "/Orders/Details/{id:int}"),
            ("/Orders/Edit/Preview", 200, "/Orders/Edit/{handler?}"),
            ("/Plain", 200, "/Plain"),
            ("/counter", 200, "/counter"),
            ("/counter/3", 200, "/counter/{start:int}"),
            ("/routed", 200, "/routed"),
            ("/healthz", 200, "/healthz"),
            ("/openapi/v1.json", 200, "/openapi/{documentName}.json"),
            ("/app/orders/7", 200, "/{fallback}"),                   // MapFallbackToFile clears the endpoint
            ("/api/missing", 404, "/{fallback}"),
            ("/css/site1.css", 200, "/{static}"),
            ("/extra/file1.txt", 200, "/{static}"),                  // UseStaticFiles: no endpoint at all
        };
        var before = await app.Metrics();
        foreach (var (path, status, _) in requests)
        {
            using var response = await app.Client.GetAsync(path);
            Assert.True((int)response.StatusCode == status, $"{path}: {(int)response.StatusCode}");
        }

        using (var login = await app.Client.PostAsJsonAsync("/account/login", new { email = "nobody@example.com", password = "x" }))
        {
            Assert.Equal(401, (int)login.StatusCode);
        }

        var after = await app.Metrics();
        foreach (var group in requests.Select(r => (r.Status, r.Addr, Method: "GET")).Append((Status: 401, Addr: "/account/login", Method: "POST")).GroupBy(r => r))
        {
            var added = Count(after, group.Key.Addr, group.Key.Method, group.Key.Status) - Count(before, group.Key.Addr, group.Key.Method, group.Key.Status);
            Assert.True(added == group.Count(), $"{group.Key}: {added} requests recorded, {group.Count()} sent");
        }

        // The deliberate exclusions are served, and leave no series.
        Assert.Equal(200, (int)(await app.Client.GetAsync("/Internal")).StatusCode);
        Assert.Equal("quiet", await app.Client.GetStringAsync("/api/quiet"));
        var addrs = (await app.Metrics()).Where(s => s.Labels.ContainsKey("addr")).Select(s => s["addr"]).ToHashSet();
        Assert.DoesNotContain("/Internal", addrs);
        Assert.DoesNotContain("/api/quiet", addrs);
        Assert.DoesNotContain("/Index", addrs);
    }

    [Fact]
    public async Task Static_files_add_a_fixed_number_of_series_whatever_their_number()
    {
        await app.Client.GetStringAsync("/extra/file0.txt");
        await app.Client.GetStringAsync("/css/site2.css");
        var first = await app.Metrics();

        for (var i = 1; i < KindsApp.ExtraFileCount; i++)
        {
            await app.Client.GetStringAsync($"/extra/file{i}.txt");
        }

        foreach (var asset in new[] { "/css/site3.css", "/css/site4.css", "/js/app.js", "/index.html" })
        {
            await app.Client.GetStringAsync(asset);
        }

        var all = await app.Metrics();
        Assert.Equal(SeriesOf(first), SeriesOf(all));
        // A file's name has a dot; so do the gRPC service's declared methods (/greet.Greeter/SayHello), which are not files.
        Assert.DoesNotContain(all, s => s.Labels.TryGetValue("addr", out var addr) && (addr.Contains('.') && !addr.Contains('{')) && !addr.StartsWith("/greet.Greeter/", StringComparison.Ordinal));
        Assert.True(Count(all, "/{static}", "GET", 200) - Count(first, "/{static}", "GET", 200) >= KindsApp.ExtraFileCount - 1 + 4);
    }

    [Fact]
    public async Task Fallbacks_to_a_page_or_a_controller_are_the_one_fallback_series_whatever_they_serve()
    {
        // After the first request, other paths, pages and actions add no series: one fallback series whatever they serve.
        Assert.True((await app.Client.GetAsync("/old-pages/a")).IsSuccessStatusCode);
        var before = await app.Metrics();
        foreach (var path in new[] { "/old-pages/b/c", "/legacy/x", "/legacy/y/z" })
        {
            using var response = await app.Client.GetAsync(path);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode}");
        }

        // The controller throws for this one: the exception handler clears the endpoint to answer.
        using (var failed = await app.Client.GetAsync("/legacy/boom"))
        {
            Assert.Equal(500, (int)failed.StatusCode);
        }

        var after = await app.Metrics();
        Assert.Equal(3, Count(after, "/{fallback}", "GET", 200) - Count(before, "/{fallback}", "GET", 200));
        Assert.Equal(1, Count(after, "/{fallback}", "GET", 500) - Count(before, "/{fallback}", "GET", 500));

        // Neither the paths nor unmatched have a series; the page served (routable as /Moved too) counted nothing.
        Assert.Equal(Count(before, "/{unmatched}", "GET", 500), Count(after, "/{unmatched}", "GET", 500));
        Assert.Equal(Count(before, "/{unmatched}", "GET", 200), Count(after, "/{unmatched}", "GET", 200));
        Assert.Equal(0, Count(after, "/Moved", "GET", 200));
        var addrs = after.Where(s => s.Labels.ContainsKey("addr")).Select(s => s["addr"]).ToHashSet();
        Assert.DoesNotContain(addrs, addr => addr.StartsWith("/old-pages", StringComparison.Ordinal) || addr.StartsWith("/legacy", StringComparison.Ordinal));
        Assert.Equal(
            SeriesOf(before).Where(series => series.Contains("addr=/{fallback}", StringComparison.Ordinal) && series.Contains("status=200", StringComparison.Ordinal)),
            SeriesOf(after).Where(series => series.Contains("addr=/{fallback}", StringComparison.Ordinal) && series.Contains("status=200", StringComparison.Ordinal)));
    }

    private static double Count(IReadOnlyList<Sample> samples, string addr, string method, int status) =>
        samples.Where(s => s.Name == "request_seconds_count" && s["addr"] == addr && s["method"] == method
                && s["status"] == status.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Sum(s => s.Number);

    /// <summary>Every series (name and labels, without the value): what a scrape costs Prometheus.</summary>
    private static List<string> SeriesOf(IReadOnlyList<Sample> samples) =>
        samples.Select(s => s.Name + "{" + string.Join(",", s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}")
            .Order(StringComparer.Ordinal)
            .ToList();
}
