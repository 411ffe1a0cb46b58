using System.Collections.Immutable;
using Instrumentation.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Instrumentation.Generator.Parsing;

/// <summary>
/// Reads <c>[Instrumented]</c>/<c>[NotInstrumented]</c> and <c>.Instrumented()</c>/<c>.NotInstrumented()</c>, and applies
/// the runtime's precedence: the choice applied last to an endpoint's metadata wins.
/// </summary>
internal static class InstrumentationChoices
{
    public const string InstrumentedAttribute = "InstrumentedAttribute";
    public const string NotInstrumentedAttribute = "NotInstrumentedAttribute";
    public const string ConventionExtensions = "InstrumentationEndpointConventionBuilderExtensions";
    public const string InstrumentedConvention = "Instrumented";
    public const string NotInstrumentedConvention = "NotInstrumented";
    public const string DisableHttpMetricsAttribute = "DisableHttpMetricsAttribute";
    public const string DisableHttpMetricsExtensions = "HttpMetricsEndpointConventionBuilderExtensions";
    public const string DisableHttpMetricsConvention = "DisableHttpMetrics";

    /// <summary>The choice the attributes of one declaration make; when both are present, the later one wins.</summary>
    public static InstrumentationChoice FromAttributes(ImmutableArray<AttributeData> attributes)
    {
        var choice = InstrumentationChoice.Unspecified;
        foreach (var attribute in attributes)
        {
            if (KnownSymbols.Is(attribute.AttributeClass, KnownSymbols.InstrumentationNamespace, InstrumentedAttribute))
            {
                choice = InstrumentationChoice.Instrumented;
            }
            else if (KnownSymbols.Is(attribute.AttributeClass, KnownSymbols.InstrumentationNamespace, NotInstrumentedAttribute)
                || KnownSymbols.Is(attribute.AttributeClass, KnownSymbols.HttpNamespace, DisableHttpMetricsAttribute))
            {
                // ASP.NET Core's own opt-out of HTTP metrics counts as [NotInstrumented].
                choice = InstrumentationChoice.NotInstrumented;
            }
        }

        return choice;
    }

    /// <summary>The choice a call makes when it is one of the library's convention extensions.</summary>
    public static InstrumentationChoice FromConvention(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (method.Name == DisableHttpMetricsConvention && KnownSymbols.Is(method.ContainingType, KnownSymbols.BuilderNamespace, DisableHttpMetricsExtensions))
        {
            return InstrumentationChoice.NotInstrumented;
        }

        if (!KnownSymbols.Is(method.ContainingType, KnownSymbols.InstrumentationNamespace, ConventionExtensions))
        {
            return InstrumentationChoice.Unspecified;
        }

        return method.Name switch
        {
            InstrumentedConvention => InstrumentationChoice.Instrumented,
            NotInstrumentedConvention => InstrumentationChoice.NotInstrumented,
            _ => InstrumentationChoice.Unspecified,
        };
    }

    /// <summary>The effective choice of several, listed in the order they are applied.</summary>
    public static InstrumentationChoice Last(IEnumerable<InstrumentationChoice> appliedInOrder)
    {
        var effective = InstrumentationChoice.Unspecified;
        foreach (var choice in appliedInOrder)
        {
            if (choice != InstrumentationChoice.Unspecified)
            {
                effective = choice;
            }
        }

        return effective;
    }

    public static InstrumentationChoice Override(InstrumentationChoice outer, InstrumentationChoice inner) =>
        inner == InstrumentationChoice.Unspecified ? outer : inner;

    public static bool IsInstrumented(bool assemblyInstrumented, InstrumentationChoice effective) =>
        effective switch
        {
            InstrumentationChoice.Instrumented => true,
            InstrumentationChoice.NotInstrumented => false,
            _ => assemblyInstrumented,
        };
}
