using System.Globalization;
using Instrumentation.Configuration;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>Checks <c>Instrumentation:Prometheus</c> at startup; each failure names the key.</summary>
internal sealed class PrometheusOptionsValidator : SectionValidator<PrometheusOptions>
{
    protected override PrometheusOptions Section(InstrumentationOptions options) => options.Prometheus;

    protected override void Check(PrometheusOptions options, List<string> failures)
    {
        const string section = InstrumentationOptions.SectionName + ":Prometheus";
        if (string.IsNullOrWhiteSpace(options.Path) || !options.Path.StartsWith('/'))
        {
            failures.Add($"{section}:Path must start with '/' (got '{options.Path}').");
        }

        if (options.DependencyIntervalSeconds < 1)
        {
            failures.Add($"{section}:DependencyIntervalSeconds must be at least 1 (got {options.DependencyIntervalSeconds.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (!Enum.IsDefined(options.Names))
        {
            failures.Add($"{section}:Names must be BigBrother, OpenTelemetry or Both (got '{options.Names}').");
        }

        if (!Enum.IsDefined(options.IsErrorSpelling))
        {
            failures.Add($"{section}:IsErrorSpelling must be Lowercase or Capitalized (got '{options.IsErrorSpelling}').");
        }

        if (options.Buckets is { Length: > 0 } buckets && BucketLayout.Problem(buckets) is { } problem)
        {
            failures.Add($"{section}:Buckets {problem}");
        }
    }
}
