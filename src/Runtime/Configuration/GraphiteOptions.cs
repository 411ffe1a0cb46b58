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
