using Instrumentation.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Instrumentation.Generator.Parsing;

/// <summary>
/// Reads <c>MapControllers</c>, <c>MapControllerRoute</c>, <c>MapDefaultControllerRoute</c> and
/// <c>MapAreaControllerRoute</c>: the conventional routes, and conventions that reach every controller action.
/// </summary>
internal static class ControllerRouteMappingParser
{
    private const string ControllerEndpointRouteBuilderExtensions = "ControllerEndpointRouteBuilderExtensions";
    private const string MapControllers = "MapControllers";
    private const string MapControllerRoute = "MapControllerRoute";
    private const string MapDefaultControllerRoute = "MapDefaultControllerRoute";
    private const string MapAreaControllerRoute = "MapAreaControllerRoute";

    /// <summary>The pattern <c>MapDefaultControllerRoute</c> registers.</summary>
    public const string DefaultPattern = "{controller=Home}/{action=Index}/{id?}";

    private static readonly HashSet<string> MappingMethods =
        new(StringComparer.Ordinal) { MapControllers, MapControllerRoute, MapDefaultControllerRoute, MapAreaControllerRoute };

    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access }
        && MappingMethods.Contains(access.Name.Identifier.ValueText);

    public static ControllerRouteMappingSpec? Parse(InvocationExpressionSyntax call, SemanticModel model, CancellationToken cancellationToken) =>
        ParseWithSite(call, model, cancellationToken)?.Spec;

    /// <summary>The spec and where diagnostics about it go (its pattern argument, else the call); only analyzers ask for the site.</summary>
    public static (ControllerRouteMappingSpec Spec, SyntaxNode Site)? ParseWithSite(InvocationExpressionSyntax call, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetOperation(call, cancellationToken) is not IInvocationOperation invocation
            || !MappingMethods.Contains(invocation.TargetMethod.Name)
            || !KnownSymbols.Is(invocation.TargetMethod.ContainingType, KnownSymbols.BuilderNamespace, ControllerEndpointRouteBuilderExtensions))
        {
            return null;
        }

        var convention = InstrumentationChoices.Last(BuilderChains.ConventionsAppliedTo(call, model, cancellationToken));
        var order = MappingOrders.Of(call, IsCandidate, cancellationToken);
        switch (invocation.TargetMethod.Name)
        {
            case MapControllers:
                return (new ControllerRouteMappingSpec(ControllerMappingKind.AttributeRoutesOnly, null, TemplateStatus.Resolved, null, EquatableArray<RouteValueDefault>.Empty, convention, order), call);
            case MapDefaultControllerRoute:
                return (new ControllerRouteMappingSpec(ControllerMappingKind.ConventionalRoute, DefaultPattern, TemplateStatus.Resolved, null, EquatableArray<RouteValueDefault>.Empty, convention, order), call);
        }

        var patternArgument = KnownSymbols.Argument(invocation, "pattern");
        var pattern = KnownSymbols.ConstantString(patternArgument?.Value);
        string? areaName = null;
        var constant = pattern is not null;
        if (invocation.TargetMethod.Name == MapAreaControllerRoute)
        {
            areaName = KnownSymbols.ConstantString(KnownSymbols.Argument(invocation, "areaName")?.Value);
            constant &= areaName is not null;
        }

        var spec = new ControllerRouteMappingSpec(
            ControllerMappingKind.ConventionalRoute,
            constant ? pattern : null,
            constant ? TemplateStatus.Resolved : TemplateStatus.NonConstantPattern,
            areaName,
            ReadDefaults(KnownSymbols.Argument(invocation, "defaults")),
            convention,
            order);
        return (spec, patternArgument?.Syntax ?? call);
    }

    /// <summary>Constant members of a <c>defaults: new { controller = "Blog" }</c> anonymous object.</summary>
    private static EquatableArray<RouteValueDefault> ReadDefaults(IArgumentOperation? argument)
    {
        if (argument is null || KnownSymbols.Unwrap(argument.Value) is not IAnonymousObjectCreationOperation creation)
        {
            return EquatableArray<RouteValueDefault>.Empty;
        }

        var defaults = new List<RouteValueDefault>();
        foreach (var initializer in creation.Initializers)
        {
            if (initializer is ISimpleAssignmentOperation { Target: IPropertyReferenceOperation property } assignment
                && KnownSymbols.ConstantString(assignment.Value) is { } value)
            {
                defaults.Add(new RouteValueDefault(property.Property.Name, value));
            }
        }

        return defaults.ToEquatableArray();
    }
}
