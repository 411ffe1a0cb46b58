using System.Collections.Concurrent;
using System.Collections.Immutable;
using Instrumentation.Generator.Model;
using Instrumentation.Generator.Parsing;
using Instrumentation.Generator.Parsing.Kinds;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Instrumentation.Analyzers.Kinds;

/// <summary>
/// INSTR001 for Razor Pages and routable components, from the generator's own Razor parsers: on the page model or
/// component class, where the code fix puts <c>[Instrumented]</c>, or on the Razor file when the page has no class of
/// its own (its <c>@attribute [Instrumented]</c> directive is the place then).
/// </summary>
internal sealed class RazorEndpointReports(ImmutableArray<RazorFileSpec> files)
{
    private readonly ConcurrentDictionary<string, (RazorClassSpec Spec, Location Location)> classes = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<RazorMappingSpec> mappings = [];

    public static RazorEndpointReports From(AnalyzerOptions options, CancellationToken cancellationToken)
    {
        var projectDirectory = options.AnalyzerConfigOptionsProvider.GlobalOptions.TryGetValue("build_property.projectdir", out var directory) ? directory : null;
        var files = options.AdditionalFiles
            .Where(RazorFileParser.IsRazorFile)
            .Select(file => RazorFileParser.Parse(file, projectDirectory, cancellationToken))
            .OfType<RazorFileSpec>()
            .ToImmutableArray();
        return new RazorEndpointReports(files);
    }

    public void AnalyzeClass(ClassDeclarationSyntax declaration, SemanticModel model, CancellationToken cancellationToken)
    {
        if (RazorClassParser.IsCandidate(declaration, cancellationToken)
            && RazorClassParser.Parse(declaration, model, cancellationToken) is { } spec)
        {
            classes.TryAdd(spec.FullName, (spec, declaration.Identifier.GetLocation()));
        }
    }

    /// <summary>A <c>MapRazorPages</c>/<c>MapRazorComponents</c> call, whose conventions decide for every page or component.</summary>
    public void AnalyzeMapping(InvocationExpressionSyntax call, SemanticModel model, CancellationToken cancellationToken)
    {
        if (RazorMappingParser.Parse(call, model, cancellationToken) is { } mapping)
        {
            mappings.Add(mapping);
        }
    }

    /// <summary>The pages and components that nobody opted in and nothing excludes, one report per class or file.</summary>
    public void ReportNotInstrumented(Action<DiagnosticDescriptor, Location, object[]> report)
    {
        if (files.IsEmpty && classes.IsEmpty)
        {
            return;
        }

        var specs = classes.Values.Select(found => found.Spec).ToImmutableArray();
        var conventions = RazorMappings.From(mappings);
        var excludable = new HashSet<RazorEndpoint>(
            RazorResolver.Resolve(files, specs, assemblyInstrumented: true, conventions)
                .Where(endpoint => endpoint.Endpoint.IsInstrumented)
                .Select(endpoint => endpoint with { Endpoint = endpoint.Endpoint with { IsInstrumented = false } }));
        var unmarked = RazorResolver.Resolve(files, specs, assemblyInstrumented: false, conventions)
            .Where(excludable.Contains)
            .GroupBy(endpoint => (endpoint.TypeName, endpoint.FilePath));
        foreach (var group in unmarked.OrderBy(group => group.Key.FilePath, StringComparer.Ordinal))
        {
            var first = group.First().Endpoint;
            var routes = string.Join(", ", group.Select(endpoint => endpoint.Endpoint.Template ?? "(route named at startup)").Distinct(StringComparer.Ordinal));
            var what = first.Kind == EndpointKind.Page
                ? $"Page '{first.HandlerName?.Split(':')[0]}' ({routes})"
                : $"Component '{first.HandlerName}' ({routes})";
            report(DiagDescriptors.NotInstrumented, Where(group.Key.TypeName, group.Key.FilePath), [what]);
        }
    }

    private Location Where(string? typeName, string filePath) =>
        typeName is not null && classes.TryGetValue(typeName, out var found)
            ? found.Location
            : Location.Create(filePath, new TextSpan(0, 0), new LinePositionSpan(LinePosition.Zero, LinePosition.Zero));
}
