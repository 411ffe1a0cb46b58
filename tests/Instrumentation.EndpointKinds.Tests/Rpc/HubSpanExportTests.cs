using System.Globalization;
using Instrumentation.TestSupport.Wavefront;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Instrumentation.EndpointKinds.Tests.Rpc;

/// <summary>
/// Hub method invocations have no HTTP request of their own, so their spans come from this library's own source; with
/// Wavefront tracing on they are exported like the request spans, without listing that source anywhere.
/// </summary>
public sealed class HubSpanExportTests(HubSpanExportTests.WavefrontApp app) : IClassFixture<HubSpanExportTests.WavefrontApp>
{
    [Fact]
    public async Task Hub_method_spans_reach_the_wavefront_proxy_named_hub_slash_method_and_a_throw_is_an_error()
    {
        var proxy = app.Proxy;
        await using var connection = new HubConnectionBuilder().WithUrl(new Uri(app.Http1, "/chat"), HttpTransportType.LongPolling).Build();
        await connection.StartAsync();
        await connection.InvokeAsync<string>("Send", "a");
        await Assert.ThrowsAnyAsync<Exception>(() => connection.InvokeAsync("Fail"));

        static IEnumerable<WavefrontSpan> Spans(IReadOnlyList<string> lines) =>
            lines.Select(WavefrontLineParser.Parse).OfType<WavefrontSpan>();
        var lines = await proxy.WaitForAsync(
            lines => Spans(lines).Any(s => s.Operation == "ChatHub/Send") && Spans(lines).Any(s => s.Operation == "ChatHub/Fail"),
            TimeSpan.FromSeconds(15),
            "the hub method spans never reached the proxy");

        var send = Spans(lines).First(s => s.Operation == "ChatHub/Send");
        var fail = Spans(lines).First(s => s.Operation == "ChatHub/Fail");
        Assert.Contains(send.Tags, t => t is { Key: "rpc.method", Value: "Send" });
        Assert.DoesNotContain(send.Tags, t => t.Key == "error");
        Assert.Contains(fail.Tags, t => t is { Key: "error", Value: "true" });
    }

    /// <summary>The app reporting to a fake Wavefront proxy, started before it.</summary>
    public sealed class WavefrontApp : KindsApp
    {
        public WavefrontApp()
        {
            Proxy = FakeWavefrontProxy.Create();
            var port = Proxy.Port.ToString(CultureInfo.InvariantCulture);
            Settings = new Dictionary<string, string>
            {
                ["Instrumentation:Wavefront:ProxyHost"] = "127.0.0.1",
                ["Instrumentation:Wavefront:MetricsPort"] = port,
                ["Instrumentation:Wavefront:HistogramsPort"] = port,
                ["Instrumentation:Wavefront:TracingPort"] = port,
                ["Instrumentation:Wavefront:FlushIntervalSeconds"] = "1",
                ["Instrumentation:Wavefront:ReportingIntervalSeconds"] = "3600",
            };
        }

        public FakeWavefrontProxy Proxy { get; }

        protected override IReadOnlyDictionary<string, string> Settings { get; }

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            await Proxy.DisposeAsync();
        }
    }
}
