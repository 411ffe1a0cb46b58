namespace Instrumentation.Configuration;

/// <summary>The <c>Instrumentation:Graphite</c> section.</summary>
public sealed class GraphiteOptions
{
    /// <summary>Whether this part is on.</summary>
    public bool Enabled { get; set; } = false;
}
