using System.Reflection;

namespace Instrumentation.Configuration;

/// <summary>
/// The <c>Instrumentation</c> configuration section. The application tags follow Wavefront's ApplicationTags:
/// application and service name the workload, cluster and shard default to <c>none</c>, and custom tags may add
/// anything but those four. Every sink reads its own subsection.
/// </summary>
public sealed class InstrumentationOptions
{
    /// <summary>The configuration section bound by <c>AddInstrumentation()</c>.</summary>
    public const string SectionName = "Instrumentation";

    /// <summary>The application tag. Default: the entry assembly's name.</summary>
    public string Application { get; set; } = DefaultName;

    /// <summary>The service tag. Default: the entry assembly's name.</summary>
    public string Service { get; set; } = DefaultName;

    /// <summary>The cluster tag. Default <c>none</c>.</summary>
    public string Cluster { get; set; } = "none";

    /// <summary>The shard tag. Default <c>none</c>.</summary>
    public string Shard { get; set; } = "none";

    /// <summary>The source (host) every point is reported from. Default: the machine name.</summary>
    public string Source { get; set; } = Environment.MachineName;

    /// <summary>
    /// More tags for every series (Wavefront custom tags). From the environment too, as configuration does:
    /// <c>Instrumentation__CustomTags__env=Staging</c>.
    /// </summary>
    public Dictionary<string, string> CustomTags { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The version reported by <c>application_info</c>. Default: the entry assembly's informational version.</summary>
    public string? AppVersion { get; set; }

    /// <summary>Responses with this status code or higher count as errors, unless <see cref="IsError"/> is set. Default 400.</summary>
    public int ErrorStatusCodeMinimum { get; set; } = 400;

    /// <summary>What counts as an error, in code; overrides <see cref="ErrorStatusCodeMinimum"/>. Not bound from configuration.</summary>
    public Func<int, bool>? IsError { get; set; }

    /// <summary>
    /// Counts the response bytes really written (default). When false, only a declared Content-Length is counted,
    /// which saves a few nanoseconds per request.
    /// </summary>
    public bool CountResponseBytes { get; set; } = true;

    /// <summary>The Prometheus endpoint.</summary>
    public PrometheusOptions Prometheus { get; set; } = new();

    /// <summary>Wavefront reporting.</summary>
    public WavefrontOptions Wavefront { get; set; } = new();

    /// <summary>Graphite reporting.</summary>
    public GraphiteOptions Graphite { get; set; } = new();

    /// <summary>How gRPC calls are judged.</summary>
    public GrpcOptions Grpc { get; set; } = new();

    /// <summary>Tracing.</summary>
    public TracingOptions Tracing { get; set; } = new();

    /// <summary>The application tags as Wavefront orders them: application, service, cluster, shard, then custom tags.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ApplicationTags()
    {
        var tags = new List<KeyValuePair<string, string>>
        {
            new("application", Application),
            new("service", Service),
            new("cluster", Cluster),
            new("shard", Shard),
        };
        tags.AddRange(CustomTags.OrderBy(t => t.Key, StringComparer.Ordinal));
        return tags;
    }

    private static string DefaultName => Assembly.GetEntryAssembly()?.GetName().Name ?? "aspnetcore";
}
