using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using RpcKinds.App;
using RpcKinds.Greet;

namespace Instrumentation.RpcKinds.Tests;

/// <summary><c>Instrumentation:Grpc:NonErrorStatuses</c>: which gRPC statuses are errors, checked at startup.</summary>
public sealed class GrpcErrorRuleTests
{
    [Fact]
    public async Task A_status_configured_as_not_an_error_is_reported_as_no_error()
    {
        await using var app = await RpcApp.StartAsync(new Dictionary<string, string?> { ["Instrumentation:Grpc:NonErrorStatuses"] = "OK, CANCELLED, not_found" });
        using var channel = GrpcChannel.ForAddress(app.Http2);
        await Assert.ThrowsAsync<RpcException>(async () => await new Greeter.GreeterClient(channel).FindPersonAsync(new HelloRequest()));

        var metrics = await MetricsScrape.ReadAsync(app.Http1);
        Assert.Equal(1, metrics.Single("request_seconds_count", ("addr", "/greet.Greeter/FindPerson"), ("status", "5"), ("isError", "false")));
    }

    [Fact]
    public async Task A_status_that_does_not_exist_fails_startup_naming_the_key()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(
            () => RpcApp.StartAsync(new Dictionary<string, string?> { ["Instrumentation:Grpc:NonErrorStatuses"] = "OK,NOTFOUND" }));
        Assert.Contains("Instrumentation:Grpc:NonErrorStatuses: 'NOTFOUND' is not a gRPC status", failure.Message, StringComparison.Ordinal);
    }
}
