using Instrumentation.Configuration;

namespace Instrumentation.Kinds.Grpc;

/// <summary>Fails startup on a gRPC status name that does not exist, naming the key.</summary>
internal sealed class GrpcOptionsValidator : SectionValidator<GrpcOptions>
{
    public const string Key = InstrumentationOptions.SectionName + ":Grpc:NonErrorStatuses";

    protected override GrpcOptions Section(InstrumentationOptions options) => options.Grpc;

    protected override void Check(GrpcOptions section, List<string> failures)
    {
        if (section.NonErrorStatuses is null)
        {
            failures.Add($"{Key} must not be null (an empty value makes every status an error).");
            return;
        }

        foreach (var entry in section.NonErrorStatuses.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (GrpcStatusCodes.ParseConfigured(entry) is null)
            {
                failures.Add($"{Key}: '{entry}' is not a gRPC status; use names ({string.Join(", ", GrpcStatusCodes.Names)}) or codes 0-16.");
            }
        }
    }
}
