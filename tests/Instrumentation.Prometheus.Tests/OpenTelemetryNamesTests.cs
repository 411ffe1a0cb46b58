using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Instrumentation.Prometheus.Tests;

/// <summary>
/// <c>Instrumentation:Prometheus:Names</c>: the OpenTelemetry HTTP semantic conventions' families, with labels equal to
/// those ASP.NET Core's own <c>Microsoft.AspNetCore.Hosting</c> meter puts on the same requests.
/// </summary>
public sealed class OpenTelemetryNamesTests
{
    private const string Count = "http_server_request_duration_seconds_count";

    private static readonly string[] SemanticLabels =
        ["http_route", "http_request_method", "http_response_status_code", "error_type", "url_scheme", "network_protocol_version"];

    private static Dictionary<string, string?> Names(string names) => new() { ["Instrumentation:Prometheus:Names"] = names };

    private static void MapMix(WebApplication app)
    {
        // After UseInstrumentation, as the README asks: the handler turns the exception into the 500 both meters see.
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = context => Task.CompletedTask });
        app.MapGet("todos/{id}", (string id) => id).Instrumented();
        app.MapGet("", () => "home").Instrumented();
        app.MapGroup("/api").Instrumented().MapGet("/orders/{id:int}", (int id) => id);
        app.MapGet("/boom", string () => throw new InvalidOperationException("boom")).Instrumented();
        app.MapGet("/unavailable", () => Results.StatusCode(503)).Instrumented();
        app.Map("/any", () => "any").Instrumented();
    }

    [Fact]
    public async Task Every_series_has_the_labels_and_count_of_AspNetCore_own_meter()
    {
        await using var app = await TestApp.Start(Names("OpenTelemetry"), map: MapMix);
        using var hosting = new HostingMeter(app.Services.GetRequiredService<IMeterFactory>());

        foreach (var path in new[] { "/items/3", "/items/4", "/todos/a", "/", "/api/orders/7", "/unavailable", "/nowhere", "/any" })
        {
            await app.Client.GetAsync(path);
        }

        using (var brew = new HttpRequestMessage(new HttpMethod("BREW"), "/any"))
        {
            await app.Client.SendAsync(brew);
        }

        Assert.Equal(HttpStatusCode.InternalServerError, (await app.Client.GetAsync("/boom")).StatusCode);

        var expected = await hosting.WaitFor(requests: 10);

        // The one deliberate difference: the conventions set error.type to the status code of a 5xx without an
        // exception; ASP.NET Core 10's meter leaves it out. Everything else must be identical.
        expected = [.. expected.Select(e => e.Contains("http_response_status_code=503", StringComparison.Ordinal) ? "error_type=503," + e : e).Order()];

        var ours = Exposition.Parse(await app.Scrape()).Where(s => s.Name == Count).ToList();
        var actual = ours.Select(s => Key(SemanticLabels.Where(s.Labels.ContainsKey).ToDictionary(l => l, l => s[l]), s.Value)).Order().ToList();
        Assert.True(expected.SequenceEqual(actual), $"ASP.NET Core:\n{string.Join("\n", expected)}\nours:\n{string.Join("\n", actual)}");

        // What the comparison covers, spelled out: the route strings and the dimensions the conventions define.
        Assert.Contains(ours, s => s.Labels.GetValueOrDefault("http_route") == "todos/{id}");
        Assert.Contains(ours, s => s.Labels.GetValueOrDefault("http_route") == "/");
        Assert.Contains(ours, s => s.Labels.GetValueOrDefault("http_route") == "/api/orders/{id:int}");
        Assert.Contains(ours, s => s["http_request_method"] == "_OTHER" && s.Labels.GetValueOrDefault("http_route") == "/any");
        Assert.Contains(ours, s => s.Labels.GetValueOrDefault("error_type") == typeof(InvalidOperationException).FullName && s["http_response_status_code"] == "500");
        Assert.Contains(ours, s => s.Labels.GetValueOrDefault("error_type") == "503");
        Assert.Contains(ours, s => !s.Labels.ContainsKey("http_route") && s["http_response_status_code"] == "404");
        Assert.All(ours.Where(s => s["http_response_status_code"] is "200" or "404"), s => Assert.False(s.Labels.ContainsKey("error_type")));
        Assert.All(ours, s => Assert.Equal(("http", "1.1"), (s["url_scheme"], s["network_protocol_version"])));
    }

    [Fact]
    public async Task Big_Brother_is_the_default_and_Both_serves_both_from_the_same_requests()
    {
        await using (var plain = await TestApp.Start())
        {
            await plain.Client.GetStringAsync("/items/1");
            var samples = Exposition.Parse(await plain.Scrape());
            Assert.Contains(samples, s => s.Name == "request_seconds_count");
            Assert.DoesNotContain(samples, s => s.Name.StartsWith("http_server_", StringComparison.Ordinal));
        }

        await using (var only = await TestApp.Start(Names("OpenTelemetry")))
        {
            await only.Client.GetStringAsync("/items/1");
            var samples = Exposition.Parse(await only.Scrape());
            Assert.DoesNotContain(samples, s => s.Name.StartsWith("request", StringComparison.Ordinal) || s.Name.StartsWith("response", StringComparison.Ordinal));
            Assert.Contains(samples, s => s.Name == "application_info");
        }

        await using var both = await TestApp.Start(Names("Both"));
        await both.Client.GetStringAsync("/items/1");
        await both.Client.GetStringAsync("/items/2");
        var all = Exposition.Parse(await both.Scrape());
        var bigBrother = Assert.Single(all, s => s.Name == "request_seconds_count");
        var semantic = Assert.Single(all, s => s.Name == Count);
        Assert.Equal(("2", "2"), (bigBrother.Value, semantic.Value));
        var bytes = Assert.Single(all, s => s.Name == "response_size_bytes_total");
        Assert.Equal(bytes.Value, Assert.Single(all, s => s.Name == "http_server_response_body_size_bytes_sum").Value);
        Assert.Equal("2", Assert.Single(all, s => s.Name == "http_server_response_body_size_bytes_count").Value);
        var sizeBucket = Assert.Single(all, s => s.Name == "http_server_response_body_size_bytes_bucket");
        Assert.Equal(("+Inf", "2"), (sizeBucket["le"], sizeBucket.Value));
    }

    [Fact]
    public async Task Duration_buckets_default_to_the_conventions_advice_and_endpoint_buckets_still_apply()
    {
        await using var app = await TestApp.Start(Names("OpenTelemetry"));
        await app.Client.GetStringAsync("/items/1");
        await app.Client.GetStringAsync("/fast/a");
        var samples = Exposition.Parse(await app.Scrape()).Where(s => s.Name == "http_server_request_duration_seconds_bucket").ToList();

        Assert.Equal(
            ["0.005", "0.01", "0.025", "0.05", "0.075", "0.1", "0.25", "0.5", "0.75", "1.0", "2.5", "5.0", "7.5", "10.0", "+Inf"],
            samples.Where(s => s["http_route"] == "/items/{id:int}").Select(s => s["le"]));
        Assert.Equal(["0.05", "0.2", "+Inf"], samples.Where(s => s["http_route"] == "/fast/{id}").Select(s => s["le"]));
        Assert.Equal("1", samples.Single(s => s["http_route"] == "/fast/{id}" && s["le"] == "+Inf").Value);
    }

    [Fact]
    public async Task Active_requests_count_requests_in_flight_by_method_and_scheme()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var app = await TestApp.Start(Names("OpenTelemetry"), map: a => a.MapPost("/slow", async () =>
        {
            entered.SetResult();
            await release.Task;
            return "done";
        }).Instrumented());

        var slow = app.Client.PostAsync("/slow", null);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var during = Exposition.Parse(await app.Scrape()).Where(s => s.Name == "http_server_active_requests").ToList();
        release.SetResult();
        (await slow).EnsureSuccessStatusCode();
        var after = Exposition.Parse(await app.Scrape()).Where(s => s.Name == "http_server_active_requests").ToList();

        Assert.Equal("1", during.Single(s => s["http_request_method"] == "POST" && s["url_scheme"] == "http").Value);
        Assert.Equal("0", after.Single(s => s["http_request_method"] == "POST").Value);
    }

    [Theory]
    [InlineData("Nonsense")]
    [InlineData("7")]
    public async Task Invalid_Names_fail_the_start_naming_the_key(string value)
    {
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.Start(Names(value)));

        Assert.Contains("Instrumentation:Prometheus:Names", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/openmetrics-text;q=banana")]
    [InlineData(";;;,,,")]
    [InlineData("nonsense")]
    [InlineData("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=text")]
    [InlineData("application/vnd.google.protobuf; encoding=delimited")]
    [InlineData("application/openmetrics-text;q=NaN")]
    [InlineData("application/openmetrics-text;q=0, text/plain;q=oops")]
    [InlineData("=\"")]
    public async Task Malformed_or_unknown_Accept_headers_get_the_text_format(string accept)
    {
        await using var app = await TestApp.Start(Names("Both"));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        Assert.True(request.Headers.TryAddWithoutValidation("Accept", accept));

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("# EOF", body, StringComparison.Ordinal);
        Assert.NotEmpty(Exposition.Parse(body));
    }

    [Fact]
    public async Task Route_templates_with_characters_label_values_forbid_are_escaped_never_dropped()
    {
        const string quoted = "/say/\"hi\"/{id}";
        const string backslashed = "/back\\slash";
        await using var app = await TestApp.Start(Names("Both"), map: a =>
        {
            a.MapGet(quoted, (string id) => id).Instrumented();
            a.MapGet(backslashed, () => "ok").Instrumented();
        });
        (await app.Client.GetAsync("/say/%22hi%22/1")).EnsureSuccessStatusCode();
        (await app.Client.GetAsync("/back%5Cslash")).EnsureSuccessStatusCode();

        var text = await app.Scrape();
        var samples = Exposition.Parse(text);

        Assert.Contains("http_route=\"/say/\\\"hi\\\"/{id}\"", text, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/back\\\\slash\"", text, StringComparison.Ordinal);
        Assert.Equal("1", samples.Single(s => s.Name == Count && s.Labels.GetValueOrDefault("http_route") == quoted).Value);
        Assert.Equal("1", samples.Single(s => s.Name == Count && s.Labels.GetValueOrDefault("http_route") == backslashed).Value);
        Assert.Equal("1", samples.Single(s => s.Name == "request_seconds_count" && s["addr"] == quoted).Value);
        Assert.Equal("1", samples.Single(s => s.Name == "request_seconds_count" && s["addr"] == backslashed).Value);
    }

    private static string Key(IReadOnlyDictionary<string, string> labels, string count) =>
        string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}")) + " " + count;

    /// <summary>
    /// The <c>http.server.request.duration</c> measurements of one application's built-in hosting meter (its own meter
    /// factory's, so parallel tests do not mix), with the attribute names Prometheus gives them.
    /// </summary>
    private sealed class HostingMeter : IDisposable
    {
        private readonly MeterListener listener = new();
        private readonly List<Dictionary<string, string>> measurements = [];

        public HostingMeter(IMeterFactory factory)
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Microsoft.AspNetCore.Hosting" && instrument.Name == "http.server.request.duration"
                    && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>((_, _, tags, _) =>
            {
                var labels = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var tag in tags)
                {
                    var name = tag.Key.Replace('.', '_');
                    if (SemanticLabels.Contains(name))
                    {
                        labels[name] = Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture)!;
                    }
                }

                lock (measurements)
                {
                    measurements.Add(labels);
                }
            });
            listener.Start();
        }

        /// <summary>The label sets and counts, once <paramref name="requests"/> have been measured (hosting records after the response).</summary>
        public async Task<List<string>> WaitFor(int requests)
        {
            for (var waited = 0; waited < 100; waited++)
            {
                lock (measurements)
                {
                    if (measurements.Count >= requests)
                    {
                        return measurements
                            .GroupBy(m => Key(m, ""))
                            .Select(g => Key(g.First(), g.Count().ToString(System.Globalization.CultureInfo.InvariantCulture)))
                            .Order()
                            .ToList();
                    }
                }

                await Task.Delay(100);
            }

            throw new TimeoutException($"The hosting meter measured {measurements.Count} of {requests} requests.");
        }

        public void Dispose() => listener.Dispose();
    }
}
