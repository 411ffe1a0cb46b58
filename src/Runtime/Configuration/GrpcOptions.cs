namespace Instrumentation.Configuration;

/// <summary>The <c>Instrumentation:Grpc</c> section: how gRPC calls are judged (docs/naming.md, "Endpoint kinds").</summary>
public sealed class GrpcOptions
{
    /// <summary>
    /// The gRPC statuses that are not errors, comma-separated names (<c>NOT_FOUND</c>) or codes (<c>5</c>). Default
    /// <c>OK,CANCELLED</c>: a cancelled call is the client's decision, not a failure of the server; every other status
    /// counts as an error.
    /// </summary>
    public string NonErrorStatuses { get; set; } = "OK,CANCELLED";
}
