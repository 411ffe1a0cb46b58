using Instrumentation.Analyzers.CodeFixes;
using Microsoft.CodeAnalysis;

namespace Instrumentation.Analyzers.Tests;

/// <summary>INSTR001 on each web kind of endpoint left unmarked, and its code fix where the kind has a class to mark.</summary>
public class KindDiagnosticsTests
{
    private const string Project = "/src/Shop/";

    private const string Mappings = """
        using Instrumentation;

        var app = WebApplication.CreateBuilder(args).Build();
        app.UseStaticFiles();
        app.{|INSTR001:MapStaticAssets|}();
        app.{|INSTR001:MapHealthChecks|}("/healthz");
        app.MapHealthChecks("/live").NotInstrumented();
        app.MapHealthChecks("/ready").Instrumented();
        app.{|INSTR001:MapFallbackToFile|}("index.html");
        app.MapGroup("/account").{|INSTR001:MapIdentityApi<Microsoft.AspNetCore.Identity.IdentityUser>|}();
        app.MapRazorPages();
        app.Run();
        """;

    private const string Models = """
        using Microsoft.AspNetCore.Mvc.RazorPages;

        namespace Shop.Pages
        {
            public class {|INSTR001:DetailsModel|} : PageModel
            {
                public void OnGet() { }
            }

            [Instrumentation.Instrumented]
            public class EditModel : PageModel
            {
                public void OnGet() { }
            }

            [Instrumentation.NotInstrumented]
            public class InternalModel : PageModel
            {
                public void OnGet() { }
            }
        }

        namespace Shop.Components
        {
            [Microsoft.AspNetCore.Components.Route("/routed")]
            public sealed class {|INSTR001:Routed|} : Microsoft.AspNetCore.Components.ComponentBase { }
        }
        """;

    private static readonly AnalyzerHarness.InMemoryFile[] RazorFiles =
    [
        new(Project + "Pages/Details.cshtml", "@page \"{id:int}\"\n@model DetailsModel\n"),
        new(Project + "Pages/Edit.cshtml", "@page\n@model EditModel\n"),
        new(Project + "Pages/Internal.cshtml", "@page\n@model InternalModel\n"),
        new(Project + "Pages/Plain.cshtml", "@page\n<p>no model</p>\n"),
        new(Project + "Pages/Marked.cshtml", "@page\n@attribute [Instrumented]\n"),
        new(Project + "Components/Pages/Counter.razor", "@page \"/counter\"\n<p>count</p>\n"),
        new(Project + "Components/Pages/Quiet.razor", "@page \"/quiet\"\n@attribute [NotInstrumented]\n"),
    ];

    [Fact]
    public async Task Each_unmarked_kind_is_reported_where_it_can_be_marked()
    {
        var parsed = new[] { Mappings, Models }.Select(Markup.Parse).ToList();
        var compilation = AnalyzerHarness.Compile(parsed.Select(source => source.Text));
        var diagnostics = (await AnalyzerHarness.AnalyzeAsync(compilation, additionalFiles: RazorFiles))
            .Where(diagnostic => diagnostic.Id == "INSTR001")
            .ToList();

        // In C#: the mapping calls' names and the classes; the page without a model and the .razor component: their files.
        var inSource = diagnostics.Where(diagnostic => diagnostic.Location.IsInSource)
            .Select(diagnostic => diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan))
            .Order(StringComparer.Ordinal);
        var expected = parsed.SelectMany(source => source.Spans.Select(span => source.Text.Substring(span.Span.Start, span.Span.Length))).Order(StringComparer.Ordinal);
        Assert.Equal(expected, inSource);
        var inFiles = diagnostics.Where(diagnostic => !diagnostic.Location.IsInSource)
            .Select(diagnostic => diagnostic.Location.GetLineSpan().Path)
            .Order(StringComparer.Ordinal);
        Assert.Equal([Project + "Components/Pages/Counter.razor", Project + "Pages/Plain.cshtml"], inFiles);

