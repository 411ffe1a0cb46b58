using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Instrumentation.TestSupport;

namespace Instrumentation.Prometheus.Tests;

/// <summary>
/// The PromQL of the .NET team's "ASP.NET Core" and "ASP.NET Core Endpoint" Grafana dashboards (written here in the
/// dashboards' form, with <c>$job</c>, <c>$instance</c>, <c>$route</c> and <c>$method</c> filled in and
/// <c>$__range</c> as 5m) against this library's OpenTelemetry names, every panel included ("Current Connections"
/// reads Kestrel's <c>kestrel_active_connections</c>, which the OpenTelemetry names re-export).
/// </summary>
[Collection(DashboardFixture.Collection)]
public sealed class DashboardQueryTests(DashboardFixture fixture)
{
    private const string Duration = "http_server_request_duration_seconds";

    // Per round, 5xx are the two carrier 502s and the refresh that throws (4xx: the missing stock and five unmatched).
    private const double ServerErrors = 3;

    private string Selector(string more = "") => $"job=~\"{DashboardFixture.Job}\", instance=~\"{fixture.Instance}\"{more}";

    [Fact]
    public async Task The_job_and_instance_variables_list_the_sample()
    {
        var jobs = await fixture.Prometheus.GetFromJsonAsync<JsonElement>("/api/v1/label/job/values?match[]=http_server_active_requests");
        var instances = await fixture.Prometheus.GetFromJsonAsync<JsonElement>(
            "/api/v1/label/instance/values?match[]=" + Uri.EscapeDataString($"http_server_active_requests{{job=\"{DashboardFixture.Job}\"}}"));

        Assert.Equal([DashboardFixture.Job], jobs.GetProperty("data").EnumerateArray().Select(j => j.GetString()));
        Assert.Equal([fixture.Instance], instances.GetProperty("data").EnumerateArray().Select(i => i.GetString()));
    }

    [Theory]
    [InlineData("0.50")]
    [InlineData("0.75")]
    [InlineData("0.90")]
    [InlineData("0.95")]
    [InlineData("0.98")]
    [InlineData("0.99")]
    [InlineData("0.999")]
    public async Task Requests_duration_percentiles(string quantile)
    {
        var result = Assert.Single(await fixture.Query(
            $"histogram_quantile({quantile}, sum(rate({Duration}_bucket{{{Selector()}}}[5m])) by (le))"));

        // Local requests: well inside the conventions' buckets, and above zero.
        Assert.InRange(result.Value, 1e-9, 10);
    }

    [Fact]
    public async Task Errors_rate_all_4xx_and_5xx()
    {
        var all = await Ratio("4..|5..");
        var client = await Ratio("4..");
        var server = await Ratio("5..");

        Assert.InRange(client, 1e-9, 1);
        Assert.InRange(server, 1e-9, 1);
        Assert.Equal(client + server, all, 9);
    }

    [Fact]
    public async Task Current_requests_count_the_scrape_in_flight()
    {
        var current = Assert.Single(await fixture.Query($"sum(http_server_active_requests{{{Selector()}}})"));

        // Every request of the traffic has completed; the one in flight is Prometheus' own scrape being answered.
        Assert.Equal(1, current.Value);
    }

    [Fact]
    public async Task Current_connections_come_from_kestrel()
    {
        var total = Assert.Single(await fixture.Query($"sum(kestrel_active_connections{{{Selector()}}})"));
        var byPort = await fixture.Query($"sum by (server_port) (kestrel_active_connections{{{Selector()}}})");

        // The h2c client's one HTTP/2 connection is still open; on the HTTP/1.1 endpoint, Prometheus' own and the
        // traffic client's (kept alive, unless it has already been closed as idle).
        var h2c = fixture.Sample.H2cClient!.BaseAddress!.Port.ToString(CultureInfo.InvariantCulture);
        var http11 = fixture.Sample.BaseAddress.Port.ToString(CultureInfo.InvariantCulture);
        Assert.Equal(new[] { h2c, http11 }.Order(StringComparer.Ordinal), byPort.Select(p => p.Labels["server_port"]).Order(StringComparer.Ordinal));
        Assert.Equal(1, byPort.Single(p => p.Labels["server_port"] == h2c).Value);
        Assert.InRange(byPort.Single(p => p.Labels["server_port"] == http11).Value, 1, 2);
        Assert.Equal(byPort.Sum(p => p.Value), total.Value);
    }

