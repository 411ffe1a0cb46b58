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

/// <summary>Endpoint metadata that opts an endpoint into tracing when tracing is limited to marked endpoints.</summary>
internal interface ITracingMetadata
{
    /// <summary>True to trace the endpoint.</summary>
    bool Traced { get; }
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

/// <summary>Traces the endpoints it covers when <c>Instrumentation:Tracing:TraceAllRequests</c> is false.</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = true, AllowMultiple = false)]
public sealed class TracedAttribute : Attribute, ITracingMetadata
{
    /// <inheritdoc />
    public bool Traced => true;
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
}
