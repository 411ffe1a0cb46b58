// One small app, instrumented one way per run (the first argument), for the end-to-end comparison of
// build/measure-end-to-end.sh: the same routes, the same Kestrel, only the instrumentation differs.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Instrumentation;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Prometheus;

var mode = args.Length > 0 ? args[0] : "none";
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var settings = new Dictionary<string, string?>();
switch (mode)
{
    case "none":
    case "floor":
    case "prometheus-net":
    case "otel-metrics":
    case "otel-tracing":
    case "otel-tracing-otlp":
        break;
    case "metrics":
        settings["Instrumentation:Tracing:Enabled"] = "false";
        break;
    case "defaults":
        break;
    case "dashboard":
        // The defaults, ROUTES more instrumented routes (200 unless told) and the live dashboard, for
        // build/measure-dashboard-cost.sh: what an open page costs an application of that size.
        break;
    case "exported":
        // Spans and metrics go to a proxy port on this machine that reads and discards: the whole export path.
        settings["Instrumentation:Tracing:SamplingRate"] = "1";
        settings["Instrumentation:Wavefront:ProxyHost"] = "127.0.0.1";
        settings["Instrumentation:Wavefront:ProxyTransport"] = "Tcp"; // the discarding port reads lines; it answers no HTTP
        // build/measure-end-to-end.sh gives a discarding port in another process; alone, the app starts its own.
        var port = int.TryParse(Environment.GetEnvironmentVariable("WAVEFRONT_DISCARD_PORT"), out var given) ? given : DiscardServer.Start();
        settings["Instrumentation:Wavefront:MetricsPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Instrumentation:Wavefront:HistogramsPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Instrumentation:Wavefront:TracingPort"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        break;
    default:
        Console.Error.WriteLine($"unknown mode {mode}");
        return 2;
}

var ours = mode is "metrics" or "defaults" or "exported" or "dashboard";
if (ours)
{
    builder.Configuration.AddInMemoryCollection(settings);
    builder.Services.AddInstrumentation();
}

if (mode == "otel-metrics" || mode == "otel-tracing" || mode == "otel-tracing-otlp")
{
    var otel = builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
        .AddAspNetCoreInstrumentation()
        .AddReader(new PeriodicExportingMetricReader(new Discard<Metric>(), exportIntervalMilliseconds: 10_000)));
    if (mode == "otel-tracing-otlp")
    {
        // Spans really exported, as "exported" exports ours: OTLP over HTTP/protobuf to a receiver in another process
        // that answers 200 and discards (build/measure-end-to-end.sh starts it), batched by the SDK's default processor.
        var endpoint = "http://127.0.0.1:" + Environment.GetEnvironmentVariable("OTLP_DISCARD_PORT") + "/v1/traces";
        otel.WithTracing(tracing => tracing
            .AddAspNetCoreInstrumentation()
            .SetSampler(new AlwaysOnSampler())
            .AddOtlpExporter(otlp =>
            {
                otlp.Endpoint = new Uri(endpoint);
                otlp.Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
            }));
    }

    if (mode == "otel-tracing")
    {
        otel.WithTracing(tracing => tracing
            .AddAspNetCoreInstrumentation()
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new BatchActivityExportProcessor(new Discard<Activity>())));
    }
}

var app = builder.Build();
if (ours)
{
    app.UseInstrumentation();
}

if (mode == "floor")
{
    // The least any per-request latency histogram costs here: two clock reads and one record into the library's own
    // histogram, in a middleware, as the in-process benchmarks' (f) row. Not this library: a row to read the others against.
    var latency = new Instrumentation.Instruments.LogHistogram();
    app.Use(async (context, next) =>
    {
        var start = Stopwatch.GetTimestamp();
        await next(context);
        latency.Record(Stopwatch.GetTimestamp() - start);
    });
}

if (mode == "prometheus-net")
{
    app.UseRouting();
    app.UseHttpMetrics();
}

var style = app.MapGet("/style/{id}/make", (string id) => $"Shirts {id} made.");
var price = app.MapGet("/style/{id}/price", (string id) => Results.Ok(new { id, price = 42 }));
if (ours)
{
    style.Instrumented();
    price.Instrumented();
}

// Bytes allocated by the whole process so far, read by the end-to-end script before and after a run to give bytes per
// request: what an in-memory benchmark cannot see (Kestrel's sockets, asynchronous completions, the thread pool).
app.MapGet("/_allocated", () => GC.GetTotalAllocatedBytes(precise: true).ToString(System.Globalization.CultureInfo.InvariantCulture));

if (mode == "dashboard")
{
    var routes = int.Parse(Environment.GetEnvironmentVariable("ROUTES") ?? "200", System.Globalization.CultureInfo.InvariantCulture);
    var extra = app.MapGroup("/r").Instrumented();
    for (var i = 0; i < routes; i++)
    {
        var name = "route" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        extra.MapGet("/" + name + "/{id}", (string id) => id);
    }

    app.MapInstrumentationDashboard();
}

app.Run();
return 0;

/// <summary>An exporter that drops everything it is given.</summary>
internal sealed class Discard<T> : BaseExporter<T>
    where T : class
{
    public override ExportResult Export(in Batch<T> batch) => ExportResult.Success;
}

/// <summary>A TCP port on loopback that accepts connections and reads everything sent to it.</summary>
internal static class DiscardServer
{
    public static int Start()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (true)
            {
                var client = await listener.AcceptTcpClientAsync();
                _ = Task.Run(async () =>
                {
                    var buffer = new byte[65536];
                    using (client)
                    {
                        var stream = client.GetStream();
                        while (await stream.ReadAsync(buffer) > 0)
                        {
                        }
                    }
                });
            }
        });
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