        var messages = diagnostics.Select(diagnostic => diagnostic.GetMessage()).ToList();
        Assert.Contains(messages, message => message.StartsWith("Page '/Details' (/Details/{id:int})", StringComparison.Ordinal));
        Assert.Contains(messages, message => message.StartsWith("Component 'Counter' (/counter)", StringComparison.Ordinal));
        Assert.Contains(messages, message => message.StartsWith("Endpoint '/healthz (any method)' (health)", StringComparison.Ordinal));
        Assert.Contains(messages, message => message.StartsWith("Endpoint 'GET,POST /account' (identity)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_assembly_attribute_covers_every_kind()
    {
        var compilation = AnalyzerHarness.Compile([Markup.Parse(Mappings).Text.Replace("using Instrumentation;", "using Instrumentation;\n\n[assembly: Instrumented]", StringComparison.Ordinal), Markup.Parse(Models).Text]);
        var diagnostics = await AnalyzerHarness.AnalyzeAsync(compilation, additionalFiles: RazorFiles);
        Assert.DoesNotContain(diagnostics, diagnostic => diagnostic.Id == "INSTR001");

        // Page models and components carry their attributes into endpoint metadata: no "attribute has no effect".
        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task The_fix_marks_the_page_model_class()
    {
        using var workspace = new AdhocWorkspace();
        var project = CodeFixHarness.CreateProject(workspace, Markup.Parse(Mappings).Text, Markup.Parse(Models).Text);
        var compilation = (await project.GetCompilationAsync())!;
        var diagnostic = (await AnalyzerHarness.AnalyzeAsync(compilation, additionalFiles: RazorFiles))
            .Single(candidate => candidate.Id == "INSTR001" && candidate.Location.IsInSource
                && candidate.Location.SourceTree!.GetText().ToString(candidate.Location.SourceSpan) == "DetailsModel");

        var actions = await CodeFixHarness.ActionsAsync(project, diagnostic);
        Assert.Equal(["Add [Instrumented] to DetailsModel"], actions.Select(action => action.Title));

        var fixedSolution = await CodeFixHarness.ApplyAsync(project, diagnostic, InstrumentEndpointCodeFix.ClassKey);
        var text = await CodeFixHarness.TextAsync(fixedSolution, "Source1.cs");
        Assert.Contains("    [Instrumented]\n    public class DetailsModel : PageModel", text.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.StartsWith("using Instrumentation;", text.TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_fix_appends_the_convention_to_a_framework_mapping()
    {
        using var workspace = new AdhocWorkspace();
        var project = CodeFixHarness.CreateProject(workspace, Markup.Parse(Mappings).Text);
        var diagnostic = (await CodeFixHarness.DiagnosticsAsync(project)).First(candidate =>
            candidate.Location.SourceTree!.GetText().ToString(candidate.Location.SourceSpan) == "MapHealthChecks");

        var fixedSolution = await CodeFixHarness.ApplyAsync(project, diagnostic, InstrumentEndpointCodeFix.EndpointKey);
        Assert.Contains("app.MapHealthChecks(\"/healthz\").Instrumented();", await CodeFixHarness.TextAsync(fixedSolution, "Source0.cs"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(".Instrumented()")]
    [InlineData(".NotInstrumented()")]
    public async Task A_convention_on_MapRazorPages_or_MapRazorComponents_decides_for_every_page_or_component(string convention)
    {
        static async Task<List<string>> RazorReports(string pages, string components)
        {
            var mappings = Markup.Parse(Mappings).Text.Replace(
                "app.MapRazorPages();",
                $"app.MapRazorPages(){pages};\napp.MapRazorComponents<Shop.Components.Routed>(){components};",
                StringComparison.Ordinal);
            var compilation = AnalyzerHarness.Compile([mappings, Markup.Parse(Models).Text]);
            return (await AnalyzerHarness.AnalyzeAsync(compilation, additionalFiles: RazorFiles))
                .Where(diagnostic => diagnostic.Id == "INSTR001")
                .Select(diagnostic => diagnostic.GetMessage())
                .Where(message => message.StartsWith("Page ", StringComparison.Ordinal) || message.StartsWith("Component ", StringComparison.Ordinal))
                .ToList();
        }

        // Without a convention: the unmarked pages and components are reported (DetailsModel, Plain, Counter, Routed).
        Assert.Equal(4, (await RazorReports("", "")).Count);

        // On the pages' call only: the pages are decided, the components still reported.
        var pagesDecided = await RazorReports(convention, "");
        Assert.DoesNotContain(pagesDecided, message => message.StartsWith("Page ", StringComparison.Ordinal));
        Assert.Equal(2, pagesDecided.Count(message => message.StartsWith("Component ", StringComparison.Ordinal)));

        // On both: nothing left to report.
        Assert.Empty(await RazorReports(convention, convention));
    }

    [Fact]
    public async Task Fallbacks_to_a_page_or_a_controller_are_reported_when_unmarked()
    {
        var parsed = Markup.Parse("""
            using Instrumentation;

            var app = WebApplication.CreateBuilder(args).Build();
            app.{|INSTR001:MapFallbackToPage|}("/legacy/{*path}", "/Details");
            app.{|INSTR001:MapFallbackToController|}("/old/{*path}", "Index", "Home");
            app.MapFallbackToPage("/marked/{*path}", "/Details").Instrumented();
            app.MapFallbackToController("/excluded/{*path}", "Index", "Home").NotInstrumented();
            app.Run();
            """);
        var diagnostics = (await AnalyzerHarness.AnalyzeAsync(AnalyzerHarness.Compile([parsed.Text])))
            .Where(diagnostic => diagnostic.Id == "INSTR001")
            .ToList();

        Assert.Equal(
            parsed.Spans.Select(span => parsed.Text.Substring(span.Span.Start, span.Span.Length)).Order(StringComparer.Ordinal),
            diagnostics.Select(diagnostic => diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan)).Order(StringComparer.Ordinal));
        Assert.All(diagnostics, diagnostic => Assert.Contains("(fallback)", diagnostic.GetMessage(), StringComparison.Ordinal));
    }
}
