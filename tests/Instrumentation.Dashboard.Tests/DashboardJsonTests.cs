using System.Net;
using System.Text.Json.Nodes;
using Instrumentation.Model;
using Instrumentation.TestSupport;

namespace Instrumentation.Dashboard.Tests;

/// <summary>The dashboard's JSON endpoint on the sample, served by Kestrel, read without a browser.</summary>
public class DashboardJsonTests
{
    [Fact]
    public async Task Every_catalog_route_is_listed_and_the_ones_not_instrumented_name_the_diagnostic()
    {
        await using var server = SampleServer.Start();
        var state = await DashboardApi.State(server.Client);

        var listed = DashboardApi.Routes(state).Select(r => ((string)r["method"]!, (string)r["template"]!)).ToHashSet();
        var catalog = EndpointCatalog.Routes.Where(r => r.Template != "/{unmatched}").Select(r => (r.Method, r.Template)).ToList();
        Assert.NotEmpty(catalog);
        Assert.All(catalog, route => Assert.Contains(route, listed));

        var healthz = DashboardApi.Route(state, "GET", "/healthz");
        Assert.False((bool)healthz["instrumented"]!);
        Assert.Equal("INSTR001", (string?)healthz["diagnostic"]);
        Assert.Null(healthz["id"]);

        var make = DashboardApi.Route(state, "GET", "/style/{id}/make");
        Assert.True((bool)make["instrumented"]!);
        Assert.Null(make["diagnostic"]);
        Assert.Equal("route", (string?)make["kind"]);
        Assert.NotNull(make["id"]);

        // Grouped within their kind: a controller's actions under the controller, a minimal API group under its prefix.
        Assert.Equal("Style", (string?)make["group"]);
        Assert.Equal("/catalog", (string?)DashboardApi.Route(state, "GET", "/catalog/{sku:int}")["group"]);
        Assert.DoesNotContain(DashboardApi.Routes(state), r => ((string)r["template"]!).StartsWith(DashboardApi.Path, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Counts_and_error_ratios_match_what_was_sent_and_the_dashboards_own_requests_are_not_counted()
    {
        await using var server = SampleServer.Start();
        await DashboardApi.State(server.Client); // The first read is the starting point, as when a page opens.

        await DashboardApi.Send(server.Client, HttpMethod.Get, "/style/3/make", 12);
        await DashboardApi.Send(server.Client, HttpMethod.Post, "/catalog/refresh", 4);
        await DashboardApi.Send(server.Client, HttpMethod.Get, "/no/such/page", 5);

        var state = await DashboardApi.WaitFor(
            server.Client,
            s => (long)DashboardApi.Route(s, "GET", "/style/{id}/make")["requests"]! == 12
                && (long)DashboardApi.Route(s, "POST", "/catalog/refresh")["requests"]! == 4
                && s["unmatched"] is JsonObject unmatched && (long)unmatched["requests"]! == 5,
            "12 makes, 4 refreshes and 5 unmatched requests");

        var make = DashboardApi.Route(state, "GET", "/style/{id}/make");
        Assert.Equal(0.0, (double)make["errorRatio"]!);
        Assert.True((double)make["rate"]! > 0);
        Assert.True((double)make["p50"]! > 0);
        Assert.True((double)make["p99"]! >= (double)make["p50"]!);
        Assert.Equal(1.0, (double)DashboardApi.Route(state, "POST", "/catalog/refresh")["errorRatio"]!);
        Assert.Equal(1.0, (double)state["unmatched"]!["errorRatio"]!);
        Assert.Equal(0L, (long)DashboardApi.Route(state, "GET", "/catalog")["requests"]!);

        // Dozens of polls by now, yet the application's totals hold exactly the 21 requests sent.
        for (var i = 0; i < 5; i++)
        {
            await DashboardApi.State(server.Client);
        }

        state = await DashboardApi.State(server.Client);
        Assert.Equal(21L, (long)state["totals"]!["requests"]!);
        Assert.Equal(0L, (long)state["totals"]!["inFlight"]!);
    }

    [Fact]
    public async Task A_routes_history_has_its_latency_and_rate_by_status_for_the_charts()
    {
        await using var server = SampleServer.Start();
        await DashboardApi.State(server.Client);
        await DashboardApi.Send(server.Client, HttpMethod.Get, "/catalog/7", 6);
        var state = await DashboardApi.WaitFor(
            server.Client, s => (long)DashboardApi.Route(s, "GET", "/catalog/{sku:int}")["requests"]! == 6, "6 catalog requests");
        var id = (int)DashboardApi.Route(state, "GET", "/catalog/{sku:int}")["id"]!;

        using var response = await server.Client.GetAsync($"{DashboardApi.Path}/api/routes/{id}?minutes=15");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var history = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        var times = history["times"]!.AsArray();
        Assert.NotEmpty(times);
        Assert.Equal(times.Count, history["p50"]!.AsArray().Count);
        Assert.Equal(times.Count, history["p99"]!.AsArray().Count);
        var ok = history["rates"]!["200"]!.AsArray();
        Assert.Equal(times.Count, ok.Count);
        Assert.Contains(ok, rate => (double)rate! > 0);
        Assert.Contains(history["p95"]!.AsArray(), q => q is not null && (double)q > 0);
        var okLatency = history["p95ByStatus"]!["200"]!.AsArray();
        Assert.Equal(times.Count, okLatency.Count);
        Assert.Contains(okLatency, q => q is not null && (double)q > 0);
    }

    [Fact]
    public async Task A_routes_latency_is_split_by_status_each_with_gaps_where_it_had_no_request()
    {
        await using var server = SampleServer.Start();
        await DashboardApi.State(server.Client);
        await DashboardApi.Send(server.Client, HttpMethod.Get, "/style/31337/stock", 3);
        await DashboardApi.Send(server.Client, HttpMethod.Get, "/style/missing/stock", 2);
        var state = await DashboardApi.WaitFor(
            server.Client, s => (long)DashboardApi.Route(s, "GET", "/style/{id}/stock")["requests"]! == 5, "5 stock requests");
        var id = (int)DashboardApi.Route(state, "GET", "/style/{id}/stock")["id"]!;

        var history = JsonNode.Parse(await server.Client.GetStringAsync($"{DashboardApi.Path}/api/routes/{id}?minutes=15"))!.AsObject();
        var byStatus = history["p95ByStatus"]!.AsObject();
        Assert.Equal(["200", "404"], byStatus.Select(pair => pair.Key).Order());
        foreach (var (status, values) in byStatus)
        {
            var samples = values!.AsArray();
            Assert.Equal(history["times"]!.AsArray().Count, samples.Count);
            Assert.Contains(samples, q => q is not null && (double)q > 0);
            // A sample where the status had no request is a gap, never a zero latency.
            Assert.All(samples, q => Assert.True(q is null || (double)q > 0, $"{status}: {q}"));
        }
    }

    [Theory]
    [InlineData("/api/routes/99999", HttpStatusCode.NotFound)]
    [InlineData("/api/routes/-1", HttpStatusCode.NotFound)]
    [InlineData("/api/routes/abc", HttpStatusCode.NotFound)]
    [InlineData("/api/routes/1.5", HttpStatusCode.NotFound)]
    [InlineData("/api/routes/99999999999999999999999999999999", HttpStatusCode.NotFound)]
    [InlineData("/api/routes/0?minutes=0", HttpStatusCode.BadRequest)]
    [InlineData("/api/routes/0?minutes=16", HttpStatusCode.BadRequest)]
    [InlineData("/api/routes/0?minutes=abc", HttpStatusCode.BadRequest)]
    [InlineData("/api/routes/0?minutes=1e3", HttpStatusCode.BadRequest)]
    [InlineData("/api/routes/0?minutes=-5", HttpStatusCode.BadRequest)]
    [InlineData("/api/routes/0?minutes=1&minutes=2", HttpStatusCode.BadRequest)]
    [InlineData("/api/routes/0?minutes=99999999999999999999999999999", HttpStatusCode.BadRequest)]
    [InlineData("/assets/..%2Fappsettings.json", HttpStatusCode.NotFound)]
    [InlineData("/assets/nothing.js", HttpStatusCode.NotFound)]
    public async Task Bad_input_gets_a_400_or_404_never_an_exception(string path, HttpStatusCode expected)
    {
        await using var server = SampleServer.Start();
        await DashboardApi.State(server.Client);
        using var response = await server.Client.GetAsync(DashboardApi.Path + path);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task A_huge_query_string_is_refused_and_the_dashboard_keeps_serving()
    {
        await using var server = SampleServer.Start();
        await DashboardApi.State(server.Client);
        using var response = await server.Client.GetAsync($"{DashboardApi.Path}/api/routes/0?minutes={new string('9', 6000)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("minutes must be a whole number from 1 to 15.", (string?)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["error"]);
        await DashboardApi.State(server.Client);
    }

    [Fact]
    public async Task Every_response_forbids_caching_and_inline_script()
    {
        await using var server = SampleServer.Start();
        foreach (var path in new[] { "", "/assets/dashboard.js", "/assets/uPlot.iife.min.js", "/assets/uPlot.LICENSE", "/api/state" })
        {
            using var response = await server.Client.GetAsync(DashboardApi.Path + path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-eval", policy, StringComparison.Ordinal);
        }

        var page = await server.Client.GetStringAsync(DashboardApi.Path);
        Assert.Matches("<script defer src=\"/instrumentation/assets/dashboard.js\"></script>", page);
        Assert.DoesNotMatch("<script(?![^>]*\\ssrc=)[^>]*>", page);
        Assert.Contains("MIT", await server.Client.GetStringAsync(DashboardApi.Path + "/assets/uPlot.LICENSE"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_and_its_json_show_the_application_tags_and_never_a_token()
    {
        const string token = "dashboard-secret-token-5f3a9c";
        await using var server = SampleServer.Start(new Dictionary<string, string?>
        {
            ["Instrumentation:Wavefront:Server"] = $"https://127.0.0.1:{FreePort.Next()}",
            ["Instrumentation:Wavefront:Token"] = token,
            ["Instrumentation:Wavefront:ReportingIntervalSeconds"] = "1",
        });
        await DashboardApi.Send(server.Client, HttpMethod.Get, "/style/1/make", 3);
        var state = await DashboardApi.WaitFor(
            server.Client, s => (string?)DashboardApi.Sink(s, "wavefront")["state"] == "disconnected", "Wavefront disconnected");

        Assert.Equal("Ordering", (string?)state["app"]!["application"]);
        Assert.Equal("styling", (string?)state["app"]!["service"]);
        Assert.Equal("us-west-1", (string?)state["app"]!["cluster"]);
        Assert.Equal("1.4.2", (string?)state["app"]!["version"]);
        var everything = state.ToJsonString() + await server.Client.GetStringAsync(DashboardApi.Path)
            + await server.Client.GetStringAsync(DashboardApi.Path + "/assets/dashboard.js");
        Assert.DoesNotContain(token, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("token", state.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_sink_shows_disconnected_while_its_server_is_down_and_connected_once_it_is_up()
    {
        var port = FreePort.Next();
        await using var server = SampleServer.Start(new Dictionary<string, string?>
        {
            ["Instrumentation:Graphite:Enabled"] = "true",
            ["Instrumentation:Graphite:Host"] = "127.0.0.1",
            ["Instrumentation:Graphite:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Instrumentation:Graphite:ReportingIntervalSeconds"] = "1",
        });
        await DashboardApi.Send(server.Client, HttpMethod.Get, "/style/1/make", 2);
        var down = await DashboardApi.WaitFor(
            server.Client, s => (string?)DashboardApi.Sink(s, "graphite")["state"] == "disconnected", "Graphite disconnected");
        Assert.Null(DashboardApi.Sink(down, "graphite")["lastSuccess"]);
        Assert.True((long)DashboardApi.Sink(down, "graphite")["buffered"]! > 0);

        await using var carbon = Graphite.Tests.LineCollector.Start(port);
        var up = await DashboardApi.WaitFor(
            server.Client, s => (string?)DashboardApi.Sink(s, "graphite")["state"] == "connected", "Graphite connected", seconds: 40);
        var graphite = DashboardApi.Sink(up, "graphite");
        Assert.NotNull(graphite["lastSuccess"]);
        Assert.True((long)graphite["delivered"]! > 0);
        Assert.Equal("off", (string?)DashboardApi.Sink(up, "wavefront")["state"]);
    }

    [Fact]
    public async Task A_template_with_markup_is_escaped_in_the_json()
    {
        await using var app = await MarkupApp.Start();
        using var client = new HttpClient { BaseAddress = app.BaseAddress };
        using var response = await client.GetAsync(DashboardApi.Path + "/api/state");
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("<script>", body, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", body, StringComparison.Ordinal);
        var route = DashboardApi.Routes(JsonNode.Parse(body)!.AsObject()).Single(r => (string)r["template"]! == MarkupApp.Template);
        Assert.True((bool)route["instrumented"]!);
    }
}
