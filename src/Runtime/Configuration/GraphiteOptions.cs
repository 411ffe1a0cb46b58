namespace Instrumentation.Configuration;

/// <summary>
/// The <c>Instrumentation:Graphite</c> section: per-route metrics named as Flask-Graphite names them, sent to carbon
/// once per interval over the plaintext protocol (see docs/graphite.md).
/// </summary>
public sealed class GraphiteOptions
{
    /// <summary>Whether metrics are sent to Graphite. Default false.</summary>
    public bool Enabled { get; set; } = false;

    /// <summary>The carbon host (carbon-cache, carbon-relay or carbon-aggregator). Default <c>localhost</c>.</summary>
    public string Host { get; set; } = "localhost";

    /// <summary>
    /// The carbon plaintext port. Default 2023, carbon-aggregator's, as Flask-Graphite; carbon-cache listens on 2003.
    /// </summary>
    public int Port { get; set; } = 2023;

    /// <summary>Nodes put before every name, dot-separated (<c>servers.prod</c>). Default empty: no leading node.</summary>
    public string Prefix { get; set; } = "";

    /// <summary>Nodes between the host node and the route. Default <c>aspnetcore</c>.</summary>
    public string Group { get; set; } = "aspnetcore";

    /// <summary>
    /// Seconds per reported interval; each series gets one point per interval. Match it to the precision of the
    /// first retention in carbon's storage-schemas.conf. Default 60, at least 1.
    /// </summary>
    public int ReportingIntervalSeconds { get; set; } = 60;

    /// <summary>Points kept while carbon cannot be reached; points that do not fit are dropped and counted. Default 100000.</summary>
    public int MaxBufferedPoints { get; set; } = 100_000;

    /// <summary>How long shutdown waits to deliver the last, partial interval and anything still buffered. Default 5.</summary>
    public int ShutdownTimeoutSeconds { get; set; } = 5;
}

internal sealed partial class InstrumentationOptionsValidator
{
    static partial void ValidateGraphite(GraphiteOptions options, List<string> failures)
    {
        const string section = InstrumentationOptions.SectionName + ":Graphite";
        RequireText(failures, $"{section}:Host", options.Host);
        if (options.Port is < 1 or > 65535)
        {
            failures.Add($"{section}:Port must be between 1 and 65535 (got {options.Port}).");
        }

        if (options.ReportingIntervalSeconds < 1)
        {
            failures.Add($"{section}:ReportingIntervalSeconds must be at least 1 (got {options.ReportingIntervalSeconds}).");
        }

        if (options.MaxBufferedPoints < 1)
        {
            failures.Add($"{section}:MaxBufferedPoints must be at least 1 (got {options.MaxBufferedPoints}).");
        }

        if (options.ShutdownTimeoutSeconds < 0)
        {
            failures.Add($"{section}:ShutdownTimeoutSeconds must not be negative (got {options.ShutdownTimeoutSeconds}).");
        }

        RequireText(failures, $"{section}:Group", options.Group);
        RequireNodes(failures, $"{section}:Group", options.Group);
        if (!string.IsNullOrEmpty(options.Prefix))
        {
            RequireNodes(failures, $"{section}:Prefix", options.Prefix);
        }
    }

    // Carbon stores a.b as the file a/b.wsp: an empty node would be an empty directory name.
    private static void RequireNodes(List<string> failures, string key, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value) && value.Split('.').Any(string.IsNullOrWhiteSpace))
        {
            failures.Add($"{key} must not have empty nodes (a leading, trailing or doubled '.'): '{value}'.");
        }
    }
}
