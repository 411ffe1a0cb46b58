using Instrumentation.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Instrumentation.Generator.Parsing.Kinds;

/// <summary>
/// Reads the C# side of Razor endpoints: page model classes (their markers and handler methods, for the pages whose
/// <c>@model</c> they are) and component classes routed by <c>[Route]</c> rather than a <c>.razor</c> file's <c>@page</c>.
/// </summary>
internal static class RazorClassParser
{
    private const string RazorPagesNamespace = "Microsoft.AspNetCore.Mvc.RazorPages";
    private const string ComponentsNamespace = "Microsoft.AspNetCore.Components";

    // Both kinds derive from a framework base, so only classes with a base list are bound.
    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is ClassDeclarationSyntax { BaseList: not null, TypeParameterList: null };

    public static RazorClassSpec? Parse(ClassDeclarationSyntax declaration, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol type || type.IsAbstract)
        {
            return null;
        }

        var filePath = declaration.SyntaxTree.FilePath;
        if (KnownSymbols.IsOrDerivesFrom(type, RazorPagesNamespace, "PageModel"))
        {
            var methods = new List<string>();
            for (var current = type; current is not null && !KnownSymbols.Is(current, RazorPagesNamespace, "PageModel"); current = current.BaseType)
            {
                methods.AddRange(current.GetMembers().OfType<IMethodSymbol>()
                    .Where(method => method.MethodKind == MethodKind.Ordinary && method.DeclaredAccessibility == Accessibility.Public && !method.IsStatic)
                    .Select(method => method.Name));
            }

            return new RazorClassSpec(EndpointKind.Page, type.ToDisplayString(), type.Name, filePath, EquatableArray<string>.Empty,
                ControllerParser.ClassChoice(type), methods.Distinct().OrderBy(name => name, StringComparer.Ordinal).ToEquatableArray());
        }

        if (KnownSymbols.IsOrDerivesFrom(type, ComponentsNamespace, "ComponentBase"))
        {
            var routes = type.GetAttributes()
                .Where(attribute => KnownSymbols.Is(attribute.AttributeClass, ComponentsNamespace, "RouteAttribute"))
                .Select(attribute => attribute.ConstructorArguments.FirstOrDefault().Value as string)
                .OfType<string>()
                .ToEquatableArray();
            return new RazorClassSpec(EndpointKind.Component, type.ToDisplayString(), type.Name, filePath, routes,
                ControllerParser.ClassChoice(type), EquatableArray<string>.Empty);
        }

        return null;
    }
}

/// <summary>A page model or a component class.</summary>
/// <param name="Routes">A component's <c>[Route]</c> templates.</param>
/// <param name="Methods">A page model's public instance methods, for its handler names.</param>
internal sealed record RazorClassSpec(
    EndpointKind Kind,
    string FullName,
    string Name,
    string FilePath,
    EquatableArray<string> Routes,
    InstrumentationChoice Choice,
    EquatableArray<string> Methods);
