using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Instrumentation;

/// <summary>
/// Endpoint metadata that says whether an endpoint is instrumented. The last one in an endpoint's metadata wins, so an
/// action's attribute overrides its controller's, and an endpoint's convention overrides its group's.
/// </summary>
internal interface IInstrumentationMetadata
{
    /// <summary>True to instrument the endpoint, false to exclude it deliberately.</summary>
    bool Enabled { get; }

    /// <summary>Prometheus histogram bucket bounds (seconds) for this endpoint; null keeps the application's.</summary>
    double[]? Buckets { get; }
}

/// <summary>
/// Endpoint metadata that opts an endpoint into tracing when tracing is limited to marked endpoints, and names the
/// request properties its spans carry besides <c>Instrumentation:Tracing:TracedAttributes</c>.
/// </summary>
internal interface ITracingMetadata
{
    /// <summary>True to trace the endpoint.</summary>
    bool Traced { get; }

    /// <summary>The endpoint's own traced attributes: property names or <c>header:Name</c>.</summary>
    IReadOnlyList<string> Attributes { get; }
}

/// <summary>
/// Instruments the endpoints it covers: put it on the assembly, a controller, an action or a minimal-API handler.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly | AttributeTargets.Class | AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class InstrumentedAttribute : Attribute, IInstrumentationMetadata
{
    /// <summary>Instruments with the application's histogram buckets.</summary>
    public InstrumentedAttribute() { }

    /// <summary>Instruments with these Prometheus histogram bucket bounds, in seconds, strictly increasing.</summary>
    public InstrumentedAttribute(params double[] buckets) => Buckets = buckets;

    /// <inheritdoc />
    public bool Enabled => true;

    /// <inheritdoc />
    public double[]? Buckets { get; }
}

/// <summary>Excludes an endpoint (or all of a controller's actions) on purpose: health probes, the metrics endpoint.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class NotInstrumentedAttribute : Attribute, IInstrumentationMetadata
{
    /// <inheritdoc />
    public bool Enabled => false;

    /// <inheritdoc />
    public double[]? Buckets => null;
}

/// <summary>
/// Traces the endpoints it covers when <c>Instrumentation:Tracing:TraceAllRequests</c> is false, and copies the request
/// properties it names to their spans (Flask-OpenTracing's per-view <c>traced_attributes</c>).
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class TracedAttribute : Attribute, ITracingMetadata
{
    /// <summary>Traces the endpoints with the application's traced attributes only.</summary>
    public TracedAttribute() => Attributes = [];

    /// <summary>
    /// Traces the endpoints and copies these request properties to their spans, besides the application's:
    /// <c>Path</c>, <c>PathBase</c>, <c>Method</c>, <c>Scheme</c>, <c>Host</c>, <c>Protocol</c>, <c>QueryString</c>,
    /// <c>ContentType</c>, <c>ContentLength</c>, <c>RemoteIpAddress</c> or a header as <c>header:X-Request-Id</c>.
    /// An unknown name is reported at build time (INSTR012) and refused at startup.
    /// </summary>
    public TracedAttribute(params string[] attributes) => Attributes = attributes ?? [];

    /// <inheritdoc />
    public bool Traced => true;

    /// <summary>The request properties this attribute adds to the endpoints' spans.</summary>
    public IReadOnlyList<string> Attributes { get; }
}

/// <summary>The minimal-API and route-group forms of the attributes.</summary>
public static class InstrumentationEndpointConventionBuilderExtensions
{
    /// <summary>Instruments this endpoint, or every endpoint of this group.</summary>
    public static TBuilder Instrumented<TBuilder>(this TBuilder builder, params double[] buckets)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(buckets is { Length: > 0 } ? new InstrumentedAttribute(buckets) : new InstrumentedAttribute());

    /// <summary>Excludes this endpoint, or every endpoint of this group, from instrumentation.</summary>
    public static TBuilder NotInstrumented<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new NotInstrumentedAttribute());

    /// <summary>Traces this endpoint, or every endpoint of this group.</summary>
    public static TBuilder Traced<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new TracedAttribute());

    /// <summary>
    /// Traces this endpoint, or every endpoint of this group, and copies these request properties to its spans besides
    /// the application's (the names of <see cref="TracedAttribute(string[])"/>).
    /// </summary>
    public static TBuilder Traced<TBuilder>(this TBuilder builder, params string[] attributes)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(new TracedAttribute(attributes));
}
