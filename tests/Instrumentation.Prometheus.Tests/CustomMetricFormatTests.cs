using Instrumentation.Configuration;
using Instrumentation.Instruments;
using Instrumentation.Sinks.Prometheus;

namespace Instrumentation.Prometheus.Tests;

/// <summary>The custom metrics' Prometheus families for each kind.</summary>
public class CustomMetricFormatTests
{
    [Fact]
    public async Task Gauges_are_one_sample_and_histograms_cumulative_buckets_with_sum_and_count()
    {
        var factory = new CustomMetricFactory();
        factory.CreateGauge("print_queue_length", "Shirts waiting.\nPer printer.").Set(2.5);
        var basket = factory.CreateHistogram("basket_items", "Items per basket.", [1, 5, 10], new CustomMetricTag("channel", "web"));
        foreach (var items in new[] { 1.0, 3, 3, 7, 50 })
        {
            basket.For("web").Record(items);
        }

        var registry = new InstrumentRegistry(new ErrorRule(status => status >= 400));
        var options = new InstrumentationOptions { Application = "Shop" };
        var text = await Exposition.Write(new PrometheusExposition(registry, options, "1.0", customMetrics: factory), openMetrics: false);
        var samples = Exposition.Parse(text);

        Assert.Contains("# HELP print_queue_length Shirts waiting.\\nPer printer.\n# TYPE print_queue_length gauge\n", text, StringComparison.Ordinal);
        Assert.Equal(2.5, samples.Single(s => s.Name == "print_queue_length").Number);
        Assert.Contains("# TYPE basket_items histogram\n", text, StringComparison.Ordinal);
        var web = samples.Where(s => s.Name == "basket_items_bucket" && s["channel"] == "web").ToList();
        Assert.Equal([("1", 1.0), ("5", 3.0), ("10", 4.0), ("+Inf", 5.0)], web.Select(s => (s["le"], s.Number)));
        Assert.Equal(64, samples.Single(s => s.Name == "basket_items_sum" && s["channel"] == "web").Number);
        Assert.Equal(5, samples.Single(s => s.Name == "basket_items_count" && s["channel"] == "web").Number);
        Assert.Equal(0, samples.Single(s => s.Name == "basket_items_count" && s["channel"] == "other").Number);
        Assert.All(samples.Where(s => s.Name.StartsWith("basket_items", StringComparison.Ordinal)), s => Assert.Equal("Shop", s["application"]));
    }
}
