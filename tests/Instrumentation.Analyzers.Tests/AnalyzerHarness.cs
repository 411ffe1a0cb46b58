using Instrumentation.Tests.Shared;
using System.Collections.Immutable;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Instrumentation.Analyzers.Tests;

/// <summary>
/// Compiles snippets against the .NET and ASP.NET Core reference packs plus the runtime, runs the analyzers with
/// <see cref="CompilationWithAnalyzers"/>, and compares what they report with markup in the snippet:
/// <c>{|INSTR001:text|}</c> marks the exact span a diagnostic with that id must cover.
/// </summary>
internal static partial class AnalyzerHarness
{
    public const string GlobalUsingsPath = "GlobalUsings.cs";

    /// <summary>
    /// What a web project's implicit usings give it, with MVC for brevity, plus the library's namespace unless a test
    /// leaves it out.
    /// </summary>
    public static string GlobalUsings(bool withInstrumentation) => $"""
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using Microsoft.AspNetCore.Builder;
        global using Microsoft.AspNetCore.Hosting;
        global using Microsoft.AspNetCore.Http;
        global using Microsoft.AspNetCore.Mvc;
        global using Microsoft.AspNetCore.Routing;
        global using Microsoft.Extensions.Configuration;
        global using Microsoft.Extensions.DependencyInjection;
        global using Microsoft.Extensions.Hosting;
        global using Microsoft.Extensions.Logging;
        {(withInstrumentation ? "global using Instrumentation;" : string.Empty)}
        """;

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers =
        [new EndpointAnalyzer(), new BucketArgumentsAnalyzer(), new TracedAttributesAnalyzer(), new CustomMetricNameAnalyzer()];

    public static ImmutableArray<MetadataReference> References => ReferenceAssemblies.All;

    public static CSharpCompilationOptions CompilationOptions(OutputKind kind) =>
        new(kind, nullableContextOptions: NullableContextOptions.Enable);

    /// <summary>Source files named Source0.cs, Source1.cs... in the order given, plus the global usings.</summary>
    public static CSharpCompilation Compile(IEnumerable<string> sources, OutputKind kind = OutputKind.ConsoleApplication, bool instrumentationUsing = true)
    {
        var trees = sources
            .Select((source, index) => CSharpSyntaxTree.ParseText(source, ParseOptions, path: $"Source{index}.cs"))
            .Append(CSharpSyntaxTree.ParseText(GlobalUsings(instrumentationUsing), ParseOptions, path: GlobalUsingsPath));
        return CSharpCompilation.Create("AnalyzerInput", trees, References, CompilationOptions(kind));
    }

    /// <summary>
    /// Runs every analyzer; <paramref name="buildProperties"/> are MSBuild properties the project exposes to them,
    /// <paramref name="additionalFiles"/> what a Razor SDK project passes them (<c>.cshtml</c>, <c>.razor</c>).
    /// </summary>
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(
        Compilation compilation, IReadOnlyDictionary<string, string>? buildProperties = null, IEnumerable<AdditionalText>? additionalFiles = null)
    {
        var errors = compilation.GetDiagnostics().Where(diagnostic => diagnostic.Severity == DiagnosticSeverity.Error).ToList();
        Assert.True(errors.Count == 0, "The snippet does not compile:\n" + string.Join("\n", errors));
        var options = new AnalyzerOptions([.. additionalFiles ?? []], new BuildProperties(buildProperties ?? new Dictionary<string, string>()));
        var analysis = compilation.WithAnalyzers(Analyzers, options);
        var diagnostics = await analysis.GetAnalyzerDiagnosticsAsync();
        var failures = (await analysis.GetAllDiagnosticsAsync()).Where(diagnostic => diagnostic.Id == "AD0001").ToList();
        Assert.True(failures.Count == 0, "An analyzer threw:\n" + string.Join("\n", failures));
        return diagnostics.Where(diagnostic => diagnostic.Id.StartsWith("INSTR", StringComparison.Ordinal)).ToImmutableArray();
    }

