using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using EndpointKinds.Greet;

namespace Instrumentation.EndpointKinds.Tests.Rpc;

/// <summary>A real gRPC client over h2c; the series read back from /metrics over HTTP/1.1. Its own app: it counts calls.</summary>
public sealed class GrpcTests(KindsApp app) : IClassFixture<KindsApp>
{
    [Fact]
    public async Task Each_call_is_a_series_of_its_method_under_its_gRPC_status_and_the_failing_one_is_an_error()
    {
        using var channel = GrpcChannel.ForAddress(app.Http2);
        var client = new Greeter.GreeterClient(channel);
        Assert.Equal("Hello Ada", (await client.SayHelloAsync(new HelloRequest { Name = "Ada" })).Message);
        Assert.Equal("Hello Bob", (await client.SayHelloAsync(new HelloRequest { Name = "Bob" })).Message);
        var notFound = await Assert.ThrowsAsync<RpcException>(async () => await client.FindPersonAsync(new HelloRequest { Name = "Eve" }));
        Assert.Equal(StatusCode.NotFound, notFound.StatusCode);

        var metrics = await MetricsScrape.ReadAsync(app.Http1);
        var ok = Series("/greet.Greeter/SayHello");
        Assert.Equal(2, metrics.Single("request_seconds_count", [.. ok, ("status", "0"), ("isError", "false")]));
        var failed = Series("/greet.Greeter/FindPerson");
        Assert.Equal(1, metrics.Single("request_seconds_count", [.. failed, ("status", "5"), ("isError", "true")]));

        // The HTTP status of every call was 200: no series says so.
        Assert.DoesNotContain(metrics.Samples("request_seconds_count", ("type", "grpc")), sample => sample.Labels["status"] == "200");
    }

    [Fact]
    public async Task Unimplemented_methods_and_unknown_services_fold_into_one_series_per_service_and_one_overall()
    {
        using var channel = GrpcChannel.ForAddress(app.Http2);
        var client = new Greeter.GreeterClient(channel);
        var forgotten = await Assert.ThrowsAsync<RpcException>(async () => await client.ForgottenAsync(new HelloRequest()));
        Assert.Equal(StatusCode.Unimplemented, forgotten.StatusCode);

        var invoker = channel.CreateCallInvoker();
        foreach (var (service, method) in new[] { ("greet.Greeter", "Missing"), ("greet.Greeter", "AlsoMissing"), ("other.Service", "Any"), ("third.Service", "Any") })
        {
            var call = invoker.AsyncUnaryCall(Method(service, method), host: null, new CallOptions(), new HelloRequest());
            var unimplemented = await Assert.ThrowsAsync<RpcException>(async () => await call);
            Assert.Equal(StatusCode.Unimplemented, unimplemented.StatusCode);
        }

        var metrics = await MetricsScrape.ReadAsync(app.Http1);
        Assert.Equal(2, metrics.Single("request_seconds_count", [.. Series("/greet.Greeter/{unimplementedMethod:grpcunimplemented}"), ("status", "12"), ("isError", "true")]));
        Assert.Equal(2, metrics.Single("request_seconds_count", [.. Series("/{unimplementedService}/{unimplementedMethod:grpcunimplemented}"), ("status", "12")]));
        Assert.DoesNotContain(metrics.Samples("request_seconds_count"), sample => sample.Labels["addr"].Contains("Missing", StringComparison.Ordinal));
    }

    private static (string, string)[] Series(string addr) => [("type", "grpc"), ("method", "POST"), ("addr", addr)];

    private static Method<HelloRequest, HelloReply> Method(string service, string name) => new(
        MethodType.Unary,
        service,
        name,
        Marshallers.Create(request => request.ToByteArray(), HelloRequest.Parser.ParseFrom),
        Marshallers.Create(reply => reply.ToByteArray(), HelloReply.Parser.ParseFrom));
}
