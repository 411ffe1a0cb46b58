using Instrumentation.TestSupport;

namespace Instrumentation.Prometheus.Tests;

/// <summary>The sample's custom counter on /metrics: exact counts under parallel load, the application labels, folding.</summary>
public class CustomMetricExpositionTests
{
    [Fact]
    public async Task The_sample_counter_is_exposed_with_the_route_and_application_labels_and_exact_counts()
    {
        await using var sample = SampleServer.Start();
        await ShirtOrderLoad.SendAsync(sample.Client);

        var text = await sample.Client.GetStringAsync("/metrics");
        var samples = Exposition.Parse(text);
        var ordered = samples.Where(s => s.Name == "shirts_ordered_total").ToList();
        Assert.Equal(ShirtOrderLoad.Expected.OrderBy(e => e.Key, StringComparer.Ordinal), ordered.Select(s => KeyValuePair.Create(s["payment"], (long)s.Number)).OrderBy(e => e.Key, StringComparer.Ordinal));
        var builtIn = samples.First(s => s.Name == "request_seconds_count" && s["method"] == "POST" && s["addr"].Contains("order", StringComparison.Ordinal));
        Assert.All(ordered, s =>
        {
            Assert.Equal(["payment", "method", "addr", "application", "service", "cluster", "shard"], s.Labels.Keys);
            Assert.Equal(("POST", builtIn["addr"]), (s["method"], s["addr"]));
            Assert.Equal(("Ordering", "styling", "us-west-1", "primary"), (s["application"], s["service"], s["cluster"], s["shard"]));
        });
        Assert.Contains("# HELP shirts_ordered_total Shirts ordered, by payment method.\n# TYPE shirts_ordered_total counter\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenMetrics_names_the_counter_family_without_total()
    {
        await using var sample = SampleServer.Start();
        await ShirtOrderLoad.SendAsync(sample.Client);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Accept.ParseAdd("application/openmetrics-text; version=1.0.0");

        using var response = await sample.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.StartsWith("application/openmetrics-text", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE shirts_ordered counter\n", text, StringComparison.Ordinal);
        Assert.Equal(ShirtOrderLoad.Expected["card"], Exposition.Parse(text).Single(s => s.Name == "shirts_ordered_total" && s["payment"] == "card").Number);
    }
}
