using Instrumentation.Configuration;

namespace Instrumentation.Sinks.Graphite;

/// <summary>Checks <c>Instrumentation:Graphite</c> at startup; each failure names the key.</summary>
internal sealed class GraphiteOptionsValidator : SectionValidator<GraphiteOptions>
{
    protected override GraphiteOptions Section(InstrumentationOptions options) => options.Graphite;

    protected override void Check(GraphiteOptions options, List<string> failures)
    {
        const string section = InstrumentationOptions.SectionName + ":Graphite";
        InstrumentationOptionsValidator.RequireText(failures, $"{section}:Host", options.Host);
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

        InstrumentationOptionsValidator.RequireText(failures, $"{section}:Group", options.Group);
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
