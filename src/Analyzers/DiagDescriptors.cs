using System.Collections.Immutable;
using Microsoft.CodeAnalysis;

namespace Instrumentation.Analyzers;

/// <summary>
/// Every diagnostic the package reports. Ids are stable: users suppress and configure them by id in .editorconfig, and
/// each one is listed in AnalyzerReleases.*.md and documented in docs/diagnostics/&lt;Id&gt;.md.
/// </summary>
internal static class DiagDescriptors
{
    public const string Category = "Instrumentation";

    private const string HelpLinkBase = "https://github.com/instrumentation/instrumentation/blob/main/docs/diagnostics/";

    public static readonly DiagnosticDescriptor NotInstrumented = Create(
        "INSTR001",
        "Endpoint is not instrumented",
        "{0} is not instrumented; add [Instrumented] or .Instrumented(), or exclude it on purpose with [NotInstrumented] or .NotInstrumented()",
        DiagnosticSeverity.Warning,
        "Every endpoint should either be measured or be excluded deliberately, so that no endpoint goes unobserved by accident.",
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor NamedAtStartup = Create(
        "INSTR002",
        "Route is named at startup",
        "The route of this endpoint is not known at build time ({0}); its instrument is named once at startup from the route pattern",
        DiagnosticSeverity.Info,
        "The generator names routes at build time from constant patterns. A pattern held in a variable, or a MapGroup prefix that cannot be followed, is named at startup instead; the endpoint is still instrumented.");

    public static readonly DiagnosticDescriptor SharedMetricName = Create(
        "INSTR003",
        "Endpoints share a metric name",
        "Route '{0}' and {1} get the same metric name '{2}' for {3}; their measurements would be merged: rename one of the routes",
        DiagnosticSeverity.Warning,
        "Metric names come from the route's entity and the HTTP method. Two routes with the same entity, such as /shirt-sizes and /shirt_sizes, or /{id}/x and /id/x, would report into one series.",
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor WavefrontName = Create(
        "INSTR004",
        "Route name Wavefront cannot take unchanged",
        "Route '{0}': {1}",
        DiagnosticSeverity.Warning,
        "Wavefront replaces every character of a metric name outside a-z A-Z 0-9 . _ - , with '-' and rejects a tag whose key and value exceed 254 characters. A route whose names would be changed that way reports into the wrong series or loses data.",
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor InvalidBuckets = Create(
        "INSTR005",
        "Invalid histogram buckets",
        "Histogram buckets {0}",
        DiagnosticSeverity.Error,
        "Bucket bounds are seconds: positive, finite, at least 0.000001 and strictly increasing. The application refuses to start with bounds that break these rules.");

    public static readonly DiagnosticDescriptor RequestDelegateGenerator = Create(
        "INSTR006",
        "The Request Delegate Generator is on",
        "The Request Delegate Generator owns this {0} call site; Instrumentation binds the endpoint at startup through its endpoint data source, so it is instrumented the same way",
        DiagnosticSeverity.Info,
        "With EnableRequestDelegateGenerator or PublishAot, ASP.NET Core intercepts MapX calls at compile time. Instrumentation never intercepts calls, so the interception changes nothing for it.");

    public static readonly DiagnosticDescriptor AttributeHasNoEffect = Create(
        "INSTR007",
        "Instrumentation attribute has no effect",
        "[{0}] on '{1}' does nothing: {2}",
        DiagnosticSeverity.Warning,
        "[Instrumented], [NotInstrumented] and [Traced] are read from endpoint metadata only: on a controller, a controller action or a minimal-API handler. Anywhere else they are silently ignored.",
        WellKnownDiagnosticTags.CompilationEnd);

    public static readonly DiagnosticDescriptor InvalidRouteTemplate = Create(
        "INSTR008",
        "Invalid route template",
        "The route template of {0} is invalid: ASP.NET Core rejects it when it builds the endpoints",
        DiagnosticSeverity.Warning,
        "The template does not follow ASP.NET Core's route syntax (an empty segment, unbalanced braces, an unknown [token]...). The application fails when it builds its endpoints, and the generator cannot name the route.");

    public static readonly DiagnosticDescriptor UnknownTracedAttribute = Create(
        "INSTR012",
        "Unknown traced attribute",
        "'{0}' is not a traced attribute: use one of {1}",
        DiagnosticSeverity.Error,
        "[Traced(...)] and .Traced(...) name the request properties an endpoint's spans carry, as Instrumentation:Tracing:TracedAttributes does. The application refuses to start with a name it does not know.");

    public static readonly DiagnosticDescriptor CustomMetricNameNotConstant = Create(
        "INSTR013",
        "Custom metric name is not a constant",
        "The name of this custom metric ({0}) is not a compile-time constant; it is only checked when the application starts",
        DiagnosticSeverity.Warning,
        "A custom metric's name is its series' name in every backend. A constant name is checked at build time against each backend's rules and the built-in families; any other is checked only when it is declared, at startup, and a name computed from input could create series without bound.");

    public static readonly DiagnosticDescriptor InvalidCustomMetricName = Create(
        "INSTR014",
        "Invalid custom metric name",
        "Custom metric '{0}' cannot be declared: {1}",
        DiagnosticSeverity.Error,
        "A custom metric keeps one name in Prometheus, Wavefront, Graphite and OpenTelemetry, so its name must be one that each of them takes unchanged ([a-zA-Z][a-zA-Z0-9_]*) and must not collide with a built-in family. The application refuses to start with such a name.");

    public static ImmutableArray<DiagnosticDescriptor> All { get; } = ImmutableArray.Create(
        NotInstrumented,
        NamedAtStartup,
        SharedMetricName,
        WavefrontName,
        InvalidBuckets,
        RequestDelegateGenerator,
        AttributeHasNoEffect,
        InvalidRouteTemplate,
        UnknownTracedAttribute,
        CustomMetricNameNotConstant,
        InvalidCustomMetricName);

    private static DiagnosticDescriptor Create(
        string id, string title, string message, DiagnosticSeverity severity, string description, params string[] tags) =>
        new(id, title, message, Category, severity, isEnabledByDefault: true, description, HelpLinkBase + id + ".md", tags);
}
