using Microsoft.Extensions.Options;

namespace Instrumentation.Configuration;

/// <summary>
/// Checks the whole section at startup; each failure names the configuration key, so a typo fails the deploy, not
/// the dashboards. Each sink registers its own validator for its own section.
/// </summary>
internal sealed class InstrumentationOptionsValidator : IValidateOptions<InstrumentationOptions>
{
    private static readonly string[] ReservedTags = ["application", "service", "cluster", "shard"];

    public ValidateOptionsResult Validate(string? name, InstrumentationOptions options)
    {
        var failures = new List<string>();
        const string section = InstrumentationOptions.SectionName;
        RequireText(failures, $"{section}:Application", options.Application);
        RequireText(failures, $"{section}:Service", options.Service);
        RequireText(failures, $"{section}:Cluster", options.Cluster);
        RequireText(failures, $"{section}:Shard", options.Shard);
        RequireText(failures, $"{section}:Source", options.Source);
        foreach (var (key, value) in options.CustomTags)
        {
            if (ReservedTags.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"{section}:CustomTags:{key} cannot overwrite the '{key}' application tag; set {section}:{char.ToUpperInvariant(key[0])}{key[1..]} instead.");
            }
            else if (string.IsNullOrWhiteSpace(value))
            {
                failures.Add($"{section}:CustomTags:{key} must not be empty.");
            }
        }

        if (options.ErrorStatusCodeMinimum is < 100 or > 600)
        {
            failures.Add($"{section}:ErrorStatusCodeMinimum must be between 100 and 600 (got {options.ErrorStatusCodeMinimum}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static void RequireText(List<string> failures, string key, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            failures.Add($"{key} must not be empty.");
        }
    }
}
