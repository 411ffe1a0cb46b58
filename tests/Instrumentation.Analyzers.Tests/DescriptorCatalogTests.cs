using Instrumentation.Tests.Shared;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Instrumentation.Analyzers.Tests;

/// <summary>Every diagnostic is documented, tracked for release, and reported by an analyzer.</summary>
public class DescriptorCatalogTests
{
    public static TheoryData<string> Ids() => [.. DiagDescriptors.All.Select(descriptor => descriptor.Id)];

    [Theory]
    [MemberData(nameof(Ids))]
    public void Has_a_title_a_message_a_category_and_a_help_link_to_its_page_in_the_repository(string id)
    {
        var descriptor = DiagDescriptors.All.Single(candidate => candidate.Id == id);

        Assert.False(string.IsNullOrWhiteSpace(descriptor.Title.ToString()));
        Assert.False(string.IsNullOrWhiteSpace(descriptor.MessageFormat.ToString()));
        Assert.False(string.IsNullOrWhiteSpace(descriptor.Description.ToString()));
        Assert.Equal("Instrumentation", descriptor.Category);
        Assert.True(descriptor.IsEnabledByDefault);
        Assert.Equal($"https://github.com/instrumentation/instrumentation/blob/main/docs/diagnostics/{id}.md", descriptor.HelpLinkUri);

        var page = Path.Combine(RepositoryRoot(), "docs", "diagnostics", id + ".md");
        Assert.True(File.Exists(page), $"{page} is missing");
        var text = File.ReadAllText(page);
        Assert.StartsWith($"# {id}: {descriptor.Title}", text, StringComparison.Ordinal);
        Assert.Contains($"Severity: {descriptor.DefaultSeverity.ToString().ToLowerInvariant()}.", text, StringComparison.Ordinal);
        foreach (var section in new[] { "## Problem", "## Example", "## Fix" })
        {
            Assert.Contains(section, text, StringComparison.Ordinal);
        }

        var index = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "diagnostics", "README.md"));
        Assert.Contains($"| [{id}]({id}.md) | {descriptor.DefaultSeverity} | {descriptor.Title}", index, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Is_listed_once_in_the_release_tracking_files_with_its_severity(string id)
    {
        var descriptor = DiagDescriptors.All.Single(candidate => candidate.Id == id);
        var lines = new[] { "AnalyzerReleases.Shipped.md", "AnalyzerReleases.Unshipped.md" }
            .SelectMany(file => File.ReadAllLines(Path.Combine(RepositoryRoot(), "src", "Analyzers", file)))
            .Where(line => line.StartsWith(id + " ", StringComparison.Ordinal))
            .ToList();

        var line = Assert.Single(lines);
        var cells = line.Split('|').Select(cell => cell.Trim()).ToArray();
        Assert.Equal([id, "Instrumentation", descriptor.DefaultSeverity.ToString()], cells[..3]);
    }

    [Fact]
    public void Ids_are_unique_and_every_one_is_reported_by_exactly_one_analyzer()
    {
        Assert.Equal(DiagDescriptors.All.Length, DiagDescriptors.All.Select(descriptor => descriptor.Id).Distinct().Count());
        var supported = AnalyzerHarness.Analyzers.SelectMany(analyzer => analyzer.SupportedDiagnostics).Select(descriptor => descriptor.Id).ToList();
        Assert.Equal(DiagDescriptors.All.Select(descriptor => descriptor.Id).Order(), supported.Order());
    }

    [Fact]
    public void Whole_program_rules_are_marked_as_reported_at_compilation_end()
    {
        var end = DiagDescriptors.All.Where(descriptor => descriptor.CustomTags.Contains(WellKnownDiagnosticTags.CompilationEnd)).Select(descriptor => descriptor.Id);
        Assert.Equal(["INSTR001", "INSTR003", "INSTR004", "INSTR007"], end);
    }

    [Fact]
    public async Task Severity_can_be_changed_per_id_like_any_compiler_diagnostic()
    {
        var compilation = AnalyzerHarness.Compile(["""
            var app = WebApplication.CreateBuilder(args).Build();
            app.MapGet("/a", () => 1);
            app.Run();
            """]);
        var options = compilation.Options.WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["INSTR001"] = ReportDiagnostic.Error });

        var diagnostic = Assert.Single(await AnalyzerHarness.AnalyzeAsync(compilation.WithOptions(options)));

        Assert.Equal("INSTR001", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        var suppressed = compilation.Options.WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic> { ["INSTR001"] = ReportDiagnostic.Suppress });
        Assert.Empty(await AnalyzerHarness.AnalyzeAsync(compilation.WithOptions(suppressed)));
    }

    private static string RepositoryRoot() => RepositoryPaths.Root;
}
