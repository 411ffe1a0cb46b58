using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace Instrumentation.Benchmarks;

/// <summary>
/// Bytes allocated per request when requests carry trace-context headers at the size limit (Kestrel takes 32 KB of
/// headers and 100 of them by default): a 30 KB traceparent, a tracestate of 2,000 entries, baggage of 3,000 entries
/// (30 KB) and of 1,000 (7 KB, under the 8 KB W3C lets a reader cap it at), b3 / X-B3-* / wf-ot-* with 90 baggage
/// headers, and text that was not UTF-8 (as Kestrel hands it over once told to decode Latin-1 or UTF-8). The issue's
/// rule: no allocation beyond what ASP.NET Core itself makes. So each of ours is read against the floor that does the
/// same job with ASP.NET Core's own parts: (f) its default propagator with a hosting subscriber that asks for the
/// request Activity when a traceparent is present (what (b) does), (f3) its default propagator with an Activity
/// listener that records every request (what (b3) does before formatting a span). Bytes are exact under
/// <c>--job short --inProcess</c> on a loaded machine; times are not.
/// </summary>
[MemoryDiagnoser]
public class HostileHeaderBenchmarks
{
    private const string Path = "/style/42/make";
    private const string TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    private BenchmarkHost host = null!;
    private IDisposable? subscription;
    private ActivityListener? listener;

    [ParamsSource(nameof(HeaderSets))]
    public string Headers { get; set; } = "";

    public static IEnumerable<string> HeaderSets => Sets.Keys;

    private static readonly Dictionary<string, KeyValuePair<string, StringValues>[]> Sets = new()
    {
        ["none"] = [],
        ["valid w3c"] = [new("traceparent", TraceParent), new("tracestate", "vendor=abc"), new("baggage", "user=alice,tenant=t1")],
        ["traceparent 30 KB"] = [new("traceparent", "00-" + new string('a', 30_000))],
        ["tracestate 2,000 entries"] = [new("traceparent", TraceParent), new("tracestate", Entries(2_000, "k{0}=v0123456789"))],
        ["baggage 3,000 entries, 30 KB"] = [new("traceparent", TraceParent), new("baggage", Entries(3_000, "k{0}=v12345"))],
        ["baggage 1,000 entries, 7 KB"] = [new("traceparent", TraceParent), new("baggage", Entries(1_000, "k{0}=v"))],
        ["b3, X-B3-*, wf-ot-* x90"] =
        [
            new("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-" + new string('f', 15_000)),
            new("X-B3-TraceId", "80f198ee56343ba864fe8b2a57d3eff7"),
            new("X-B3-SpanId", "e457b5a2e4d86bd1"),
            new("wf-ot-traceid", "3c2d8f35-9e5b-4a3a-9d2e-0f6b8a3c1e44"),
            new("wf-ot-spanid", "7f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"),
            .. Enumerable.Range(0, 90).Select(i => new KeyValuePair<string, StringValues>($"wf-ot-item{i}", new string('v', 150))),
        ],
        ["not UTF-8 (Latin-1 / U+FFFD)"] =
        [
            new("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-0\u00ff"),
            new("tracestate", "vendor=\u00c3\u0028\u00ff\u00fe"),
            new("baggage", "user=\ufffd\ufffd,tenant=\u00e9t\u00e9"),
            new("wf-ot-traceid", "\u00c3\u00a9\ufffd"),
            new("b3", "\ufffd-\ufffd-1"),
        ],
    };

    [GlobalSetup(Target = nameof(None))]
    public void SetupNone() => Start(BenchmarkHost.Plain());

    // ASP.NET Core's own default propagator, named here: an earlier case of this process may have set the current one.
    [GlobalSetup(Target = nameof(AspNetCoreContextFloor))]
    public void SetupAspNetCoreContextFloor()
    {
        Start(BenchmarkHost.Plain(services: services => services.AddSingleton(DistributedContextPropagator.CreateDefaultPropagator())));
        subscription = host.Get<DiagnosticListener>().Subscribe(new Declining(), static (name, request, _) =>
            name == "Microsoft.AspNetCore.Hosting.HttpRequestIn" && request is Microsoft.AspNetCore.Http.HttpContext context
            && context.Request.Headers.ContainsKey("traceparent"));
    }

    [GlobalSetup(Target = nameof(OursDefaults))]
    public void SetupOursDefaults() => Start(BenchmarkHost.Instrumented(new Dictionary<string, string?>()));

    [GlobalSetup(Target = nameof(OursEveryFormat))]
    public void SetupOursEveryFormat() => Start(BenchmarkHost.Instrumented(new Dictionary<string, string?>
    {
        ["Instrumentation:Tracing:Propagation:0"] = "w3c",
        ["Instrumentation:Tracing:Propagation:1"] = "wavefront",
        ["Instrumentation:Tracing:Propagation:2"] = "b3",
        ["Instrumentation:Tracing:Propagation:3"] = "b3multi",
    }));

    [GlobalSetup(Target = nameof(AspNetCoreRecordedFloor))]
    public void SetupAspNetCoreRecordedFloor()
    {
        Start(BenchmarkHost.Plain(services: services => services.AddSingleton(DistributedContextPropagator.CreateDefaultPropagator())));
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
    }

    [GlobalSetup(Target = nameof(OursTracingExported))]
    public void SetupOursTracingExported() => Start(TracingBenchmarks.TracedAndExporting());

    [GlobalCleanup]
    public void Cleanup()
    {
        // In one process (--inProcess) a listener left behind would tax every later case.
        subscription?.Dispose();
        listener?.Dispose();
        host.Dispose();
    }

    [Benchmark(Baseline = true, Description = "(a) no instrumentation")]
    public Task None() => host.Send(Path);

    [Benchmark(Description = "(f) ASP.NET Core's propagator, request Activity asked for when a traceparent is present")]
    public Task AspNetCoreContextFloor() => host.Send(Path);

    [Benchmark(Description = "(b) Instrumentation, defaults (tracing on, nothing exporting, w3c)")]
    public Task OursDefaults() => host.Send(Path);

    [Benchmark(Description = "(b2) Instrumentation, defaults, every propagation format read")]
    public Task OursEveryFormat() => host.Send(Path);

    [Benchmark(Description = "(f3) ASP.NET Core's propagator, every request Activity recorded by a listener")]
    public Task AspNetCoreRecordedFloor() => host.Send(Path);

    [Benchmark(Description = "(b3) Instrumentation, tracing exported (sampled, Wavefront sender, discarding transport)")]
    public Task OursTracingExported() => host.Send(Path);

    private void Start(BenchmarkHost started)
    {
        host = started;
        host.Server.Headers = Sets[Headers];

        host.Send(Path).GetAwaiter().GetResult();
    }

    private static string Entries(int count, string format)
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append(text.Length > 0 ? "," : "").AppendFormat(System.Globalization.CultureInfo.InvariantCulture, format, i);
        }

        return text.ToString();
    }

    private sealed class Declining : IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(KeyValuePair<string, object?> value)
        {
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }
}
