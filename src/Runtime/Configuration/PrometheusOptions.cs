namespace Instrumentation.Configuration;

/// <summary>The <c>Instrumentation:Prometheus</c> section.</summary>
public sealed class PrometheusOptions
{
    /// <summary>Whether this part is on.</summary>
    public bool Enabled { get; set; } = true;
}
