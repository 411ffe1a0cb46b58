using Instrumentation.Sinks.Wavefront;
using Instrumentation.TestSupport.Wavefront;

namespace Instrumentation.Wavefront.Tests;

/// <summary>The custom metrics' Wavefront lines for each kind, read back by the strict parser.</summary>
public class CustomMetricLineTests
{
    private static readonly DateTimeOffset MinuteStart = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Gauges_are_values_and_histograms_minute_distributions_with_exact_count_and_sum()
    {
        var factory = new CustomMetricFactory();
        var queue = factory.CreateGauge("print_queue_length", "Queue.", new CustomMetricTag("printer", "front"));
        var basket = factory.CreateHistogram("basket_items", "Items.", [1, 5, 10]);
        var lines = new CustomMetricLines(ReportBuilderTests.Options(), factory, MinuteStart);
        queue.For("front").Set(4);
        foreach (var items in new[] { 1.0, 3, 3, 7, 50 })
        {
            basket.Record(items);
        }

        var output = new CollectingSender();
        lines.Build(MinuteStart.AddSeconds(10), final: false, output);
        Assert.Empty(output.Histograms()); // The minute is not over yet.
        lines.Build(MinuteStart.AddSeconds(70), final: false, output);

        var points = output.Points();
        var gauge = points.First(p => p.Name == "aspnetcore.print_queue_length.value" && p.Tag("printer") == "front");
        Assert.Equal(4, gauge.Value);
        Assert.Equal(["application", "service", "cluster", "shard", "location", "printer"], gauge.TagKeys());
        Assert.Equal(5, points.Last(p => p.Name == "aspnetcore.basket_items.count").Value);
        Assert.Equal(64, points.Last(p => p.Name == "aspnetcore.basket_items.sum").Value);
        var distribution = Assert.Single(output.Histograms());
        Assert.Equal(("aspnetcore.basket_items", 'M', (long?)MinuteStart.ToUnixTimeSeconds()), (distribution.Name, distribution.Granularity, distribution.Timestamp));
        Assert.Equal([new WavefrontCentroid(0.5, 1), new WavefrontCentroid(3, 2), new WavefrontCentroid(7.5, 1), new WavefrontCentroid(10, 1)], distribution.Centroids);
    }
}
