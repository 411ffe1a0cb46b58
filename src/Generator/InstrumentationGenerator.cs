using Instrumentation.Generator.Emission;
using Instrumentation.Generator.Model;
using Instrumentation.Generator.Parsing;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Instrumentation.Generator;

/// <summary>
/// Finds every controller action and minimal-API endpoint at build time and emits <c>InstrumentationCatalog.g.cs</c>,
/// which registers a <c>RouteDescriptor</c> per (route, method) when the assembly loads.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class InstrumentationGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var minimalApis = context.SyntaxProvider
            .CreateSyntaxProvider(
                MinimalApiParser.IsCandidate,
                static (syntax, cancellationToken) => MinimalApiParser.Parse((InvocationExpressionSyntax)syntax.Node, syntax.SemanticModel, cancellationToken))
            .WithTrackingName(TrackingNames.MinimalApiCandidates)
            .Where(static endpoint => endpoint is not null)
            .WithTrackingName(TrackingNames.MinimalApiMatches)
            .Select(static (endpoint, _) => endpoint!)
            .WithTrackingName(TrackingNames.MinimalApiEndpoints)
            .Collect()
            .WithTrackingName(TrackingNames.AllMinimalApiEndpoints);

        var controllers = context.SyntaxProvider
            .CreateSyntaxProvider(
                ControllerParser.IsCandidate,
                static (syntax, cancellationToken) => ControllerParser.Parse((ClassDeclarationSyntax)syntax.Node, syntax.SemanticModel, cancellationToken))
            .WithTrackingName(TrackingNames.ControllerCandidates)
            .Where(static controller => controller is not null)
            .WithTrackingName(TrackingNames.ControllerMatches)
            .Select(static (controller, _) => controller!)
            .WithTrackingName(TrackingNames.Controllers)
            .Collect()
            .WithTrackingName(TrackingNames.AllControllers);

        var controllerMappings = context.SyntaxProvider
            .CreateSyntaxProvider(
                ControllerRouteMappingParser.IsCandidate,
                static (syntax, cancellationToken) => ControllerRouteMappingParser.Parse((InvocationExpressionSyntax)syntax.Node, syntax.SemanticModel, cancellationToken))
            .WithTrackingName(TrackingNames.ControllerMappingCandidates)
            .Where(static mapping => mapping is not null)
            .WithTrackingName(TrackingNames.ControllerMappingMatches)
            .Select(static (mapping, _) => mapping!)
            .WithTrackingName(TrackingNames.ControllerMappings)
            .Collect()
            .WithTrackingName(TrackingNames.AllControllerMappings);

        // Reading the compilation's attributes reruns on every edit, but the bool it yields stops the change there.
        var assemblyInstrumented = context.CompilationProvider
            .Select(static (compilation, _) =>
                InstrumentationChoices.FromAttributes(compilation.Assembly.GetAttributes()) == InstrumentationChoice.Instrumented)
            .WithTrackingName(TrackingNames.AssemblyInstrumented);

        var catalog = minimalApis
            .Combine(controllers)
            .WithTrackingName(TrackingNames.MinimalApisWithControllers)
            .Combine(controllerMappings)
            .WithTrackingName(TrackingNames.WithControllerMappings)
            .Combine(assemblyInstrumented)
            .WithTrackingName(TrackingNames.WithAssemblyInstrumented)
            .Select(static (inputs, _) => EndpointResolver.Resolve(
                inputs.Left.Left.Left,
                inputs.Left.Left.Right,
                inputs.Left.Right,
                inputs.Right))
            .WithTrackingName(TrackingNames.Endpoints)
            .Select(static (endpoints, _) => CatalogBuilder.Build(endpoints))
            .WithTrackingName(TrackingNames.Catalog);

        context.RegisterSourceOutput(catalog, static (output, catalog) =>
        {
            if (catalog.Entries.Count > 0)
            {
                output.AddSource(CatalogEmitter.HintName, CatalogEmitter.Emit(catalog));
            }
        });
    }
}
