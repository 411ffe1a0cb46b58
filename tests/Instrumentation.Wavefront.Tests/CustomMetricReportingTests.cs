using System.Globalization;
using Instrumentation.TestSupport;
using Instrumentation.TestSupport.Wavefront;

namespace Instrumentation.Wavefront.Tests;

/// <summary>The sample's custom counter through a fake proxy: every line strict, exact counts, the application tags.</summary>
public class CustomMetricReportingTests
{
    private const string Name = "aspnetcore.shirts_ordered.count";

    [Fact]
    public async Task The_sample_counter_reaches_the_proxy_with_the_application_and_route_tags_and_exact_counts()
    {
        await using var proxy = FakeWavefrontProxy.Create();
        var port = proxy.Port.ToString(CultureInfo.InvariantCulture);
        var server = SampleServer.Start(new Dictionary<string, string?>
        {
            ["Instrumentation:Source"] = "sample-host",
            ["Instrumentation:Wavefront:ProxyHost"] = "127.0.0.1",
            ["Instrumentation:Wavefront:MetricsPort"] = port,
            ["Instrumentation:Wavefront:HistogramsPort"] = port,
            ["Instrumentation:Wavefront:TracingPort"] = port,
            ["Instrumentation:Wavefront:ReportingIntervalSeconds"] = "1",
        });
        try
        {
            await ShirtOrderLoad.SendAsync(server.Client);
        }
        finally
        {
            // The final report at shutdown carries every count.
            await server.DisposeAsync();
        }

        await proxy.WaitForSendersToCloseAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, proxy.TruncatedLines);
        var points = proxy.Lines.Select(WavefrontLineParser.Parse).OfType<WavefrontPoint>().Where(p => p.Name == Name).ToList();
        foreach (var (payment, expected) in ShirtOrderLoad.Expected)
        {
            Assert.Equal(expected, points.Where(p => p.Tag("payment") == payment).Max(p => p.Value));
        }

        Assert.All(points, point =>
        {
            Assert.Equal(("sample-host", "Ordering", "styling", "us-west-1", "primary", "Oregon"),
                (point.Source, point.Tag("application"), point.Tag("service"), point.Tag("cluster"), point.Tag("shard"), point.Tag("location")));
            Assert.Equal(("OrderShirts", "POST"), (point.Tag("aspnetcore.func"), point.Tag("method")));
            Assert.Contains("order", point.Tag("route"), StringComparison.Ordinal);
        });
        Assert.Equal(["card", "cash", "other"], points.Select(p => p.Tag("payment")).Distinct().Order(StringComparer.Ordinal));
    }
}
