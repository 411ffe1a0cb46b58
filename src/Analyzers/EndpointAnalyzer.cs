// Over 400 lines on purpose: one compilation session gathers what INSTR001-008 need (calls, classes, symbols, method
// references) and reports at the end, because a controller's report depends on what the rest of the compilation says of it.
using System.Collections.Concurrent;
using System.Collections.Immutable;
using Instrumentation.Analyzers.Kinds;
using Instrumentation.Analyzers.Locations;
using Instrumentation.Generator.Model;
using Instrumentation.Generator.Parsing;
using Instrumentation.Generator.Parsing.Kinds;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Instrumentation.Analyzers;

/// <summary>
/// Finds endpoints with the generator's own parsers and reports what the generator sees but cannot fix: endpoints left
/// out of instrumentation, routes named at startup, metric names that collide or that Wavefront would change, invalid
/// templates, and instrumentation attributes placed where nothing reads them.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class EndpointAnalyzer : DiagnosticAnalyzer
{
    private const string InstrumentedAttributeName = "Instrumentation.InstrumentedAttribute";

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagDescriptors.NotInstrumented,
        DiagDescriptors.NamedAtStartup,
        DiagDescriptors.SharedMetricName,
        DiagDescriptors.WavefrontName,
        DiagDescriptors.RequestDelegateGenerator,
        DiagDescriptors.AttributeHasNoEffect,
        DiagDescriptors.InvalidRouteTemplate);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            // Without the runtime there is nothing to instrument with, so nothing to say.
            if (start.Compilation.GetTypeByMetadataName(InstrumentedAttributeName) is null)
            {
                return;
            }

            var session = new Session(
                start.Compilation,
                RequestDelegateGeneratorOn(start.Options.AnalyzerConfigOptionsProvider.GlobalOptions),
                RazorEndpointReports.From(start.Options, start.CancellationToken));
            start.RegisterSyntaxNodeAction(session.AnalyzeInvocation, SyntaxKind.InvocationExpression);
            start.RegisterSyntaxNodeAction(session.AnalyzeClass, SyntaxKind.ClassDeclaration);
            start.RegisterSymbolAction(session.AnalyzeSymbol, SymbolKind.NamedType, SymbolKind.Method);
            start.RegisterOperationAction(session.AnalyzeMethodReference, OperationKind.MethodReference);
            start.RegisterCompilationEndAction(session.Report);
        });
    }

    private static bool RequestDelegateGeneratorOn(AnalyzerConfigOptions options) =>
        IsTrue(options, "build_property.EnableRequestDelegateGenerator") || IsTrue(options, "build_property.PublishAot");

    private static bool IsTrue(AnalyzerConfigOptions options, string key) =>
        options.TryGetValue(key, out var value) && string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>What one compilation's analysis gathers; the whole-program diagnostics are reported at its end.</summary>
    private sealed class Session(Compilation compilation, bool requestDelegateGeneratorOn, RazorEndpointReports razor)
    {
        private readonly bool assemblyInstrumented =
            InstrumentationChoices.FromAttributes(compilation.Assembly.GetAttributes()) == InstrumentationChoice.Instrumented;

        private readonly SpanLocator locator = new(compilation);
        private readonly ConcurrentBag<LocatedMinimalApi> minimalApis = [];
        private readonly ConcurrentBag<LocatedController> controllers = [];
        private readonly ConcurrentBag<ControllerRouteMappingSpec> mappings = [];
        private readonly ConcurrentBag<AttributeUse> attributeUses = [];
        private readonly ConcurrentBag<LocatedRpcService> rpcServices = [];

        // Where INSTR001 goes for a minimal API: the MapX name, keyed by the pattern argument it was located by.
        private readonly ConcurrentDictionary<SourceSpan, Location> mapNames = new();
        private readonly ConcurrentDictionary<SourceSpan, string> actionNames = new();
        private readonly ConcurrentDictionary<ISymbol, byte> controllerBases = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<ISymbol, byte> methodsUsedAsDelegates = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<ISymbol, byte> overriddenMethods = new(SymbolEqualityComparer.Default);
        private readonly ConcurrentDictionary<SourceSpan, byte> reportedInvalidActions = new();

        public void AnalyzeInvocation(SyntaxNodeAnalysisContext context)
        {
            var call = (InvocationExpressionSyntax)context.Node;
            var cancellationToken = context.CancellationToken;
            if (MinimalApiParser.IsCandidate(call, cancellationToken))
            {
                if (MinimalApiParser.ParseWithSite(call, context.SemanticModel, cancellationToken) is (var endpoint, var pattern))
                {
                    AnalyzeMinimalApi(context, call, endpoint, pattern.GetLocation());
                }
            }
            else if (RpcServiceParser.IsCandidate(call, cancellationToken))
            {
                if (RpcServiceParser.ParseWithSite(call, context.SemanticModel, cancellationToken) is (var spec, var service))
                {
                    rpcServices.Add(new LocatedRpcService(spec, service));
                }
            }
            else if (RazorMappingParser.IsCandidate(call, cancellationToken))
            {
                razor.AnalyzeMapping(call, context.SemanticModel, cancellationToken);
            }
            else if (ControllerRouteMappingParser.IsCandidate(call, cancellationToken)
                && ControllerRouteMappingParser.ParseWithSite(call, context.SemanticModel, cancellationToken) is (var mapping, var site))
            {
                mappings.Add(mapping);
                var location = site.GetLocation();
                if (mapping.Status == TemplateStatus.NonConstantPattern)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagDescriptors.NamedAtStartup, location, "the conventional route's pattern is not a compile-time constant"));
                }
                else if (mapping.Pattern is { } pattern && RouteTemplateParser.Parse(pattern) is null)
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagDescriptors.InvalidRouteTemplate, location, $"the conventional route '{pattern}'"));
                }
            }
        }

        private void AnalyzeMinimalApi(SyntaxNodeAnalysisContext context, InvocationExpressionSyntax call, MinimalApiEndpointSpec endpoint, Location patternLocation)
        {
            var site = SourceSpan.From(patternLocation);
            minimalApis.Add(new LocatedMinimalApi(endpoint, site));
            var name = ((MemberAccessExpressionSyntax)call.Expression).Name;
            mapNames.TryAdd(site, name.GetLocation());
            switch (endpoint.Status)
            {
                case TemplateStatus.NonConstantPattern:
                    context.ReportDiagnostic(Diagnostic.Create(DiagDescriptors.NamedAtStartup, patternLocation, "its pattern is not a compile-time constant"));
                    break;
                case TemplateStatus.UnresolvedGroupPrefix:
                    context.ReportDiagnostic(Diagnostic.Create(DiagDescriptors.NamedAtStartup, patternLocation, "the prefix of its MapGroup cannot be followed at build time"));
                    break;
                case TemplateStatus.InvalidTemplate:
                    var pattern = patternLocation.SourceTree?.GetText(context.CancellationToken).ToString(patternLocation.SourceSpan);
                    context.ReportDiagnostic(Diagnostic.Create(DiagDescriptors.InvalidRouteTemplate, patternLocation, $"this endpoint ({pattern})"));
                    break;
            }

            // The framework's own mapping calls (MapHealthChecks...) have no handler the Request Delegate Generator replaces.
            if (requestDelegateGeneratorOn && endpoint.Kind == EndpointKind.MinimalApi)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagDescriptors.RequestDelegateGenerator, name.GetLocation(), name.Identifier.ValueText));
            }
        }

        public void AnalyzeClass(SyntaxNodeAnalysisContext context)
        {
            var declaration = (ClassDeclarationSyntax)context.Node;
            razor.AnalyzeClass(declaration, context.SemanticModel, context.CancellationToken);
            if (!ControllerParser.IsCandidate(declaration, context.CancellationToken)
                || ControllerParser.ParseWithSites(declaration, context.SemanticModel, context.CancellationToken) is not (var controller, var actionLocations))
            {
                return;
            }

            var sites = actionLocations.Select(location => location is null ? SourceSpan.None : SourceSpan.From(location)).ToEquatableArray();
            controllers.Add(new LocatedController(controller, sites));
            for (var i = 0; i < controller.Actions.Count; i++)
            {
                var action = controller.Actions[i];
                var display = declaration.Identifier.ValueText + "." + action.MethodName;
                actionNames.TryAdd(sites[i], display);
                if (action.AttributeRoutes.Any(route => route.Status == TemplateStatus.InvalidTemplate)
                    && reportedInvalidActions.TryAdd(sites[i], 0))
                {
                    context.ReportDiagnostic(Diagnostic.Create(DiagDescriptors.InvalidRouteTemplate, locator.Locate(sites[i]), $"action '{display}'"));
                }
            }
        }

        public void AnalyzeSymbol(SymbolAnalysisContext context)
        {
            var symbol = context.Symbol;
            if (symbol is INamedTypeSymbol type && ControllerParser.IsController(type))
            {
                for (var current = type.BaseType; current is not null; current = current.BaseType)
                {
                    controllerBases.TryAdd(current.OriginalDefinition, 0);
                }
            }

            // An override inherits the attributes of the declarations it overrides, so those may reach an action.
            for (var overridden = (symbol as IMethodSymbol)?.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
            {
                overriddenMethods.TryAdd(overridden.OriginalDefinition, 0);
            }

            foreach (var attribute in symbol.GetAttributes())
            {
                if (AttributeUse.NameOf(attribute.AttributeClass) is { } name && attribute.ApplicationSyntaxReference is { } reference)
                {
                    attributeUses.Add(new AttributeUse(symbol, name, Location.Create(reference.SyntaxTree, reference.Span)));
                }
            }
        }

        public void AnalyzeMethodReference(OperationAnalysisContext context)
        {
            var method = ((IMethodReferenceOperation)context.Operation).Method;
            methodsUsedAsDelegates.TryAdd(method.OriginalDefinition, 0);
            if (method.ReducedFrom is { } extension)
            {
                methodsUsedAsDelegates.TryAdd(extension.OriginalDefinition, 0);
            }
        }

        public void Report(CompilationAnalysisContext context)
        {
            var minimal = minimalApis.ToImmutableArray();
            var controllerSpecs = controllers.ToImmutableArray();
            var mappingSpecs = mappings.ToImmutableArray();
            var endpoints = LocatedEndpoints.Resolve(minimal, controllerSpecs, mappingSpecs, assemblyInstrumented);

            var reported = new HashSet<(string Id, Location Location, string Message)>();
            void ReportOnce(DiagnosticDescriptor descriptor, Location location, params object[] arguments)
            {
                var diagnostic = Diagnostic.Create(descriptor, location, arguments);
                if (reported.Add((descriptor.Id, location, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture))))
                {
                    context.ReportDiagnostic(diagnostic);
                }
            }

            if (!assemblyInstrumented)
            {
                ReportNotInstrumented(endpoints, minimal, controllerSpecs, mappingSpecs, ReportOnce);
                razor.ReportNotInstrumented(ReportOnce);
                foreach (var (location, what) in RpcNotInstrumented.Find(rpcServices))
                {
                    ReportOnce(DiagDescriptors.NotInstrumented, location, what);
                }
            }

            foreach (var finding in NameFindings.Find(endpoints.Where(endpoint => endpoint.IsInstrumented)))
            {
                ReportOnce(finding.Descriptor, locator.Locate(finding.Span), finding.Arguments);
            }

            var actionLocations = new HashSet<SourceSpan>(controllerSpecs.SelectMany(controller => controller.ActionSites));
            foreach (var use in attributeUses.OrderBy(use => use.Location.SourceTree?.FilePath, StringComparer.Ordinal).ThenBy(use => use.Location.SourceSpan.Start))
            {
                if (WhyIgnored(use, actionLocations) is { } reason)
                {
                    ReportOnce(DiagDescriptors.AttributeHasNoEffect, use.Location, use.Name, DisplayName(use.Symbol), reason);
                }
            }
        }

        /// <summary>
        /// INSTR001 for endpoints that are off only because nobody opted them in: the ones the same code would
        /// instrument with the assembly opted in are exactly those that no [NotInstrumented] excludes.
        /// </summary>
        private void ReportNotInstrumented(
            List<LocatedEndpoint> endpoints,
            ImmutableArray<LocatedMinimalApi> minimal,
            ImmutableArray<LocatedController> controllerSpecs,
            ImmutableArray<ControllerRouteMappingSpec> mappingSpecs,
            Action<DiagnosticDescriptor, Location, object[]> report)
        {
            var excludable = new HashSet<LocatedEndpoint>(
                LocatedEndpoints.Resolve(minimal, controllerSpecs, mappingSpecs, assemblyInstrumented: true)
                    .Where(endpoint => endpoint.IsInstrumented)
                    .Select(endpoint => endpoint with { Endpoint = endpoint.Endpoint with { IsInstrumented = false } }));

            foreach (var group in endpoints.Where(endpoint => !endpoint.IsInstrumented && excludable.Contains(endpoint)).GroupBy(endpoint => endpoint.Location))
            {
                var routes = string.Join(", ", group.Select(RouteDisplay).Distinct(StringComparer.Ordinal));
                var first = group.First();
                if (first.Kind != EndpointKind.ControllerAction)
                {
                    var location = mapNames.TryGetValue(first.Location, out var name) ? name : locator.Locate(first.Location);
                    var handler = first.HandlerName is null ? string.Empty : $" ({first.HandlerName})";
                    report(DiagDescriptors.NotInstrumented, location, [$"Endpoint '{routes}'{handler}"]);
                }
                else
                {
                    var action = actionNames.TryGetValue(first.Location, out var display) ? display : first.HandlerName;
                    report(DiagDescriptors.NotInstrumented, locator.Locate(first.Location), [$"Action '{action}' ({routes})"]);
                }
            }
        }

        private static string RouteDisplay(LocatedEndpoint endpoint)
        {
            var template = endpoint.Template ?? "(route named at startup)";
            return endpoint.Methods == RouteNaming.StandardMethods
                ? template + " (any method)"
                : string.Join(",", endpoint.Methods) + " " + template;
        }

        /// <summary>Why an instrumentation attribute is never read as endpoint metadata, or null when it may be.</summary>
        private string? WhyIgnored(AttributeUse use, HashSet<SourceSpan> actionLocations)
        {
            switch (use.Symbol)
            {
                case INamedTypeSymbol type:
                    // Page models and components carry their class attributes into their endpoints' metadata too.
                    if (ControllerParser.IsController(type) || controllerBases.ContainsKey(type.OriginalDefinition) || MayBeControllerBase(type)
                        || KnownSymbols.IsOrDerivesFrom(type, "Microsoft.AspNetCore.Mvc.RazorPages", "PageModel")
                        || KnownSymbols.IsOrDerivesFrom(type, "Microsoft.AspNetCore.Components", "ComponentBase"))
                    {
                        return null;
                    }

                    return LooksLikeController(type)
                        ? $"MVC does not discover '{type.Name}' as a controller ({NotAControllerReason(type)})"
                        : "only controllers carry class attributes into endpoint metadata";

                case IMethodSymbol method:
                    var location = method.Locations.FirstOrDefault(candidate => candidate.IsInSource);
                    if ((location is not null && actionLocations.Contains(SourceSpan.From(location)))
                        || methodsUsedAsDelegates.ContainsKey(method.OriginalDefinition)
                        || overriddenMethods.ContainsKey(method.OriginalDefinition))
                    {
                        return null;
                    }

                    var container = method.ContainingType;
                    var inController = ControllerParser.IsController(container) || controllerBases.ContainsKey(container.OriginalDefinition);
                    if (inController || MayBeControllerBase(container))
                    {
                        var reason = NotAnActionReason(method);
                        if (reason is null && !inController)
                        {
                            return null; // a public method of a base class whose controllers live in another project
                        }

                        return $"it is not a controller action ({reason ?? "no route reaches it"})";
                    }

                    // A public handler of a library may be mapped by the application that references it.
                    if (method.MethodKind == MethodKind.Ordinary && IsVisibleOutside(method)
                        && compilation.Options.OutputKind == OutputKind.DynamicallyLinkedLibrary)
                    {
                        return null;
                    }

                    return "it is neither a controller action nor a handler passed to a MapX call";

                default:
                    return null;
            }
        }

        private static bool LooksLikeController(INamedTypeSymbol type) =>
            type.Name.EndsWith("Controller", StringComparison.OrdinalIgnoreCase)
            || KnownSymbols.IsOrDerivesFrom(type, KnownSymbols.MvcNamespace, "ControllerBase");

        /// <summary>An abstract or generic controller-like class: its attributes reach the controllers derived from it.</summary>
        private static bool MayBeControllerBase(INamedTypeSymbol type) =>
            (type.IsAbstract || type.IsGenericType) && LooksLikeController(type) && type.DeclaredAccessibility == Accessibility.Public;

        private static string NotAControllerReason(INamedTypeSymbol type) =>
            type.DeclaredAccessibility != Accessibility.Public ? "it is not public"
            : type.ContainingType is not null ? "it is nested in another type"
            : type.IsStatic ? "it is static"
            : type.IsAbstract ? "it is abstract"
            : type.IsGenericType ? "it is generic"
            : "it is marked [NonController]";

        private static string? NotAnActionReason(IMethodSymbol method) =>
            method.MethodKind != MethodKind.Ordinary ? "it is not an ordinary method"
            : method.DeclaredAccessibility != Accessibility.Public ? "it is not public"
            : method.IsStatic ? "it is static"
            : method.IsGenericMethod ? "it is generic"
            : method.IsAbstract ? "it is abstract"
            : method.GetAttributes().Any(attribute => KnownSymbols.Is(attribute.AttributeClass, KnownSymbols.MvcNamespace, "NonActionAttribute")) ? "it is marked [NonAction]"
            : null;

        private static bool IsVisibleOutside(ISymbol symbol)
        {
            for (var current = symbol; current is not null and not INamespaceSymbol; current = current.ContainingSymbol)
            {
                if (current.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Protected or Accessibility.ProtectedOrInternal))
                {
                    return false;
                }
            }

            return true;
        }

        private static string DisplayName(ISymbol symbol) =>
            symbol is IMethodSymbol method ? method.ContainingType.Name + "." + method.Name : symbol.Name;
    }

    /// <summary>An [Instrumented], [NotInstrumented] or [Traced] attribute and what it was put on.</summary>
    private sealed record AttributeUse(ISymbol Symbol, string Name, Location Location)
    {
        public static string? NameOf(INamedTypeSymbol? attribute)
        {
            if (attribute is null || !KnownSymbols.IsNamespace(attribute.ContainingNamespace, KnownSymbols.InstrumentationNamespace))
            {
                return null;
            }

            return attribute.Name switch
            {
                InstrumentationChoices.InstrumentedAttribute => "Instrumented",
                InstrumentationChoices.NotInstrumentedAttribute => "NotInstrumented",
                "TracedAttribute" => "Traced",
                _ => null,
            };
        }
    }
}
