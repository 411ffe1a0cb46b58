namespace Instrumentation.Configuration;

/// <summary>The <c>Instrumentation:Wavefront</c> section.</summary>
public sealed class WavefrontOptions
{
    /// <summary>Whether this part is on.</summary>
    public bool Enabled { get; set; } = false;

    /// <summary>Whether per-request CPU time is measured (the <c>cpu_ns</c> histograms). Default true.</summary>
    public bool CpuTime { get; set; } = true;
}
