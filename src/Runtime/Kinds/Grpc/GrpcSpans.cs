using System.Diagnostics;
using Instrumentation.Instruments;

namespace Instrumentation.Kinds.Grpc;

/// <summary>
/// Names a gRPC call's server span as gRPC does, <c>greet.Greeter/SayHello</c> (its template without the leading
/// slash), with the OpenTelemetry RPC tags: <c>rpc.system</c>, <c>rpc.service</c>, <c>rpc.method</c>,
/// <c>rpc.grpc.status_code</c>.
/// </summary>
internal static class GrpcSpans
{
    public static void Describe(Activity span, RouteInstruments route, int grpcStatus)
    {
        var name = route.Descriptor.Template.Substring(1);
        span.DisplayName = name;
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        span.SetTag("rpc.system", "grpc");
        span.SetTag("rpc.service", slash > 0 ? name[..slash] : name);
        span.SetTag("rpc.method", slash > 0 ? name[(slash + 1)..] : name);
        span.SetTag("rpc.grpc.status_code", grpcStatus);
    }
}
