using System.Collections.Immutable;
using Instrumentation.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Instrumentation.Generator.Parsing;

/// <summary>
/// Finds controllers and their actions with MVC's discovery rules (ControllerFeatureProvider and the default application
/// model) and resolves their attribute routes.
/// </summary>
internal static class ControllerParser
{
    private const string ControllerSuffix = "Controller";
    private const string AsyncSuffix = "Async";

    // Runs on every class of every edited file, so it looks at syntax only. MVC only considers top-level classes.
    public static bool IsCandidate(SyntaxNode node, CancellationToken cancellationToken) =>
        node is ClassDeclarationSyntax declaration
        && declaration.Parent is BaseNamespaceDeclarationSyntax or CompilationUnitSyntax
        && declaration.TypeParameterList is null
        && !declaration.Modifiers.Any(SyntaxKind.StaticKeyword)
        && !declaration.Modifiers.Any(SyntaxKind.AbstractKeyword)
        && (declaration.BaseList is not null
            || declaration.AttributeLists.Count > 0
            || declaration.Identifier.ValueText.EndsWith(ControllerSuffix, StringComparison.OrdinalIgnoreCase));

    public static ControllerSpec? Parse(ClassDeclarationSyntax declaration, SemanticModel model, CancellationToken cancellationToken) =>
        ParseWithSites(declaration, model, cancellationToken)?.Spec;

    /// <summary>
    /// The spec and, parallel to its actions, each action's method declaration (null for one outside the source), where
    /// diagnostics about the action go. Only analyzers ask for the sites: the generator's specs carry no position.
    /// </summary>
    public static (ControllerSpec Spec, ImmutableArray<Location?> ActionSites)? ParseWithSites(ClassDeclarationSyntax declaration, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetDeclaredSymbol(declaration, cancellationToken) is not INamedTypeSymbol type
            || !IsFirstDeclaration(type, declaration)
            || !IsController(type))
        {
            return null;
        }

        var controllerName = type.Name.EndsWith(ControllerSuffix, StringComparison.OrdinalIgnoreCase)
            ? type.Name.Substring(0, type.Name.Length - ControllerSuffix.Length)
            : type.Name;
        var controllerTemplates = ControllerTemplates(type);
        var controllerArea = AreaOf(InheritedAttributes(type));
        var controllerChoice = ClassChoice(type);

        var actions = new List<ActionSpec>();
        var sites = ImmutableArray.CreateBuilder<Location?>();
        foreach (var method in Actions(type))
        {
            cancellationToken.ThrowIfCancellationRequested();
            actions.Add(ParseAction(method, controllerName, controllerArea, controllerTemplates, controllerChoice));
            sites.Add(method.Locations.FirstOrDefault(candidate => candidate.IsInSource));
        }

