using Instrumentation.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Instrumentation.Generator.Parsing.Kinds;

/// <summary>
/// Reads <c>MapRazorPages()</c> and <c>MapRazorComponents&lt;App&gt;()</c> for the conventions chained on them
/// (<c>.Instrumented()</c>, <c>.NotInstrumented()</c>, <c>.DisableHttpMetrics()</c>): they reach every page or component
/// the call maps.
/// </summary>
internal static class RazorMappingParser
{
    private const string MapRazorPages = "MapRazorPages";
    private const string MapRazorComponents = "MapRazorComponents";

    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: MapRazorPages or MapRazorComponents } };

    public static RazorMappingSpec? Parse(InvocationExpressionSyntax call, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetOperation(call, cancellationToken) is not IInvocationOperation invocation
            || !KnownSymbols.IsNamespace(invocation.TargetMethod.ContainingType?.ContainingNamespace, KnownSymbols.BuilderNamespace))
        {
            return null;
        }

        EndpointKind? kind = invocation.TargetMethod.Name switch
        {
            MapRazorPages => EndpointKind.Page,
            MapRazorComponents => EndpointKind.Component,
            _ => null,
        };
        return kind is { } mapped
            ? new RazorMappingSpec(mapped, InstrumentationChoices.Last(BuilderChains.ConventionsAppliedTo(call, model, cancellationToken)), MappingOrders.Of(call, IsCandidate, cancellationToken))
            : null;
    }
}

/// <summary>One <c>MapRazorPages</c> or <c>MapRazorComponents</c> call and the choice its conventions make.</summary>
/// <param name="Kind"><see cref="EndpointKind.Page"/> or <see cref="EndpointKind.Component"/>.</param>
/// <param name="Order">Where the call stands among the file's Razor mapping calls: the later call's convention applies last.</param>
internal sealed record RazorMappingSpec(EndpointKind Kind, InstrumentationChoice Convention, MappingOrder Order);

/// <summary>
/// What the Razor mapping calls of an application choose for every page and every component. Conventions land on the
/// one data source each call shares (pages, or one per component root), so every page sees the pages' conventions. At
/// run time they are applied after the class's own attributes, so they win over them, as <c>MapControllers()</c>'
/// conventions win over a controller's.
/// </summary>
internal sealed record RazorMappings(InstrumentationChoice Pages, InstrumentationChoice Components)
{
    public static readonly RazorMappings None = new(InstrumentationChoice.Unspecified, InstrumentationChoice.Unspecified);

    public static RazorMappings From(IEnumerable<RazorMappingSpec> mappings)
    {
        var ordered = MappingOrders.InApplyOrder(mappings, mapping => mapping.Order);
        return new RazorMappings(
            InstrumentationChoices.Last(ordered.Where(mapping => mapping.Kind == EndpointKind.Page).Select(mapping => mapping.Convention)),
            InstrumentationChoices.Last(ordered.Where(mapping => mapping.Kind == EndpointKind.Component).Select(mapping => mapping.Convention)));
    }
}
