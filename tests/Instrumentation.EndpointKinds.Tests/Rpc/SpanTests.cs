using System.Collections.Concurrent;
using System.Diagnostics;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using RpcKinds.App;
using RpcKinds.Greet;

namespace Instrumentation.RpcKinds.Tests;

/// <summary>The spans of gRPC calls and hub method invocations, as a listener (the OpenTelemetry SDK) records them.</summary>
public sealed class SpanTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<Activity> stopped = new();
    private ActivityListener listener = null!;
    private RpcApp app = null!;

    public async Task InitializeAsync()
    {
        listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "Instrumentation.SignalR",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        app = await RpcApp.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await app.DisposeAsync();
        listener.Dispose();
    }

    [Fact]
    public async Task A_gRPC_call_is_a_span_named_service_slash_method_with_rpc_tags_and_its_gRPC_status()
    {
        using var channel = GrpcChannel.ForAddress(app.Http2);
        var client = new Greeter.GreeterClient(channel);
        await client.SayHelloAsync(new HelloRequest { Name = "Ada" });
        await Assert.ThrowsAsync<RpcException>(async () => await client.FindPersonAsync(new HelloRequest { Name = "Eve" }));

        var ok = await SpanAsync("greet.Greeter/SayHello");
        Assert.Equal(("grpc", "greet.Greeter", "SayHello", 0), (Tag(ok, "rpc.system"), Tag(ok, "rpc.service"), Tag(ok, "rpc.method"), ok.GetTagItem("rpc.grpc.status_code")));
        Assert.NotEqual(ActivityStatusCode.Error, ok.Status);
        var failed = await SpanAsync("greet.Greeter/FindPerson");
        Assert.Equal(5, failed.GetTagItem("rpc.grpc.status_code"));
        Assert.Equal(ActivityStatusCode.Error, failed.Status);
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
        Assert.Equal(ActivityStatusCode.Error, (await SpanAsync("ChatHub/Fail")).Status);
    }

    private static string? Tag(Activity span, string key) => span.GetTagItem(key) as string;

    // A server span stops after the response is sent, a moment after the client has its answer.
    private async Task<Activity> SpanAsync(string name)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (stopped.FirstOrDefault(span => span.DisplayName == name && span.Source.Name != "Microsoft.AspNetCore.SignalR.Server") is { } span)
            {
                return span;
            }

            await Task.Delay(25);
        }

        throw new Xunit.Sdk.XunitException($"no span {name}; saw {string.Join(", ", stopped.Select(s => s.Source.Name + ":" + s.DisplayName))}");
    }
}