    [Fact]
    public async Task Total_requests_unhandled_exceptions_scheme_and_protocol()
    {
        var total = Assert.Single(await fixture.Query($"sum(increase({Duration}_count{{{Selector()}}}[5m]))")).Value;
        var failed = Assert.Single(await fixture.Query($"sum(increase({Duration}_count{{{Selector(", error_type!=\"\"")}}}[5m]))")).Value;
        var schemes = await fixture.Query($"sum by (url_scheme) (increase({Duration}_count{{{Selector()}}}[5m]))");
        var protocols = await fixture.Query($"sum by (network_protocol_version) (increase({Duration}_count{{{Selector()}}}[5m]))");

        Assert.True(total > 0);
        // increase() extrapolates each series to the range's edges, capped where that series would reach zero, so a
        // ratio of increases is the traffic's ratio only to within a percent or so.
        Assert.Equal(ServerErrors / DashboardFixture.Round, failed / total, 0.005);
        Assert.Equal("http", Assert.Single(schemes).Labels["url_scheme"]);
        Assert.Equal(total, schemes[0].Value, 9);
        Assert.Equal(["1.1", "2"], protocols.Select(p => p.Labels["network_protocol_version"]).Order());
        Assert.Equal(total, protocols.Sum(p => p.Value), 9);
        Assert.Equal((double)DashboardFixture.H2c / DashboardFixture.Round, protocols.Single(p => p.Labels["network_protocol_version"] == "2").Value / total, 0.005);
    }

    [Fact]
    public async Task Top_endpoints_and_the_endpoint_dashboard_of_the_busiest()
    {
        var top = await fixture.Query(
            $"topk(10, sum by (http_route, http_request_method) (increase({Duration}_count{{{Selector(", http_route!=\"\"")}}}[5m])))");

        // Six routes were called; the unmatched requests have no route and are not listed.
        Assert.Equal(6, top.Count);
        var busiest = top.MaxBy(t => t.Value);
        Assert.Contains("Track", busiest.Labels["http_route"], StringComparison.Ordinal);
        Assert.Equal("GET", busiest.Labels["http_request_method"]);

        // The endpoint dashboard, with $route and $method from the link.
        var route = $", http_route=\"{busiest.Labels["http_route"]}\", http_request_method=\"GET\"";
        var median = Assert.Single(await fixture.Query($"histogram_quantile(0.50, sum(rate({Duration}_bucket{{{Selector(route)}}}[5m])) by (le))"));
        Assert.InRange(median.Value, 1e-9, 10);
        var errors = await fixture.Query(
            $"sum(rate({Duration}_bucket{{{Selector(route + ", http_response_status_code=~\"4..|5..\"")}}}[5m]) or vector(0)) / sum(rate({Duration}_bucket{{{Selector(route)}}}[5m]))");
        Assert.Equal(0, Assert.Single(errors).Value);
        var routes = await fixture.Prometheus.GetFromJsonAsync<JsonElement>(
            "/api/v1/label/http_route/values?match[]=" + Uri.EscapeDataString($"{Duration}_count{{job=\"{DashboardFixture.Job}\"}}"));
        Assert.Contains(busiest.Labels["http_route"], routes.GetProperty("data").EnumerateArray().Select(r => r.GetString()));
    }

    private async Task<double> Ratio(string statuses) => Assert.Single(await fixture.Query(
        $"sum(rate({Duration}_bucket{{{Selector($", http_response_status_code=~\"{statuses}\"")}}}[5m]) or vector(0)) / sum(rate({Duration}_bucket{{{Selector()}}}[5m]))")).Value;
}