        return (new ControllerSpec(type.ToDisplayString(), controllerName, actions.ToEquatableArray()), sites.ToImmutable());
    }

    /// <summary>
    /// A partial class is seen once per declaration the predicate accepts; only the first of those produces the spec
    /// (the very first declaration may be one the predicate skipped, such as one without base list or attributes).
    /// </summary>
    private static bool IsFirstDeclaration(INamedTypeSymbol type, ClassDeclarationSyntax declaration)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree == declaration.SyntaxTree && reference.Span == declaration.Span)
            {
                return true;
            }

            if (reference.GetSyntax() is ClassDeclarationSyntax other && IsCandidate(other, CancellationToken.None))
            {
                return false;
            }
        }

        return false;
    }

    public static bool IsController(INamedTypeSymbol type) =>
        type.TypeKind == TypeKind.Class
        && !type.IsAbstract
        && !type.IsStatic
        && type.DeclaredAccessibility == Accessibility.Public
        && type.ContainingType is null
        && !type.IsGenericType
        && !HasInheritedAttribute(type, "NonControllerAttribute")
        && (type.Name.EndsWith(ControllerSuffix, StringComparison.OrdinalIgnoreCase)
            || HasInheritedAttribute(type, "ControllerAttribute")
            || KnownSymbols.IsOrDerivesFrom(type, KnownSymbols.MvcNamespace, "ControllerBase"));

    private static bool HasInheritedAttribute(INamedTypeSymbol type, string attributeName) =>
        InheritedAttributes(type).Any(attribute => KnownSymbols.IsOrDerivesFrom(attribute.AttributeClass, KnownSymbols.MvcNamespace, attributeName));

    private static IEnumerable<AttributeData> InheritedAttributes(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var attribute in current.GetAttributes())
            {
                yield return attribute;
            }
        }
    }

    /// <summary>The most derived class that says anything decides: a base's choice does not outlive a derived class's.</summary>
    internal static InstrumentationChoice ClassChoice(INamedTypeSymbol type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            var choice = InstrumentationChoices.FromAttributes(current.GetAttributes());
            if (choice != InstrumentationChoice.Unspecified)
            {
                return choice;
            }
        }

        return InstrumentationChoice.Unspecified;
    }

    /// <summary>MVC takes the class routes of the most derived class that has any, so a derived class can replace them.</summary>
    private static List<string> ControllerTemplates(INamedTypeSymbol type)
    {
        for (var current = type; current is not null && current.SpecialType != SpecialType.System_Object; current = current.BaseType)
        {
            var templates = current.GetAttributes()
                .Select(RouteAttributes.ReadProvider)
                .Where(provider => provider is { Template: not null })
                .Select(provider => provider!.Value.Template!)
                .ToList();
            if (templates.Count > 0)
            {
                return templates;
            }
        }

        return [];
    }

    private static string? AreaOf(IEnumerable<AttributeData> attributes)
    {
        foreach (var attribute in attributes)
        {
            if (KnownSymbols.IsOrDerivesFrom(attribute.AttributeClass, KnownSymbols.MvcNamespace, "AreaAttribute")
                && attribute.ConstructorArguments.Length == 1)
            {
                return attribute.ConstructorArguments[0].Value as string;
            }
        }

        return null;
    }

    /// <summary>Public instance methods MVC treats as actions, most derived first, each override counted once.</summary>
    private static IEnumerable<IMethodSymbol> Actions(INamedTypeSymbol type)
    {
        var overridden = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        var signatures = new HashSet<IMethodSymbol>(SignatureComparer.Instance);
        for (var current = type; current is not null && !IsFrameworkBase(current); current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                if (member is not IMethodSymbol { MethodKind: MethodKind.Ordinary } method || overridden.Contains(method))
                {
                    continue;
                }

                for (var baseMethod = method.OverriddenMethod; baseMethod is not null; baseMethod = baseMethod.OverriddenMethod)
                {
                    overridden.Add(baseMethod);
                }

                // A method hidden with 'new' is not an action of the derived class.
                if (!signatures.Add(method))
                {
                    continue;
                }

                if (IsAction(type, method))
                {
                    yield return method;
                }
            }
        }
    }

    // ControllerBase and Controller only declare [NonAction] helpers; not walking them saves binding their members.
    private static bool IsFrameworkBase(INamedTypeSymbol type) =>
        type.SpecialType == SpecialType.System_Object
        || KnownSymbols.Is(type, KnownSymbols.MvcNamespace, "ControllerBase")
        || KnownSymbols.Is(type, KnownSymbols.MvcNamespace, ControllerSuffix);

    /// <summary>Methods with the same name and parameter types, the signature a 'new' method hides.</summary>
    private sealed class SignatureComparer : IEqualityComparer<IMethodSymbol>
    {
        public static readonly SignatureComparer Instance = new();

        public bool Equals(IMethodSymbol? x, IMethodSymbol? y)
        {
            if (x is null || y is null)
            {
                return ReferenceEquals(x, y);
            }

            if (x.Name != y.Name || x.Parameters.Length != y.Parameters.Length)
            {
                return false;
            }

            for (var i = 0; i < x.Parameters.Length; i++)
            {
                if (!SymbolEqualityComparer.Default.Equals(x.Parameters[i].Type, y.Parameters[i].Type))
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(IMethodSymbol method) => StringComparer.Ordinal.GetHashCode(method.Name) ^ method.Parameters.Length;
    }

    private static bool IsAction(INamedTypeSymbol controller, IMethodSymbol method)
    {
        if (method.DeclaredAccessibility != Accessibility.Public || method.IsStatic || method.IsAbstract || method.IsGenericMethod)
        {
            return false;
        }

        var root = method;
        while (root.OverriddenMethod is not null)
        {
            root = root.OverriddenMethod;
        }

        if (root.ContainingType.SpecialType == SpecialType.System_Object || IsDisposeImplementation(controller, method))
        {
            return false;
        }

        return !OverrideChain(method).Any(declaration => declaration.GetAttributes()
            .Any(attribute => KnownSymbols.Is(attribute.AttributeClass, KnownSymbols.MvcNamespace, "NonActionAttribute")));
    }

    private static bool IsDisposeImplementation(INamedTypeSymbol controller, IMethodSymbol method)
    {
        if (method.Name != "Dispose" || method.Parameters.Length != 0)
        {
            return false;
        }

        var disposable = controller.AllInterfaces.FirstOrDefault(candidate => candidate.SpecialType == SpecialType.System_IDisposable);
        var dispose = disposable?.GetMembers("Dispose").FirstOrDefault();
        return dispose is not null
            && SymbolEqualityComparer.Default.Equals(controller.FindImplementationForInterfaceMember(dispose), method);
    }

    private static IEnumerable<IMethodSymbol> OverrideChain(IMethodSymbol method)
    {
        for (var current = method; current is not null; current = current.OverriddenMethod)
        {
            yield return current;
        }
    }

    /// <summary>The attributes MVC sees on an action: an override inherits its base declaration's.</summary>
    private static List<AttributeData> ActionAttributes(IMethodSymbol method)
    {
        foreach (var declaration in OverrideChain(method))
        {
            var attributes = declaration.GetAttributes();
            if (attributes.Any(attribute => RouteAttributes.ReadProvider(attribute) is not null))
            {
                return [.. attributes];
            }
        }

        return [.. method.GetAttributes()];
    }

    private static ActionSpec ParseAction(
        IMethodSymbol method,
        string controllerName,
        string? controllerArea,
        List<string> controllerTemplates,
        InstrumentationChoice controllerChoice)
    {
        var chain = OverrideChain(method).ToList();
        var actionName = chain.SelectMany(declaration => declaration.GetAttributes())
            .Where(attribute => KnownSymbols.Is(attribute.AttributeClass, KnownSymbols.MvcNamespace, "ActionNameAttribute"))
            .Select(attribute => attribute.ConstructorArguments.FirstOrDefault().Value as string)
            .FirstOrDefault(name => name is not null)
            ?? StripAsyncSuffix(method.Name);
        var area = AreaOf(chain.SelectMany(declaration => declaration.GetAttributes())) ?? controllerArea;
        var methodChoice = chain.Select(declaration => InstrumentationChoices.FromAttributes(declaration.GetAttributes()))
            .FirstOrDefault(choice => choice != InstrumentationChoice.Unspecified);

        var tokens = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["controller"] = controllerName,
            ["action"] = actionName,
        };
        if (area is not null)
        {
            tokens["area"] = area;
        }

        var attributeRoutes = new List<AttributeRouteSpec>();
        var conventionalSelectors = new List<HttpMethodSet>();
        foreach (var selector in RouteAttributes.Selectors(ActionAttributes(method)))
        {
            if (selector.Template is null && controllerTemplates.Count == 0)
            {
                conventionalSelectors.Add(selector.Methods);
                continue;
            }

            var prefixes = controllerTemplates.Count == 0 ? new List<string?> { null } : controllerTemplates.ConvertAll(template => (string?)template);
            foreach (var prefix in prefixes)
            {
                attributeRoutes.Add(ResolveAttributeRoute(prefix, selector, tokens));
            }
        }

        return new ActionSpec(
            method.Name,
            actionName,
            area,
            attributeRoutes.ToEquatableArray(),
            conventionalSelectors.ToEquatableArray(),
            InstrumentationChoices.Override(controllerChoice, methodChoice));
    }

    private static string StripAsyncSuffix(string name) =>
        name.EndsWith(AsyncSuffix, StringComparison.Ordinal) && name.Length > AsyncSuffix.Length
            ? name.Substring(0, name.Length - AsyncSuffix.Length)
            : name;

    private static AttributeRouteSpec ResolveAttributeRoute(string? prefix, RouteAttributes.Selector selector, Dictionary<string, string> tokens)
    {
        var combined = RouteNaming.CombineAttributeTemplates(prefix, selector.Template) ?? string.Empty;
        var replaced = RouteNaming.ReplaceTokens(combined, tokens);
        if (replaced is null || RouteTemplateParser.Parse(replaced) is null)
        {
            return new AttributeRouteSpec(null, TemplateStatus.InvalidTemplate, selector.Methods);
        }

        return new AttributeRouteSpec(RouteNaming.NormalizeTemplate(replaced), TemplateStatus.Resolved, selector.Methods);
    }
}
