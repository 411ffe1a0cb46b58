namespace Instrumentation.Configuration;

/// <summary>The <c>Instrumentation:Tracing</c> section.</summary>
public sealed class TracingOptions
{
    /// <summary>Whether this part is on.</summary>
    public bool Enabled { get; set; } = true;
}
