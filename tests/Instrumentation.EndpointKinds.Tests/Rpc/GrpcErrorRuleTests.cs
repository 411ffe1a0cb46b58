using Grpc.Core;
using Grpc.Net.Client;
using EndpointKinds.Greet;

namespace Instrumentation.EndpointKinds.Tests.Rpc;

/// <summary><c>Instrumentation:Grpc:NonErrorStatuses</c>: which gRPC statuses are errors, checked at startup.</summary>
public sealed class GrpcErrorRuleTests(GrpcErrorRuleTests.NotFoundIsNoErrorApp app) : IClassFixture<GrpcErrorRuleTests.NotFoundIsNoErrorApp>
{
    [Fact]
    public async Task A_status_configured_as_not_an_error_is_reported_as_no_error()
    {
        using var channel = GrpcChannel.ForAddress(app.Http2);
        await Assert.ThrowsAsync<RpcException>(async () => await new Greeter.GreeterClient(channel).FindPersonAsync(new HelloRequest()));

        var metrics = await MetricsScrape.ReadAsync(app.Http1);
        Assert.Equal(1, metrics.Single("request_seconds_count", ("addr", "/greet.Greeter/FindPerson"), ("status", "5"), ("isError", "false")));
    }

    [Fact]
    public async Task A_status_that_does_not_exist_fails_startup_naming_the_key()
    {
        // The process exits with the validation exception unhandled, as ValidateOnStart makes any host do.
        var failure = await KindsApp.FailedStartLogAsync(new Dictionary<string, string> { ["Instrumentation:Grpc:NonErrorStatuses"] = "OK,NOTFOUND" });
        Assert.Contains("Microsoft.Extensions.Options.OptionsValidationException", failure, StringComparison.Ordinal);
        Assert.Contains("Instrumentation:Grpc:NonErrorStatuses: 'NOTFOUND' is not a gRPC status", failure, StringComparison.Ordinal);
    }

    /// <summary>The app with NOT_FOUND configured as not an error (names are read without regard to case or spaces).</summary>
    public sealed class NotFoundIsNoErrorApp : KindsApp
    {
        protected override IReadOnlyDictionary<string, string> Settings { get; } =
            new Dictionary<string, string> { ["Instrumentation:Grpc:NonErrorStatuses"] = "OK, CANCELLED, not_found" };
    }
}