    /// <summary>
    /// Analyzes marked-up sources and asserts that the diagnostics with the given ids are exactly the marked ones.
    /// Returns them, ordered by file and position, for further assertions on their messages.
    /// </summary>
    public static async Task<IReadOnlyList<Diagnostic>> VerifyAsync(
        string[] ids,
        string[] markedSources,
        OutputKind kind = OutputKind.ConsoleApplication,
        IReadOnlyDictionary<string, string>? buildProperties = null)
    {
        var parsed = markedSources.Select(Markup.Parse).ToList();
        var compilation = Compile(parsed.Select(source => source.Text), kind);
        var diagnostics = (await AnalyzeAsync(compilation, buildProperties))
            .Where(diagnostic => ids.Contains(diagnostic.Id))
            .OrderBy(diagnostic => diagnostic.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(diagnostic => diagnostic.Location.SourceSpan.Start)
            .ThenBy(diagnostic => diagnostic.Id, StringComparer.Ordinal)
            .ToList();

        var expected = parsed
            .SelectMany((source, index) => source.Spans
                .Where(span => ids.Contains(span.Id))
                .Select(span => $"{span.Id} Source{index}.cs {Describe(source.Text, span.Span)}"))
            .Order(StringComparer.Ordinal)
            .ToList();
        var actual = diagnostics
            .Select(diagnostic => $"{diagnostic.Id} {diagnostic.Location.SourceTree?.FilePath} {Describe(diagnostic.Location.SourceTree!.GetText().ToString(), diagnostic.Location.SourceSpan)}")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(
            expected.SequenceEqual(actual),
            $"Expected:\n  {string.Join("\n  ", expected)}\nActual:\n  {string.Join("\n  ", actual)}\nMessages:\n  {string.Join("\n  ", diagnostics.Select(d => d.Id + ": " + d.GetMessage()))}");
        return diagnostics;
    }

    private static string Describe(string text, TextSpan span)
    {
        var line = text[..span.Start].Count(c => c == '\n') + 1;
        return $"line {line} [{text.Substring(span.Start, span.Length)}]";
    }

    /// <summary>An additional file held in memory.</summary>
    public sealed class InMemoryFile(string path, string text) : AdditionalText
    {
        public override string Path => path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(text);
    }

    /// <summary>MSBuild properties as the compiler passes them to analyzers: <c>build_property.Name</c> global options.</summary>
    private sealed class BuildProperties(IReadOnlyDictionary<string, string> properties) : AnalyzerConfigOptionsProvider
    {
        private readonly Options global = new(properties.ToDictionary(pair => "build_property." + pair.Key, pair => pair.Value));

        public override AnalyzerConfigOptions GlobalOptions => global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Options.Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Options.Empty;

        private sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
        {
            public static readonly Options Empty = new([]);

            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}

/// <summary>Source with <c>{|ID:text|}</c> markers removed, and the spans they marked.</summary>
internal sealed partial record Markup(string Text, IReadOnlyList<(string Id, TextSpan Span)> Spans)
{
    public static Markup Parse(string marked)
    {
        var text = new StringBuilder(marked.Length);
        var spans = new List<(string, TextSpan)>();
        var open = new Stack<(string Id, int Start)>();
        var position = 0;
        while (position < marked.Length)
        {
            var start = OpenMarker().Match(marked, position);
            var end = marked.IndexOf("|}", position, StringComparison.Ordinal);
            if (start.Success && start.Index == position)
            {
                open.Push((start.Groups[1].Value, text.Length));
                position += start.Length;
            }
            else if (end == position && open.Count > 0)
            {
                var (id, from) = open.Pop();
                spans.Add((id, TextSpan.FromBounds(from, text.Length)));
                position += 2;
            }
            else
            {
                text.Append(marked[position]);
                position++;
            }
        }

        Assert.True(open.Count == 0, "Unclosed {| marker in the test source.");
        return new Markup(text.ToString(), spans);
    }

    [GeneratedRegex(@"\G\{\|(INSTR\d{3}):")]
    private static partial Regex OpenMarker();
}
