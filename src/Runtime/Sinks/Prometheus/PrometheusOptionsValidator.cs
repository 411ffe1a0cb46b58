using System.Globalization;
using Instrumentation.Configuration;
using Microsoft.Extensions.Options;

namespace Instrumentation.Sinks.Prometheus;

/// <summary>Checks <c>Instrumentation:Prometheus</c> at startup; each failure names the key.</summary>
internal sealed class PrometheusOptionsValidator : IValidateOptions<InstrumentationOptions>
{
    public ValidateOptionsResult Validate(string? name, InstrumentationOptions all)
    {
        var failures = new List<string>();
        Validate(all.Prometheus, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Validate(PrometheusOptions options, List<string> failures)
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

        if (options.Buckets is { Length: > 0 } buckets && BucketLayout.Problem(buckets) is { } problem)
        {
            failures.Add($"{section}:Buckets {problem}");
        }
    }
}
