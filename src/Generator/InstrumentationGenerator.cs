using System.Collections.Immutable;
using Instrumentation.Generator.Emission;
using Instrumentation.Generator.Model;
using Instrumentation.Generator.Parsing;
using Instrumentation.Generator.Parsing.Kinds;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Instrumentation.Generator;

/// <summary>
/// Finds every controller action, minimal-API endpoint, gRPC service method and SignalR hub at build time and emits <c>InstrumentationCatalog.g.cs</c>,
/// which registers a <c>RouteDescriptor</c> per (route, method) when the assembly loads.
/// </summary>
/// <remarks>
/// Every value between steps is plain data without positions, so an edit that only moves code (a line added above an
/// endpoint) re-parses the edited file but stops there: the parsed specs compare equal and nothing after them reruns.
/// </remarks>
[Generator(LanguageNames.CSharp)]
public sealed class InstrumentationGenerator : IIncrementalGenerator
{
    private const string InstrumentedAttributeMetadataName = KnownSymbols.InstrumentationNamespace + "." + InstrumentationChoices.InstrumentedAttribute;

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Endpoints and controllers have no attribute of their own to key on (an unmarked one is catalogued too), so
        // they are found by a cheap syntax test and confirmed semantically.
        var minimalApis = context.SyntaxProvider
            .CreateSyntaxProvider(
                MinimalApiParser.IsCandidate,
                static (syntax, cancellationToken) => MinimalApiParser.Parse((InvocationExpressionSyntax)syntax.Node, syntax.SemanticModel, cancellationToken))
            .WithTrackingName(TrackingNames.MinimalApis)
            .CollectNonNull();

        var controllers = context.SyntaxProvider
            .CreateSyntaxProvider(
                ControllerParser.IsCandidate,
                static (syntax, cancellationToken) => ControllerParser.Parse((ClassDeclarationSyntax)syntax.Node, syntax.SemanticModel, cancellationToken))
            .WithTrackingName(TrackingNames.Controllers)
            .CollectNonNull();

        var controllerMappings = context.SyntaxProvider
            .CreateSyntaxProvider(
                ControllerRouteMappingParser.IsCandidate,
                static (syntax, cancellationToken) => ControllerRouteMappingParser.Parse((InvocationExpressionSyntax)syntax.Node, syntax.SemanticModel, cancellationToken))
            .WithTrackingName(TrackingNames.ControllerMappings)
            .CollectNonNull();

        var rpcServices = context.SyntaxProvider
            .CreateSyntaxProvider(
                RpcServiceParser.IsCandidate,
                static (syntax, cancellationToken) => RpcServiceParser.Parse((InvocationExpressionSyntax)syntax.Node, syntax.SemanticModel, cancellationToken))
            .WithTrackingName(TrackingNames.RpcServices)
            .CollectNonNull();

        // Keyed on the attribute, so only files that carry it are bound. [NotInstrumented] cannot target an assembly
        // (and [Instrumented] cannot be repeated), so the assembly's choice is whether this one attribute is present.
        var assemblyInstrumented = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                InstrumentedAttributeMetadataName,
                static (node, _) => node is CompilationUnitSyntax,
                static (attributed, _) => attributed.TargetSymbol is IAssemblySymbol)
            .Collect()
            .Select(static (found, _) => found.Contains(true))
            .WithTrackingName(TrackingNames.AssemblyInstrumented);

        // Razor Pages and components: their directives from the .cshtml/.razor files, their classes from the syntax.
        var projectDirectory = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property.projectdir", out var directory) ? directory : null);
        var razorFiles = context.AdditionalTextsProvider
            .Where(RazorFileParser.IsRazorFile)
            .Combine(projectDirectory)
            .Select(static (input, cancellationToken) => RazorFileParser.Parse(input.Left, input.Right, cancellationToken))
            .CollectNonNull()
            .WithTrackingName(TrackingNames.RazorFiles);
        var razorClasses = context.SyntaxProvider
            .CreateSyntaxProvider(
                RazorClassParser.IsCandidate,
                static (syntax, cancellationToken) => RazorClassParser.Parse((ClassDeclarationSyntax)syntax.Node, syntax.SemanticModel, cancellationToken))
            .CollectNonNull()
            .WithTrackingName(TrackingNames.RazorClasses);
        var razorMappings = context.SyntaxProvider
            .CreateSyntaxProvider(
                RazorMappingParser.IsCandidate,
                static (syntax, cancellationToken) => RazorMappingParser.Parse((InvocationExpressionSyntax)syntax.Node, syntax.SemanticModel, cancellationToken))
            .CollectNonNull()
            .Select(static (mappings, _) => RazorMappings.From(mappings));

        var catalog = minimalApis
            .Combine(controllers)
            .Combine(controllerMappings)
            .Combine(assemblyInstrumented)
            .Combine(razorFiles.Combine(razorClasses).Combine(razorMappings))
            .Select(static (inputs, _) => RazorResolver.Merge(
                EndpointResolver.Resolve(
                    inputs.Left.Left.Left.Left,
                    inputs.Left.Left.Left.Right,
                    inputs.Left.Left.Right,
                    inputs.Left.Right),
                RazorResolver.Resolve(inputs.Right.Left.Left, inputs.Right.Left.Right, inputs.Left.Right, inputs.Right.Right)))
            .WithTrackingName(TrackingNames.Endpoints)
            .Combine(rpcServices)
            .Select(static (inputs, _) => CatalogBuilder.Build(inputs.Left, RpcEndpoints.Names(inputs.Right)))
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

internal static class PipelineExtensions
{
    /// <summary>The parsed values, without the nulls a parser returns for candidates it rejects.</summary>
    public static IncrementalValueProvider<ImmutableArray<T>> CollectNonNull<T>(this IncrementalValuesProvider<T?> parsed)
        where T : class =>
        parsed.Where(static value => value is not null).Select(static (value, _) => value!).Collect();
}
