using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using EndpointKinds.Greet;

namespace Instrumentation.EndpointKinds.Tests.Rpc;

/// <summary>
/// The spans of gRPC calls and hub method invocations, as a listener (the OpenTelemetry SDK) records them: the app's
/// own listener, on <c>Microsoft.AspNetCore</c> and <c>Instrumentation.SignalR</c>, which it reports at /_kinds/spans.
/// </summary>
public sealed class SpanTests(SpanTests.RecordingApp app) : IClassFixture<SpanTests.RecordingApp>
{
    [Fact]
    public async Task A_gRPC_call_is_a_span_named_service_slash_method_with_rpc_tags_and_its_gRPC_status()
    {
        using var channel = GrpcChannel.ForAddress(app.Http2);
        var client = new Greeter.GreeterClient(channel);
        await client.SayHelloAsync(new HelloRequest { Name = "Ada" });
        await Assert.ThrowsAsync<RpcException>(async () => await client.FindPersonAsync(new HelloRequest { Name = "Eve" }));

        var ok = await SpanAsync("greet.Greeter/SayHello");
        Assert.Equal(("grpc", "greet.Greeter", "SayHello", 0), (Tag(ok, "rpc.system"), Tag(ok, "rpc.service"), Tag(ok, "rpc.method"), ok.GetTagItem("rpc.grpc.status_code")));
        Assert.NotEqual(ActivityStatusCode.Error, ok.StatusCode);
        var failed = await SpanAsync("greet.Greeter/FindPerson");
        Assert.Equal(5, failed.GetTagItem("rpc.grpc.status_code"));
        Assert.Equal(ActivityStatusCode.Error, failed.StatusCode);
    }

    [Fact]
    public async Task A_hub_method_invocation_is_a_span_named_hub_slash_method()
    {
        await using var connection = new HubConnectionBuilder().WithUrl(new Uri(app.Http1, "/chat"), HttpTransportType.WebSockets).Build();
        await connection.StartAsync();
        await connection.InvokeAsync<string>("Send", "a");
        await Assert.ThrowsAnyAsync<Exception>(() => connection.InvokeAsync("Fail"));

        var send = await SpanAsync("ChatHub/Send");
        Assert.Equal(("signalr", "ChatHub", "Send"), (Tag(send, "rpc.system"), Tag(send, "rpc.service"), Tag(send, "rpc.method")));
        Assert.Equal(ActivityStatusCode.Error, (await SpanAsync("ChatHub/Fail")).StatusCode);
    }

    private static string? Tag(SpanRow span, string key) => span.GetTagItem(key) as string;

    // A server span stops after the response is sent, a moment after the client has its answer.
    private async Task<SpanRow> SpanAsync(string name)
    {
        IReadOnlyList<SpanRow> stopped = [];
        for (var attempt = 0; attempt < 200; attempt++)
        {
            stopped = await app.Spans();
            if (stopped.FirstOrDefault(span => span.DisplayName == name && span.SourceName != "Microsoft.AspNetCore.SignalR.Server") is { } span)
            {
                return span;
            }

            await Task.Delay(25);
        }

        throw new Xunit.Sdk.XunitException($"no span {name}; saw {string.Join(", ", stopped.Select(s => s.SourceName + ":" + s.DisplayName))}");
    }

    /// <summary>The app with its span listener on.</summary>
    public sealed class RecordingApp : KindsApp
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } = new Dictionary<string, string> { ["Kinds:RecordSpans"] = "true" };
    }
}
