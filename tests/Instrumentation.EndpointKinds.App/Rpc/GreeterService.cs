using Grpc.Core;
using EndpointKinds.Greet;

namespace Instrumentation.EndpointKinds.App.Rpc;

/// <summary>One method that succeeds, one that fails with NOT_FOUND; <c>Forgotten</c> is left to the generated base.</summary>
public sealed class GreeterService : Greeter.GreeterBase
{
    public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context) =>
        Task.FromResult(new HelloReply { Message = "Hello " + request.Name });

    public override Task<HelloReply> FindPerson(HelloRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.NotFound, "no person named " + request.Name));
}
