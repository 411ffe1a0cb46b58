using Instrumentation.Tests.Shared;
using System.Collections.Immutable;
using System.Reflection;
using Instrumentation.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Instrumentation.Generator.Tests;

/// <summary>Compiles source snippets against the ASP.NET Core reference packs and runs the generator on them.</summary>
internal static class GeneratorHarness
{
    private const string GlobalUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.Linq;
        global using System.Threading.Tasks;
        global using Instrumentation;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Http;
        global using Microsoft.AspNetCore.Mvc;
        global using Microsoft.AspNetCore.Routing;
        """;

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    private static ImmutableArray<MetadataReference> References => ReferenceAssemblies.All;

    public static CSharpCompilation Compile(params string[] sources) => Compile(OutputKind.DynamicallyLinkedLibrary, sources);

    public static CSharpCompilation Compile(OutputKind kind, params string[] sources)
    {
        var trees = sources
            .Select((source, index) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{index}.cs"))
            .Append(CSharpSyntaxTree.ParseText(GlobalUsings, ParseOptions, path: "GlobalUsings.cs"));
        return CSharpCompilation.Create(
            "GeneratorInput" + Guid.NewGuid().ToString("N"),
            trees,
            References,
            new CSharpCompilationOptions(kind, nullableContextOptions: NullableContextOptions.Enable));
    }

    public static GeneratorDriver CreateDriver(IEnumerable<AdditionalText>? additionalFiles = null) =>
        CSharpGeneratorDriver.Create(
            [new InstrumentationGenerator().AsSourceGenerator()],
            additionalTexts: additionalFiles?.ToImmutableArray() ?? [],
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public sealed record Result(GeneratorDriverRunResult Run, Compilation Output, string? Catalog)
    {
        /// <summary>The resolved endpoint model, the step the analyzers will read.</summary>
        public ImmutableArray<EndpointModel> Endpoints =>
            Run.Results[0].TrackedSteps[TrackingNames.Endpoints]
                .SelectMany(step => step.Outputs)
                .Select(output => (EquatableArray<EndpointModel>)output.Value)
                .Single()
                .AsImmutableArray();

        public ImmutableArray<CatalogEntry> Entries =>
            Run.Results[0].TrackedSteps[TrackingNames.Catalog]
                .SelectMany(step => step.Outputs)
                .Select(output => ((CatalogSpec)output.Value).Entries)
                .Single()
                .AsImmutableArray();

        /// <summary>Catalog entries as "entity METHOD template handler" lines, sorted, for compact assertions.</summary>
        public IReadOnlyList<string> Lines =>
            Entries.Select(entry => $"{entry.Names.Entity} {entry.Names.Method} {entry.Names.Template} {entry.Names.Handler}").Order(StringComparer.Ordinal).ToList();

        public void AssertLines(IEnumerable<string> expected) => Assert.Equal(expected.Order(StringComparer.Ordinal), Lines);

        public bool Has(string entity, string template, string method, string handler) =>
            Entries.Any(entry => entry.Names.Entity == entity && entry.Names.Template == template && entry.Names.Method == method && entry.Names.Handler == handler);
    }

    /// <summary>Runs the generator and requires both input and output compilations to be free of errors.</summary>
    public static Result Run(params string[] sources) => Run(Compile(sources));

    /// <summary>Runs the generator with additional files (a Razor SDK project's <c>.cshtml</c> and <c>.razor</c> files).</summary>
    public static Result Run(IEnumerable<(string Path, string Text)> additionalFiles, params string[] sources) =>
        Run(Compile(sources), additionalFiles.Select(file => (AdditionalText)new InMemoryAdditionalText(file.Path, file.Text)));

    public static Result Run(Compilation compilation, IEnumerable<AdditionalText>? additionalFiles = null)
    {
        var driver = CreateDriver(additionalFiles).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        Assert.Empty(generatorDiagnostics);
        AssertNoErrors(compilation, "input");
        AssertNoErrors(output, "output");
        var run = driver.GetRunResult();
        var catalog = run.Results[0].GeneratedSources.SingleOrDefault(source => source.HintName == "InstrumentationCatalog.g.cs");
        return new Result(run, output, catalog.SourceText?.ToString());
    }

    private static void AssertNoErrors(Compilation compilation, string which)
    {
        var errors = compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, $"The {which} compilation has errors:\n" + string.Join("\n", errors));
    }

    /// <summary>Emits and loads the compilation in its own load context, sharing the runtime assembly with the tests.</summary>
    public static Assembly Load(Compilation compilation)
    {
        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        image.Position = 0;
        return new System.Runtime.Loader.AssemblyLoadContext(compilation.AssemblyName, isCollectible: true).LoadFromStream(image);
    }
}

/// <summary>An additional file held in memory.</summary>
internal sealed class InMemoryAdditionalText(string path, string text) : AdditionalText
{
    public override string Path => path;

    public override Microsoft.CodeAnalysis.Text.SourceText GetText(CancellationToken cancellationToken = default) =>
        Microsoft.CodeAnalysis.Text.SourceText.From(text);
}
