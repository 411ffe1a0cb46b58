using Instrumentation.TestSupport;
using Microsoft.AspNetCore.Builder;

namespace Instrumentation.Prometheus.Tests;

public sealed class PromtoolTests
{
    private const string CamelCase = "label names should be written in 'snake_case' not 'camelCase'";

    [Fact]
    public async Task The_sample_s_metrics_have_exactly_one_lint_finding_the_isError_label()
    {
        await using var sample = SampleServer.Start();
        foreach (var path in new[] { "/", "/style/42/make", "/style/missing/stock", "/api/Delivery/Track/5", "/api/Delivery/carrier", "/nope/9", "/catalog/files/a/b" })
        {
            await sample.Client.GetAsync(path);
        }

        await sample.Client.PostAsync("/catalog/refresh", null);
        var metrics = await sample.Client.GetStringAsync("/metrics");
        var seriesWithIsError = Exposition.Parse(metrics).Count(s => s.Name == "request_seconds_count");

        var (exitCode, lines) = await Tools.Promtool(metrics, "check", "metrics");

        // promtool reports the finding once per series of each family that has the label; it is the only kind.
        Assert.Equal(
            [$"request_seconds {CamelCase}", $"response_size_bytes_total {CamelCase}"],
            lines.Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(2 * seriesWithIsError, lines.Length);
        Assert.True(seriesWithIsError >= 8);
        Assert.NotEqual(0, exitCode);
    }

    [Fact]
    public async Task Escaped_label_values_parse_in_promtool()
    {
        await using var app = await TestApp.Start(map: a => a.MapGet("/q/{name:regex(^[a-z\"\\\\]+$)}", (string name) => name).Instrumented());
        await app.Client.GetAsync("/q/abc");
        var metrics = await app.Scrape();
        Assert.Contains("\\\"", metrics, StringComparison.Ordinal);

        var (_, lines) = await Tools.Promtool(metrics, "check", "metrics");

        Assert.All(lines, line => Assert.EndsWith(CamelCase, line, StringComparison.Ordinal));
    }
}
