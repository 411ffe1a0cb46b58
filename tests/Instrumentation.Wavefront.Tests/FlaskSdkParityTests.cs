using System.Globalization;
using System.Net;
using Instrumentation.Configuration;
using Instrumentation.TestSupport;
using Instrumentation.TestSupport.Wavefront;
using Microsoft.Extensions.DependencyInjection;

namespace Instrumentation.Wavefront.Tests;

/// <summary>
/// docs/migration.md's promise for the Wavefront Flask SDK: with <c>Prefix=flask</c> and <c>LatencyUnit=Seconds</c>,
/// the sample's lines for the seed's route have the seed tables' names and tag sets. The tables below are the seed's
/// (shared/seeds/000), transcribed row by row; the test reads them as the SDK's documentation states them and applies
/// only the differences docs/migration.md lists.
/// </summary>
public class FlaskSdkParityTests
{
    // Entity Name | Entity Type | source | application | cluster | service | shard | flask.func
    private const string SeedTables = """
        flask.request.style.path:id.make.GET.inflight.value | Gauge | host-1 | Ordering | us-west-1 | styling | primary | make_shirts
        flask.total_requests.inflight.value | Gauge | host-1 | Ordering | us-west-1 | styling | primary | n/a
        flask.response.style.path:id.make.GET.200.cumulative.count | Counter | host-1 | Ordering | us-west-1 | styling | primary | make_shirts
        flask.response.style.path:id.make.GET.200.aggregated_per_shard.count | DeltaCounter | wavefront-provided | Ordering | us-west-1 | styling | primary | make_shirts
        flask.response.style.path:id.make.GET.200.aggregated_per_service.count | DeltaCounter | wavefront-provided | Ordering | us-west-1 | styling | n/a | make_shirts
        flask.response.style.path:id.make.GET.200.aggregated_per_cluster.count | DeltaCounter | wavefront-provided | Ordering | us-west-1 | n/a | n/a | make_shirts
        flask.response.style.path:id.make.GET.200.aggregated_per_application.count | DeltaCounter | wavefront-provided | Ordering | n/a | n/a | n/a | make_shirts
        flask.response.style.path:id.make.summary.GET.200.latency.m | WavefrontHistogram | host-1 | Ordering | us-west-1 | styling | primary | make_shirts
        flask.response.style.path:id.make.summary.GET.200.cpu_ns.m | WavefrontHistogram | host-1 | Ordering | us-west-1 | styling | primary | make_shirts
        flask.response.completed.aggregated_per_source.count | Counter | host-1 | Ordering | us-west-1 | styling | primary | n/a
        flask.response.completed.aggregated_per_shard.count | DeltaCounter | wavefont-provided | Ordering | us-west-1 | styling | primary | n/a
        flask.response.completed.aggregated_per_service.count | DeltaCounter | wavefont-provided | Ordering | us-west-1 | styling | n/a | n/a
        flask.response.completed.aggregated_per_cluster.count | DeltaCounter | wavefont-provided | Ordering | us-west-1 | n/a | n/a | n/a
        flask.response.completed.aggregated_per_application.count | DeltaCounter | wavefont-provided | Ordering | n/a | n/a | n/a | n/a
        flask.response.errors.aggregated_per_source.count | Counter | host-1 | Ordering | us-west-1 | styling | primary | n/a
        flask.response.errors.aggregated_per_shard.count | DeltaCounter | wavefont-provided | Ordering | us-west-1 | styling | primary | n/a
        flask.response.errors.aggregated_per_service.count | DeltaCounter | wavefont-provided | Ordering | us-west-1 | styling | n/a | n/a
        flask.response.errors.aggregated_per_cluster.count | DeltaCounter | wavefont-provided | Ordering | us-west-1 | n/a | n/a | n/a
        flask.response.errors.aggregated_per_application.count | DeltaCounter | wavefont-provided | Ordering | n/a | n/a | n/a | n/a
        """;

    private static readonly string[] Columns = ["source", "application", "cluster", "service", "shard", "flask.func"];

