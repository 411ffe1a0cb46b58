using System.Globalization;
using Instrumentation.Configuration;

namespace Instrumentation.Tracing;

/// <summary>Checks <c>Instrumentation:Tracing</c> at startup; each failure names the key.</summary>
internal sealed class TracingOptionsValidator : SectionValidator<TracingOptions>
{
    protected override TracingOptions Section(InstrumentationOptions options) => options.Tracing;

    protected override void Check(TracingOptions options, List<string> failures)
    {
        const string section = InstrumentationOptions.SectionName + ":Tracing";
        if (options.SamplingRate is { } rate && !(rate >= 0 && rate <= 1))
        {
            failures.Add($"{section}:SamplingRate must be between 0 and 1 (got {rate.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (options.SampleDurationMs is < 0)
        {
            failures.Add($"{section}:SampleDurationMs must not be negative (got {options.SampleDurationMs}).");
        }

        if (options.MaxQueuedSpans < 1)
        {
            failures.Add($"{section}:MaxQueuedSpans must be at least 1 (got {options.MaxQueuedSpans}).");
        }

        if (options.DerivedMetricsIntervalSeconds < 1)
        {
            failures.Add($"{section}:DerivedMetricsIntervalSeconds must be at least 1 (got {options.DerivedMetricsIntervalSeconds}).");
        }

        if (!Enum.IsDefined(options.OperationName))
        {
            failures.Add($"{section}:OperationName must be Handler or Route (got {options.OperationName}).");
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Propagation.Count; i++)
        {
            var format = options.Propagation[i]?.Trim() ?? string.Empty;
            if (!TraceContextPropagator.Formats.Contains(format, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"{section}:Propagation:{i} must be one of {string.Join(", ", TraceContextPropagator.Formats)} (got '{format}').");
            }
            else if (!seen.Add(format))
            {
                failures.Add($"{section}:Propagation:{i} repeats '{format}'.");
            }
        }

        for (var i = 0; i < options.Sources.Count; i++)
        {
            if (SourceNames.Problem(options.Sources[i]) is { } problem)
            {
                failures.Add($"{section}:Sources:{i} {problem} (got '{options.Sources[i]}').");
            }
        }

        for (var i = 0; i < options.TracedAttributes.Count; i++)
        {
            if (!TracedAttributeRules.IsValid(options.TracedAttributes[i]))
            {
                failures.Add($"{section}:TracedAttributes:{i} must be one of {TracedAttributeRules.ValidNames} (got '{options.TracedAttributes[i]}').");
            }
        }
    }
}