    // The seed's span table without the ids (structural, not tags), error (the seed's example failed; this request
    // succeeds) and its two example custom tags (this run has none, like the metric tables).
    private static readonly string[] SpanTags =
        ["component", "span.kind", "application", "service", "cluster", "shard", "http.method", "http.url", "http.status_code", "flask.func"];

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task With_the_flask_prefix_and_seconds_the_sample_sends_the_seed_tables_names_and_tag_sets()
    {
        const int requests = 3;
        await using var proxy = FakeWavefrontProxy.Create();
        var server = SampleServer.Start(FlaskSettings(proxy.Port), services =>
        {
            DelayedActions.Add(services);

            // The seed's metric tables carry no custom tags; the sample's appsettings.json has two.
            services.PostConfigure<InstrumentationOptions>(options => options.CustomTags.Clear());
        });
        try
        {
            // An error first (the seed's errors rows), which also warms MVC up before the timed requests.
            using (var missing = await server.Client.GetAsync("/style/missing/stock"))
            {
                Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            }

            for (var i = 0; i < requests; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/style/42/make");
                request.Headers.Add(DelayedActions.Header, "200");
                using var response = await server.Client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            await proxy.WaitForAsync(
                lines => lines.Any(l => l.StartsWith("\"flask.response.style.id.make.GET.200.cumulative.count\" ", StringComparison.Ordinal) &&
                    WavefrontLineParser.ParsePoint(l).Value == requests) &&
                    lines.Any(l => l.StartsWith("\"\u2206flask.response.errors.aggregated_per_application.count\" ", StringComparison.Ordinal)) &&
                    lines.Any(l => l.StartsWith("\"\u2206tracing.derived.", StringComparison.Ordinal)),
                Patience, "the reports of the requests never arrived");
        }
        finally
        {
            await server.DisposeAsync();
        }

        await proxy.WaitForSendersToCloseAsync(Patience);
        Assert.Equal(0, proxy.TruncatedLines);
        var records = proxy.Lines.Select(WavefrontLineParser.Parse).ToList();
        var tagged = records.OfType<IWavefrontTagged>().ToList();

        foreach (var row in SeedRows())
        {
            var matching = row.Type == "WavefrontHistogram"
                ? records.OfType<WavefrontDistribution>().Where(h => h.Name == row.WireName).Select(h => (h.Source, (IWavefrontTagged)h)).ToList()
                : records.OfType<WavefrontPoint>().Where(p => p.Name == row.WireName).Select(p => (p.EffectiveSource, (IWavefrontTagged)p)).ToList();
            Assert.True(matching.Count > 0, $"no line named {row.WireName} (seed: {row.SeedName})");
            foreach (var (source, record) in matching)
            {
                Assert.Equal(row.Source, source);
                var tags = record.Tags.Where(t => t.Key != "source").OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
                Assert.Equal(row.Tags.OrderBy(t => t.Key, StringComparer.Ordinal), tags);
            }
        }

        // LatencyUnit=Seconds: requests that wait 200 ms read at least 0.195 in the latency distributions. In
        // milliseconds they would read at least 195, so the upper bound only needs to stay below that: no request can
        // take longer than the wait above allows, and a loaded CI machine has taken over a second for one.
        var latency = records.OfType<WavefrontDistribution>().Where(h => h.Name == "flask.response.style.id.make.GET.200.latency").ToList();
        Assert.Equal(requests, latency.Sum(h => h.Count));
        Assert.All(latency.SelectMany(h => h.Centroids), c => Assert.InRange(c.Value, 0.195, Patience.TotalSeconds));

        // component follows the prefix on the heartbeat, the server spans and the metrics derived from them.
        Assert.Equal("flask", records.OfType<WavefrontPoint>().First(p => p.Name == "~component.heartbeat").Tag("component"));
        var span = records.OfType<WavefrontSpan>().First(s => s.Tag("flask.func") == "MakeShirts");
        Assert.Equal(SpanTags.Order(StringComparer.Ordinal), span.TagKeys().Order(StringComparer.Ordinal));
        Assert.Equal(("flask", "server", "GET", "200"), (span.Tag("component"), span.Tag("span.kind"), span.Tag("http.method"), span.Tag("http.status_code")));
        Assert.Equal("flask", records.OfType<WavefrontPoint>().First(p => p.Name.StartsWith("\u2206tracing.derived.", StringComparison.Ordinal)).Tag("component"));

        // Nothing keeps the default names.
        Assert.DoesNotContain(tagged, r => r.Tags.Any(t => t.Key == "aspnetcore.func" || t.Value == "aspnetcore"));
    }

    [Theory]
    [InlineData("Minutes")]
    [InlineData("7")]
    public void An_unknown_latency_unit_fails_the_start_naming_the_key(string unit)
    {
        var settings = FlaskSettings(FreePort.Next());
        settings["Instrumentation:Wavefront:LatencyUnit"] = unit;

        var failure = Assert.ThrowsAny<Exception>(() => SampleServer.Start(settings));

        Assert.Contains("Instrumentation:Wavefront:LatencyUnit", failure.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> FlaskSettings(int port) => new()
    {
        ["Instrumentation:Source"] = "host-1",
        ["Instrumentation:Wavefront:ProxyHost"] = "127.0.0.1",
        ["Instrumentation:Wavefront:MetricsPort"] = port.ToString(CultureInfo.InvariantCulture),
        ["Instrumentation:Wavefront:ReportingIntervalSeconds"] = "1",
        ["Instrumentation:Wavefront:Prefix"] = "flask",
        ["Instrumentation:Wavefront:LatencyUnit"] = "Seconds",
        ["Instrumentation:Tracing:DerivedMetricsIntervalSeconds"] = "1",
    };

    /// <summary>
    /// The seed's rows as this sample sends them, with docs/migration.md's differences applied: the sample's route
    /// (<c>/style/{id}/make</c>, action <c>MakeShirts</c>) instead of Flask's (<c>/style/&lt;path:id&gt;/make</c>,
    /// view <c>make_shirts</c>); a distribution named without the tables' <c>.summary</c> segment and without the
    /// <c>.m</c> Wavefront shows a minute distribution with; a delta counter's wire name starting with ∆; and the
    /// seed's misspelt <c>wavefont-provided</c> source read as <c>wavefront-provided</c>.
    /// </summary>
    private static IEnumerable<SeedRow> SeedRows()
    {
        foreach (var line in SeedTables.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var cells = line.Split('|', StringSplitOptions.TrimEntries);
            var (name, type) = (cells[0], cells[1]);
            var values = cells[2..].Select(v => v.Replace("make_shirts", "MakeShirts", StringComparison.Ordinal)).ToArray();
            var wire = name.Replace("style.path:id.make", "style.id.make", StringComparison.Ordinal);
            if (type == "WavefrontHistogram")
            {
                wire = wire.Replace(".summary", "", StringComparison.Ordinal)[..^".m".Length];
            }
            else if (type == "DeltaCounter")
            {
                wire = "\u2206" + wire;
            }

            var source = values[0] == "wavefont-provided" ? "wavefront-provided" : values[0];
            var tags = Columns.Skip(1).Zip(values.Skip(1)).Where(c => c.Second != "n/a")
                .Select(c => new KeyValuePair<string, string>(c.First, c.Second)).ToList();
            yield return new SeedRow(name, type, wire, source, tags);
        }
    }

    private sealed record SeedRow(string SeedName, string Type, string WireName, string Source, List<KeyValuePair<string, string>> Tags);
}
